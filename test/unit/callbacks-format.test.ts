import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bodyForDisplay,
  callbackDescription,
  callbackFields,
  callbackFileName,
  callbackLabel,
  forwardText,
  kindName,
  oneLine,
  receivedTime,
  relayForDisplay,
  renderCallbackDocument,
  replayText,
  shortId,
  signatureText,
  statusText,
} from '../../src/callbacks/format';
import type { ReceivedCallback } from '../../src/callbacks/model';

function callback(overrides: Partial<ReceivedCallback> = {}): ReceivedCallback {
  return {
    id: 'cb-1',
    receivedAt: new Date(2026, 0, 15, 14, 30, 22).toISOString(),
    method: 'POST',
    path: '/plivo/recording',
    headers: {},
    body: 'CallUUID=3f2a1b2c-0000',
    contentType: 'application/x-www-form-urlencoded',
    params: { CallUUID: '3f2a1b2c-0000' },
    kind: 'record',
    summary: { callUuid: '3f2a1b2c-0000', recordingId: 'rec-1', durationSeconds: 12 },
    signature: { state: 'valid', version: 'v3' },
    status: 200,
    ...overrides,
  } as ReceivedCallback;
}

test('oneLine removes line breaks, control and bidirectional characters, and cuts to the limit', () => {
  assert.equal(oneLine('a\nb\r\nc\u0000d'), 'a b c d');
  assert.equal(oneLine('x\u202ey\u2066z\u2028w'), 'x y z w');
  assert.equal(oneLine('  padded  '), 'padded');
  assert.equal(oneLine('abcdefghij', 5), 'abcd…');
  assert.equal(oneLine(undefined), '');
  assert.equal(oneLine(42), '42');
});

test('shortId keeps enough of an identifier to tell two apart', () => {
  assert.equal(shortId('3f2a1b2c-0000-1111'), '3f2a1b2c…');
  assert.equal(shortId('short'), 'short');
  assert.equal(shortId('ab\ncdefghijk', 4), 'ab c…');
});

test('labels name the kind and the identifier that tells callbacks apart', () => {
  assert.equal(callbackLabel(callback()), 'record done · 3f2a1b2c…');
  assert.equal(
    callbackLabel(callback({ summary: { recordingId: 'rec-123456789' } })),
    'record done · recording rec-1234…',
  );
  assert.equal(callbackLabel(callback({ summary: {} })), 'record done · no call_uuid');
  assert.equal(
    callbackLabel(callback({ kind: 'transcription', summary: { callUuid: 'c', transcriptionError: 'x' } })),
    'transcription failed · c',
  );
  assert.equal(
    callbackLabel(callback({ kind: 'async', summary: { apiId: '9c0d1e2f-aaaa' } })),
    'async response · api_id 9c0d1e2f…',
  );
  assert.equal(
    callbackLabel(callback({ kind: 'unknown', method: 'PUT', path: '/hook?secret=1' })),
    'unknown PUT /hook',
    'the query string stays out of the label',
  );
});

test('kind, signature, status and forward texts', () => {
  assert.equal(kindName('record'), 'record done');
  assert.equal(kindName(undefined), 'unknown');
  assert.equal(kindName('bogus' as never), 'unknown', 'a hand-edited history file can hold any kind');
  assert.equal(signatureText({ state: 'valid' } as ReceivedCallback['signature']), '✓ signed');
  assert.equal(signatureText({ state: 'invalid' } as ReceivedCallback['signature']), '✗ invalid signature');
  assert.equal(signatureText(undefined), 'unsigned');
  assert.equal(statusText(413), '413 too large');
  assert.equal(statusText(404), '404 not found');
  assert.equal(statusText(799), '799');
  const forward = { targetUrl: 'http://x', ok: true, durationMs: 12, responseSnippet: '' };
  assert.equal(forwardText({ ...forward, status: 200 }), '→ 200 in 12 ms');
  assert.equal(forwardText({ ...forward, ok: false, error: 'refused' }), '→ forward failed');
});

test('the received time has the date only when it was not today', () => {
  const cb = callback();
  const sameDay = new Date(2026, 0, 15, 23, 0, 0);
  const nextDay = new Date(2026, 0, 16, 9, 0, 0);
  assert.doesNotMatch(receivedTime(cb, sameDay), /Jan/);
  assert.match(receivedTime(cb, sameDay), /30/);
  assert.notEqual(receivedTime(cb, nextDay), receivedTime(cb, sameDay));
  assert.equal(receivedTime(callback({ receivedAt: 'garbage\ntime' })), 'garbage time');
});

test('the description adds the refusal status and the forward result', () => {
  const now = new Date(2026, 0, 15, 15, 0, 0);
  const refused = callbackDescription(callback({ status: 413, signature: { state: 'unsigned' } as never }), now);
  assert.match(refused, / · unsigned · 413 too large$/);
  const forwarded = callbackDescription(
    callback({ forward: { targetUrl: 'http://app', ok: true, status: 204, durationMs: 7, responseSnippet: '' } }),
    now,
  );
  assert.match(forwarded, / · ✓ signed · → 204 in 7 ms$/);
});

