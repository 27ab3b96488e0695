import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CallbackListener,
  ListenerPortInUseError,
  findFreePort,
  signedUrlFor,
  type SignedWith,
} from '../../src/callbacks/listener';
import { CallbackStore } from '../../src/callbacks/store';
import type { ReceivedCallback } from '../../src/callbacks/model';
import { signCallbackHeaders } from '../../src/plivo/signature';
import { TOKEN, lowerCaseHeaders, nextCallback, nextCallbacks, startListener, withTempDir } from './helpers/callbacks';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const RECORD_PARAMS = {
  api_id: 'a-1',
  call_uuid: 'c-1',
  record_url: 'https://s3.amazonaws.com/recordings_2013/r-1.mp3',
  recording_id: 'r-1',
  recording_duration: '22',
};

test('POST form: answered 200 with the id, emitted as a record callback', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const received = nextCallback(listener);
  const response = await fetch(`${listener.url}/plivo/record?src=ext`, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams(RECORD_PARAMS),
  });
  const answer = (await response.json()) as { received: boolean; id: string };
  const callback = await received;
  assert.equal(response.status, 200);
  assert.deepEqual(answer, { received: true, id: callback.id });
  assert.equal(callback.method, 'POST');
  assert.equal(callback.path, '/plivo/record?src=ext');
  assert.equal(callback.status, 200);
  assert.equal(callback.kind, 'record');
  assert.deepEqual(callback.params, RECORD_PARAMS);
  assert.equal(callback.summary.recordingId, 'r-1');
  assert.equal(callback.summary.durationSeconds, 22);
  assert.equal(callback.contentType, 'application/x-www-form-urlencoded');
  assert.equal(callback.body, new URLSearchParams(RECORD_PARAMS).toString());
  assert.equal(callback.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.ok(!Number.isNaN(Date.parse(callback.receivedAt)));
  assert.equal(callback.signature.state, 'unsigned');
});

test('POST JSON in the Record API reference shape is a record callback', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const received = nextCallback(listener);
  const documented = {
    call_uuid: 'cfa1e4c0',
    record_url: 'http://s3.amazonaws.com/plivocloud/ffca7d3abcc0.mp3',
    message: 'record done',
    api_id: 'c7b69074',
  };
  const response = await fetch(`${listener.url}/cb`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(documented),
  });
  await response.arrayBuffer();
  const callback = await received;
  assert.equal(callback.kind, 'record');
  assert.deepEqual(callback.summary, {
    callUuid: 'cfa1e4c0',
    recordUrl: documented.record_url,
    message: 'record done',
    apiId: 'c7b69074',
  });
});

test('GET query with CamelCase names is a record callback', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const received = nextCallback(listener);
  const response = await fetch(`${listener.url}/cb?CallUUID=c-9&RecordUrl=https%3A%2F%2Fx%2Fr.mp3&RecordingID=r-9`);
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  const callback = await received;
  assert.equal(callback.kind, 'record');
  assert.deepEqual(callback.summary, { callUuid: 'c-9', recordUrl: 'https://x/r.mp3', recordingId: 'r-9' });
});

test('transcription, async and unknown callbacks are classified', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const bodies: Array<Record<string, string>> = [
    { transcription: 'hello', call_uuid: 'c' },
    { response: JSON.stringify({ api_id: 'a', message: 'call recording started' }) },
    { CallUUID: 'c', Event: 'Hangup' },
  ];
  const kinds: string[] = [];
  for (const body of bodies) {
    const received = nextCallback(listener);
    await (
      await fetch(`${listener.url}/cb`, { method: 'POST', headers: FORM, body: new URLSearchParams(body) })
    ).arrayBuffer();
    kinds.push((await received).kind);
  }
  assert.deepEqual(kinds, ['transcription', 'async', 'unknown']);
});

async function postSigned(
  listener: CallbackListener & { url: string },
  options: { params?: Record<string, string>; sent?: Record<string, string>; token?: string; dropHeader?: string } = {},
) {
  const params = options.params ?? RECORD_PARAMS;
  const headers: Record<string, string> = {
    ...FORM,
    ...lowerCaseHeaders(signCallbackHeaders('POST', `${listener.url}/cb`, params, options.token ?? TOKEN)),
  };
  if (options.dropHeader) delete headers[options.dropHeader];
  const received = nextCallback(listener);
  await (
    await fetch(`${listener.url}/cb`, { method: 'POST', headers, body: new URLSearchParams(options.sent ?? params) })
  ).arrayBuffer();
  return (await received).signature;
}

