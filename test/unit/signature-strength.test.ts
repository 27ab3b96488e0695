// V2-only signatures are weaker than V3, a nonce seen before is a replay, and only V3 counts as verified.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NonceMemory } from '../../src/callbacks/nonceMemory';
import { isVerified, signatureLabel, signCallbackHeaders, type SignatureCheck } from '../../src/plivo/signature';
import { TOKEN, lowerCaseHeaders, nextCallback, startListener } from './helpers/callbacks';

const PARAMS = { call_uuid: 'c-1', record_url: 'https://m.example/r-1.mp3', recording_duration: '22' };

async function post(
  listener: { url: string } & Parameters<typeof nextCallback>[0],
  headers: Record<string, string>,
  params: Record<string, string>,
): Promise<SignatureCheck> {
  const received = nextCallback(listener);
  const res = await fetch(`${listener.url}/cb`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
  await res.arrayBuffer();
  return (await received).signature;
}

test('captured V2 headers with V3 dropped and parameters changed: valid-v2, never plain valid', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const all = lowerCaseHeaders(signCallbackHeaders('POST', `${listener.url}/cb`, PARAMS, TOKEN));
  const v2Only = {
    'x-plivo-signature-v2': all['x-plivo-signature-v2'],
    'x-plivo-signature-v2-nonce': all['x-plivo-signature-v2-nonce'],
  };
  const check = await post(listener, v2Only, { ...PARAMS, record_url: 'https://evil.example/x.mp3' });
  assert.equal(check.state, 'valid-v2');
  assert.equal(signatureLabel(check), 'v2: parameters not covered');
  assert.equal(isVerified(check), false);
});

test('both V3 and V2 present: V3 decides, so changed parameters are invalid despite a matching V2', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const headers = lowerCaseHeaders(signCallbackHeaders('POST', `${listener.url}/cb`, PARAMS, TOKEN));
  const check = await post(listener, headers, { ...PARAMS, recording_duration: '99' });
  assert.deepEqual([check.state, check.version], ['invalid', 'v3']);
});

test('the same signed request twice: the second is flagged as a replay', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const headers = lowerCaseHeaders(signCallbackHeaders('POST', `${listener.url}/cb`, PARAMS, TOKEN));
  const first = await post(listener, headers, PARAMS);
  assert.deepEqual([first.state, first.replay], ['valid', undefined]);
  assert.equal(isVerified(first), true);
  assert.equal(signatureLabel(first), '✓ signed (v3)');
  const again = await post(listener, headers, PARAMS);
  assert.equal(again.state, 'valid');
  assert.equal(again.replay, true);
  assert.match(again.detail, /^replay: nonce already seen at \d{4}-/);
  assert.equal(isVerified(again), false);
  assert.equal(signatureLabel(again), '⚠ replay: nonce seen before');
  const fresh = lowerCaseHeaders(signCallbackHeaders('POST', `${listener.url}/cb`, PARAMS, TOKEN));
  assert.equal((await post(listener, fresh, PARAMS)).replay, undefined, 'a new nonce is not a replay');
});

test('isVerified and signatureLabel for every state', () => {
  const cases: Array<[SignatureCheck | undefined, boolean, string]> = [
    [{ state: 'valid', version: 'v3', detail: '' }, true, '✓ signed (v3)'],
    [{ state: 'valid', version: 'v3', detail: '', replay: true }, false, '⚠ replay: nonce seen before'],
    [{ state: 'valid-v2', version: 'v2', detail: '' }, false, 'v2: parameters not covered'],
    [{ state: 'valid-v2', version: 'v2', detail: '', replay: true }, false, '⚠ replay: nonce seen before'],
    [{ state: 'invalid', version: 'v3', detail: '' }, false, '✗ invalid signature'],
    [{ state: 'unsigned', detail: '' }, false, 'unsigned'],
    [undefined, false, 'unsigned'],
  ];
  for (const [check, verified, label] of cases) {
    assert.equal(isVerified(check), verified, JSON.stringify(check));
    assert.equal(signatureLabel(check), label, JSON.stringify(check));
  }
});

test('NonceMemory is bounded, always keeps the newest half of its limit, and keeps a nonce seen again', () => {
  const memory = new NonceMemory(4);
  assert.equal(memory.remember('a', 't1'), undefined);
  assert.equal(memory.remember('a', 't2'), 't1');
  for (let i = 0; i < 1000; i++) {
    memory.remember(`n${i}`, `at${i}`);
    assert.ok(memory.size <= 4, `size ${memory.size} after ${i + 1} nonces`);
  }
  assert.equal(memory.remember('n999', 'later'), 'at999');
  assert.equal(memory.remember('a', 't3'), undefined, 'a was forgotten');

  // A nonce seen again moves to the newest ones: it outlives one first seen after it.
  const again = new NonceMemory(4);
  again.remember('p', 't1');
  again.remember('q', 't2');
  assert.equal(again.remember('p', 't3'), 't1');
  again.remember('r', 't4');
  assert.equal(again.remember('q', 't5'), undefined, 'q was forgotten');
  assert.equal(again.remember('p', 't6'), 't1');
});