test('tooltip fields leave out what is unknown and keep values on one line', () => {
  const fields = new Map(callbackFields(callback({ error: 'bad\nthing', status: 400 })));
  assert.equal(fields.get('Status'), '400 bad request: bad thing');
  assert.equal(fields.get('Signature'), '✓ signed (v3)');
  assert.equal(fields.get('call_uuid'), '3f2a1b2c-0000');
  assert.equal(fields.get('Duration'), '12 s');
  assert.equal(fields.has('api_id'), false);
  assert.equal(fields.has('Forwarded'), false);
});

test('the body is shown parsed when it is whole JSON, else as text', () => {
  const json = callback({ contentType: 'application/json', body: '{"a":1}' });
  assert.deepEqual(bodyForDisplay(json), { a: 1 });
  assert.equal(bodyForDisplay({ ...json, bodyTruncated: true }), '{"a":1}', 'a cut body is not parsed');
  assert.equal(bodyForDisplay(callback({ contentType: undefined, body: '[1,2' })), '[1,2');
  assert.equal(bodyForDisplay(callback()), 'CallUUID=3f2a1b2c-0000');
});

test('the document is the whole request as JSON, and its file name says kind and time', () => {
  const cb = callback({ contentType: 'application/json', body: '{"<script>":"\u202e"}' });
  const parsed = JSON.parse(renderCallbackDocument(cb)) as Record<string, unknown>;
  assert.equal(parsed.id, 'cb-1');
  assert.deepEqual(parsed.body, { '<script>': '\u202e' });
  assert.ok(renderCallbackDocument(cb).endsWith('}\n'));
  assert.equal(callbackFileName(cb), 'record-done-14-30-22.json');
  assert.equal(callbackFileName(callback({ kind: 'async', receivedAt: 'nope' })), 'async-response-unknown-time.json');
});

test('signatureText shows V2-only signatures as weaker and flags replays', () => {
  assert.equal(signatureText({ state: 'valid-v2', version: 'v2', detail: '' }), 'v2: parameters not covered');
  assert.equal(
    signatureText({ state: 'valid', version: 'v3', detail: '', replay: true }),
    '⚠ replay: nonce seen before',
  );
  const v2 = callback({ signature: { state: 'valid-v2', version: 'v2', detail: 'V2 matches' } });
  assert.match(callbackDescription(v2), /v2: parameters not covered/);
  const document = JSON.parse(renderCallbackDocument(v2)) as { signature: { summary: string } };
  assert.equal(document.signature.summary, 'v2: parameters not covered');
});

test("relayForDisplay: the app's status, latency, headers and JSON body; a cut body says how much is shown", () => {
  const whole = relayForDisplay({
    targetUrl: 'http://127.0.0.1:3000/plivo/recording',
    status: 201,
    ok: true,
    durationMs: 12,
    responseSnippet: '{"saved":true}',
    response: { status: 201, headers: { 'content-type': 'application/json' }, body: '{"saved":true}', bodyBytes: 14 },
  });
  assert.deepEqual(whole, {
    target: 'http://127.0.0.1:3000/plivo/recording',
    status: 201,
    latencyMs: 12,
    error: undefined,
    headers: { 'content-type': 'application/json' },
    body: { saved: true },
    bodyNote: undefined,
  });
  const cut = relayForDisplay({
    targetUrl: 'http://127.0.0.1:3000/',
    status: 200,
    ok: true,
    durationMs: 40,
    responseSnippet: '',
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(65536),
      bodyBytes: 4194304,
      bodyTruncated: true,
      bodySizeAtLeast: true,
    },
  });
  assert.equal(cut.body, 'x'.repeat(65536), 'a cut JSON body is shown as text');
  assert.equal(cut.bodyNote, 'body cut: showing the first 64 KiB of at least 4.0 MiB');
  const failed = relayForDisplay({
    targetUrl: 'http://127.0.0.1:9/',
    ok: false,
    durationMs: 3,
    responseSnippet: '',
    error: 'connection refused',
  });
  assert.deepEqual(failed, {
    target: 'http://127.0.0.1:9/',
    status: undefined,
    latencyMs: 3,
    error: 'connection refused',
  });
});

test('a replayed callback shows the outcome in its row and the response in its document', () => {
  const replayed = callback({
    signature: { state: 'unsigned', detail: 'no signature' },
    replay: {
      targetUrl: 'http://127.0.0.1:3000/plivo/recording',
      status: 200,
      ok: true,
      durationMs: 5,
      responseSnippet: 'ok',
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok', bodyBytes: 2 },
      sentAt: '2026-01-15T14:31:00.000Z',
      edited: true,
      unverified: true,
    },
  });
  assert.equal(replayText(replayed.replay!), 'replayed → 200 (edited, unverified)');
  assert.match(callbackDescription(replayed), /unsigned · replayed → 200 \(edited, unverified\)$/);
  const document = JSON.parse(renderCallbackDocument(replayed)) as { replay: Record<string, unknown> };
  assert.equal(document.replay.body, 'ok');
  assert.equal(document.replay.unverified, true);
  assert.equal(document.replay.latencyMs, 5);
  assert.equal(
    replayText({ ...replayed.replay!, status: undefined, error: 'timed out', edited: false, unverified: false }),
    'replay failed',
  );
});