test('signatures through the listener: valid, tampered, wrong token, missing nonce', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const valid = await postSigned(listener);
  assert.deepEqual([valid.state, valid.version], ['valid', 'v3']);
  const tampered = await postSigned(listener, { sent: { ...RECORD_PARAMS, recording_duration: '99' } });
  assert.equal(tampered.state, 'invalid');
  assert.match(tampered.detail, /does not match the Auth Token/);
  assert.doesNotMatch(tampered.detail, new RegExp(TOKEN));
  const wrongToken = await postSigned(listener, { token: 'someone-else' });
  assert.equal(wrongToken.state, 'invalid');
  const noNonce = await postSigned(listener, { dropHeader: 'x-plivo-signature-v3-nonce' });
  assert.equal(noNonce.state, 'invalid');
  assert.match(noNonce.detail, /nonce header missing/);
});

test('signatures are checked against the public tunnel URL when one is set', async (t) => {
  const listener = await startListener({ getSignedBaseUrls: () => ['https://abc.ngrok.app/'] });
  t.after(() => listener.stop());
  const params = { call_uuid: 'c-1', record_url: 'https://x/r.mp3' };
  const headers = lowerCaseHeaders(signCallbackHeaders('GET', 'https://abc.ngrok.app/plivo/cb?src=ext', params, TOKEN));
  const received = nextCallback(listener);
  const query = new URLSearchParams(params).toString();
  await (await fetch(`${listener.url}/plivo/cb?src=ext&${query}`, { headers })).arrayBuffer();
  const callback = await received;
  assert.equal(callback.signature.state, 'valid', callback.signature.detail);
  assert.deepEqual(callback.params, { src: 'ext', ...params });
});

test('the callback event says which Auth Token made the signature; the callback holds none of it', async (t) => {
  const tokens = ['main-token-0123456789abcdefghij', 'sub-token-0123456789abcdefghijk'];
  const listener = await startListener({
    getAuthTokens: () => tokens,
    getSignedBaseUrls: () => ['https://abc.ngrok.app'],
  });
  t.after(() => listener.stop());
  const send = async (headers: Record<string, string>): Promise<[ReceivedCallback, SignedWith]> => {
    const received = new Promise<[ReceivedCallback, SignedWith]>((resolve) =>
      listener.once('callback', (callback, signedWith) => resolve([callback, signedWith])),
    );
    const body = new URLSearchParams(RECORD_PARAMS);
    await (await fetch(`${listener.url}/cb`, { method: 'POST', headers: { ...FORM, ...headers }, body })).arrayBuffer();
    return received;
  };
  const signedBy = (token: string, url: string) =>
    lowerCaseHeaders(signCallbackHeaders('POST', url, RECORD_PARAMS, token));

  // Signed for the tunnel's URL, the first one tried, with the second token.
  const [callback, signedWith] = await send(signedBy(tokens[1], 'https://abc.ngrok.app/cb'));
  assert.equal(callback.signature.state, 'valid');
  assert.equal(signedWith.authToken, tokens[1]);
  for (const token of tokens) assert.ok(!JSON.stringify(callback).includes(token));
  // Signed for the local URL, the last one tried.
  assert.equal((await send(signedBy(tokens[0], `${listener.url}/cb`)))[1].authToken, tokens[0]);
  assert.equal((await send(signedBy('someone-else', `${listener.url}/cb`)))[1].authToken, undefined);
  assert.equal((await send({}))[1].authToken, undefined);
});

test('signedUrlFor joins base and path without doubling a path prefix', () => {
  assert.equal(signedUrlFor('https://abc.ngrok.app', '/cb?x=1'), 'https://abc.ngrok.app/cb?x=1');
  assert.equal(signedUrlFor('https://abc.ngrok.app:443/', '/cb'), 'https://abc.ngrok.app:443/cb');
  assert.equal(signedUrlFor('https://proxy.example/plivo', '/plivo/cb'), 'https://proxy.example/plivo/cb');
  assert.equal(signedUrlFor('https://proxy.example/plivo/', '/cb'), 'https://proxy.example/plivo/cb');
});

test('413 for oversized bodies (declared or chunked), and the listener keeps serving', async (t) => {
  const listener = await startListener({ maxBodyBytes: 1024 });
  t.after(() => listener.stop());
  const declared = nextCallback(listener);
  const big = await fetch(`${listener.url}/cb`, {
    method: 'POST',
    headers: FORM,
    body: Buffer.alloc(4 * 1024 * 1024, 97),
  });
  assert.equal(big.status, 413);
  assert.match(await big.text(), /larger than the 1024 byte limit/);
  assert.deepEqual([(await declared).status, (await declared).method], [413, 'POST']);

  const chunked = nextCallback(listener);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 32; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(97));
      controller.close();
    },
  });
  const streamed = await fetch(`${listener.url}/cb`, {
    method: 'POST',
    headers: FORM,
    body: stream,
    duplex: 'half',
  } as RequestInit);
  assert.equal(streamed.status, 413);
  await streamed.arrayBuffer();
  const refused = await chunked;
  assert.equal(refused.status, 413);
  assert.ok(refused.body.length <= 1024, 'keeps only what it read before the limit');

  const after = await fetch(`${listener.url}/cb?record_url=x`);
  assert.equal(after.status, 200);
  await after.arrayBuffer();
});

test('garbage bodies get 400 with a short reason and are still shown', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const cases: Array<{ headers: Record<string, string>; body: string | Buffer; reason: RegExp }> = [
    { headers: { 'content-type': 'application/json' }, body: '{"call_uuid":', reason: /invalid JSON/ },
    { headers: FORM, body: 'a=%E0%A4%A&b=1', reason: /invalid percent-encoding/ },
    { headers: FORM, body: Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x9f]), reason: /not valid UTF-8/ },
    {
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([1, 2, 3]),
      reason: /unsupported Content-Type/,
    },
  ];
  for (const { headers, body, reason } of cases) {
    const received = nextCallback(listener);
    const response = await fetch(`${listener.url}/cb`, { method: 'POST', headers, body });
    assert.equal(response.status, 400);
    assert.match(await response.text(), reason);
    const callback = await received;
    assert.equal(callback.status, 400);
    assert.match(callback.error ?? '', reason);
    assert.equal(callback.kind, 'unknown');
  }
});

test('bad GET query gets 400', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const response = await fetch(`${listener.url}/cb?a=%zz`);
  assert.equal(response.status, 400);
  assert.match(await response.text(), /invalid percent-encoding in query string/);
});

test('other methods get 405 with Allow, and are shown', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const received = nextCallback(listener);
  const response = await fetch(`${listener.url}/cb`, { method: 'PUT', body: 'x=1' });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('allow'), 'GET, POST');
  await response.arrayBuffer();
  assert.equal((await received).status, 405);
});

test('a refused request with signature headers is reported as not checked', async (t) => {
  const listener = await startListener({ maxBodyBytes: 1024 });
  t.after(() => listener.stop());
  const headers = {
    ...FORM,
    ...lowerCaseHeaders(signCallbackHeaders('POST', `${listener.url}/cb`, { a: 'x' }, TOKEN)),
  };
  const received = nextCallback(listener);
  await (await fetch(`${listener.url}/cb`, { method: 'POST', headers, body: 'a='.padEnd(2048, 'x') })).arrayBuffer();
  const { signature } = await received;
  assert.deepEqual([signature.state, signature.version], ['invalid', 'v3']);
  assert.match(signature.detail, /^not checked: body larger/);
});

test('a client that disconnects mid-body is shown; an empty connection is not; the listener survives', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const { port } = new URL(listener.url);

  const empty = connect(Number(port), '127.0.0.1');
  await once(empty, 'connect');
  empty.destroy();

  const received = nextCallback(listener);
  const partial = connect(Number(port), '127.0.0.1');
  await once(partial, 'connect');
  partial.write(
    `POST /cb HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ncall_uuid=`,
  );
  // Closing (rather than resetting) guarantees the partial body arrives before the disconnect.
  partial.end();
  const callback = await received;
  assert.equal(callback.status, 400);
  assert.match(callback.error ?? '', /ended after 10 bytes/);
  assert.equal(callback.body, 'call_uuid=');

  const next = nextCallback(listener);
  const response = await fetch(`${listener.url}/cb?record_url=ok`);
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  assert.equal((await next).path, '/cb?record_url=ok', 'the empty connection produced no callback');
});

test('slow clients are cut off by the request deadline', async (t) => {
  const listener = await startListener({ requestTimeoutMs: 500 });
  t.after(() => listener.stop());
  const socket = connect(Number(new URL(listener.url).port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write('POST /cb HTTP/1.1\r\nHost: x\r\n');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 408/);
});

test('50 concurrent callbacks are all answered and recorded', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const all = nextCallbacks(listener, 50);
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      fetch(`${listener.url}/cb`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ call_uuid: `c-${i}`, record_url: 'x' }),
      }).then(async (response) => ({ status: response.status, id: ((await response.json()) as { id: string }).id })),
    ),
  );
  const callbacks = await all;
  assert.ok(responses.every((response) => response.status === 200));
  assert.deepEqual(
    new Set(callbacks.map((callback) => callback.id)),
    new Set(responses.map((response) => response.id)),
  );
  assert.deepEqual(
    callbacks.map((callback) => callback.params.call_uuid).sort(),
    Array.from({ length: 50 }, (_, i) => `c-${i}`).sort(),
  );
});

test('a throwing callback handler does not break the answer; it is reported as a warning', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  listener.on('callback', () => {
    throw new Error('boom');
  });
  const warning = once(listener, 'warning');
  const response = await fetch(`${listener.url}/cb?a=1`);
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  assert.match(String((await warning)[0]), /boom/);
});

test('port in use: typed error with a free suggested port', async (t) => {
  const first = await startListener();
  t.after(() => first.stop());
  const port = Number(new URL(first.url).port);
  const second = new CallbackListener();
  const error = await second.start({ port, getAuthTokens: () => [], getSignedBaseUrls: () => [] }).then(
    () => assert.fail('second listener should not start'),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof ListenerPortInUseError);
  assert.equal(error.port, port);
  assert.ok(error.suggestedPort !== undefined && error.suggestedPort > port);
  assert.match(error.message, new RegExp(`port ${port} is already in use`));
  await second.start({ port: error.suggestedPort, getAuthTokens: () => [], getSignedBaseUrls: () => [] });
  await second.stop();
});

test('findFreePort skips taken ports', async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const taken = (blocker.address() as AddressInfo).port;
  const free = await findFreePort(taken);
  assert.ok(free !== undefined && free > taken);
});

test('stop() closes open keep-alive connections and clears url; start() works again', async () => {
  const listener = await startListener();
  await (await fetch(`${listener.url}/cb?a=1`)).arrayBuffer();
  await listener.stop();
  assert.equal(listener.url, undefined);
  assert.equal(listener.running, false);
  await listener.start({ port: 0, getAuthTokens: () => [], getSignedBaseUrls: () => [] });
  assert.match(listener.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  await listener.stop();
});

test('a failing token getter leaves the callback answered and marked not checked', async (t) => {
  const listener = await startListener({
    getAuthTokens: () => {
      throw new Error('secret storage unavailable');
    },
  });
  t.after(() => listener.stop());
  const headers = {
    ...FORM,
    ...lowerCaseHeaders(signCallbackHeaders('POST', `${listener.url}/cb`, { a: '1' }, TOKEN)),
  };
  const received = nextCallback(listener);
  const response = await fetch(`${listener.url}/cb`, { method: 'POST', headers, body: 'a=1' });
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  const { signature } = await received;
  assert.equal(signature.state, 'invalid');
  assert.match(
    signature.detail,
    /not checked: could not get the Auth Token or public URL \(secret storage unavailable\)/,
  );
});

/** Posts from another process (this one is held in the listener) and creates a file once the answer has come. */
const ANSWERED_CLIENT = `
const [url, headers, body, answeredFile] = process.argv.slice(1);
fetch(url, { method: 'POST', headers: JSON.parse(headers), body }).then(async (response) => {
  require('node:fs').writeFileSync(answeredFile, '');
  const { id } = await response.json();
  console.log(JSON.stringify({ status: response.status, id }));
});`;

test('the 200 goes out before the signature check; the callback is still checked and stored', async (t) => {
  await withTempDir(async (dir) => {
    const store = new CallbackStore(dir);
    await store.load();
    t.after(() => store.dispose());
    const answeredFile = join(dir, 'answered');
    /** Only a guard against holding the process for ever; the outcome does not depend on how long the wait was. */
    const HANG_GUARD_MS = 20_000;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let answeredDuringCheck: boolean | undefined;
    const listener = await startListener({
      // A token getter that holds the whole process, as a heavy check would, until the client has its answer:
      // an answer that waited for the check could not arrive meanwhile.
      getAuthTokens: () => {
        const giveUpAt = Date.now() + HANG_GUARD_MS;
        while (!existsSync(answeredFile) && Date.now() < giveUpAt) Atomics.wait(pause, 0, 0, 5);
        answeredDuringCheck = existsSync(answeredFile);
        return [TOKEN];
      },
    });
    t.after(() => listener.stop());
    const stored = new Promise<ReceivedCallback>((resolve) =>
      listener.on('callback', (callback) => void store.add(callback).then(() => resolve(callback))),
    );
    const url = `${listener.url}/plivo/record`;
    const headers = { ...FORM, ...signCallbackHeaders('POST', url, RECORD_PARAMS, TOKEN) };
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          '-e',
          ANSWERED_CLIENT,
          url,
          JSON.stringify(headers),
          new URLSearchParams(RECORD_PARAMS).toString(),
          answeredFile,
        ],
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    const answer = JSON.parse(output) as { status: number; id: string };
    const callback = await stored;
    assert.equal(answer.status, 200);
    assert.equal(answer.id, callback.id);
    assert.equal(answeredDuringCheck, true, 'the client had its answer while the check held the process');
    assert.equal(callback.signature.state, 'valid');
    await store.flush();
    const reloaded = new CallbackStore(dir);
    await reloaded.load();
    assert.deepEqual(reloaded.get(callback.id)?.signature, callback.signature);
    await reloaded.dispose();
  });
});
