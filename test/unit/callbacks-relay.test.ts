import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findFreePort } from '../../src/callbacks/listener';
import {
  buildTestCallback,
  forwardCallback,
  forwardTargetFor,
  forwardTargets,
  forwardToApp,
  parseForwardSetting,
  replayCallback,
  sendCallback,
  sendSignedCallback,
} from '../../src/callbacks/relay';
import { signCallbackHeaders, verifyPlivoSignature } from '../../src/plivo/signature';
import { TOKEN, nextCallback, sampleCallback, startListener } from './helpers/callbacks';
import { CallbackReceiver } from './helpers/sandboxReceiver';

const OPTIONS = { timeoutMs: 5000 };

test('POST sends params form-encoded and records status, duration and snippet', async (t) => {
  const app = await CallbackReceiver.start({
    respond: (_callback, res) => res.writeHead(201, { 'content-type': 'text/plain' }).end('created'),
  });
  t.after(() => app.close());
  const result = await sendCallback(
    `${app.url('')}/plivo/cb`,
    { method: 'POST', params: { call_uuid: 'c 1', record_url: 'https://x/r.mp3' } },
    OPTIONS,
  );
  const { response, ...rest } = result;
  assert.deepEqual(
    { ...rest, durationMs: 0 },
    { targetUrl: `${app.url('')}/plivo/cb`, status: 201, ok: true, durationMs: 0, responseSnippet: 'created' },
  );
  assert.equal(response?.body, 'created');
  assert.ok(result.durationMs >= 0);
  const [request] = app.received;
  assert.equal(request.method, 'POST');
  assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), {
    call_uuid: 'c 1',
    record_url: 'https://x/r.mp3',
  });
});

test('GET appends params to any existing query', async (t) => {
  const app = await CallbackReceiver.start();
  t.after(() => app.close());
  await sendCallback(`${app.url('')}/cb?src=ext`, { method: 'GET', params: { a: '1 2' } }, OPTIONS);
  await sendCallback(`${app.url('')}/cb`, { method: 'GET', params: { b: '3' } }, OPTIONS);
  assert.deepEqual(
    app.received.map((request) => request.target),
    ['/cb?src=ext&a=1+2', '/cb?b=3'],
  );
  assert.equal(app.received[0].body, '');
});

test('a raw body is sent as-is with its content type', async (t) => {
  const app = await CallbackReceiver.start();
  t.after(() => app.close());
  await sendCallback(
    app.url(''),
    { method: 'POST', params: { a: '1' }, body: '{"a":"1"}', contentType: 'application/json' },
    OPTIONS,
  );
  assert.equal(app.received[0].body, '{"a":"1"}');
  assert.equal(app.received[0].headers['content-type'], 'application/json');
});

test("error statuses are not ok; the app's answer is kept to 64 KiB with its full size noted", async (t) => {
  const app = await CallbackReceiver.start({
    respond: (_callback, res) =>
      res.writeHead(500, { 'x-app': 'demo', 'content-type': 'text/plain' }).end('e'.repeat(100_000)),
  });
  t.after(() => app.close());
  const result = await sendCallback(app.url(''), { method: 'POST', params: {} }, OPTIONS);
  assert.equal(result.status, 500);
  assert.equal(result.ok, false);
  assert.equal(result.responseSnippet.length, 2048);
  assert.equal(result.error, undefined);
  const response = result.response!;
  assert.equal(response.status, 500);
  assert.equal(response.headers['x-app'], 'demo');
  assert.equal(response.headers['content-type'], 'text/plain');
  assert.equal(response.body, 'e'.repeat(64 * 1024));
  assert.equal(response.bodyBytes, 100_000);
  assert.equal(response.bodyTruncated, true);
  assert.equal(response.bodySizeAtLeast, undefined);
});

test('an endless answer is counted up to a limit and reported as "at least" that size', async (t) => {
  const app = await CallbackReceiver.start({
    respond: (_callback, res) => res.writeHead(200).end(Buffer.alloc(5 * 1024 * 1024, 97)),
  });
  t.after(() => app.close());
  const { response } = await sendCallback(app.url(''), { method: 'POST', params: {} }, OPTIONS);
  assert.equal(response?.bodyTruncated, true);
  assert.equal(response?.bodySizeAtLeast, true);
  assert.ok(response!.bodyBytes > 4 * 1024 * 1024 && response!.bodyBytes <= 5 * 1024 * 1024);
});

test('connection refused names the host and port to check', async () => {
  const port = await findFreePort(40_000);
  const result = await sendCallback(`http://localhost:${port}/cb`, { method: 'POST', params: {} }, OPTIONS);
  assert.equal(result.ok, false);
  assert.equal(result.status, undefined);
  assert.equal(result.error, `connection refused: is your app running on localhost:${port}?`);
});

test('a silent app times out with the limit in the message', async (t) => {
  const app = await CallbackReceiver.start({ hang: true });
  t.after(() => app.close());
  const result = await sendCallback(app.url(''), { method: 'POST', params: {} }, { timeoutMs: 200 });
  assert.equal(result.ok, false);
  assert.equal(result.error, 'timed out after 0.2 s');
  assert.ok(result.durationMs >= 150);
});

test('bad target URLs are reported, not thrown', async () => {
  const missingScheme = await sendCallback('localhost:3000', { method: 'GET', params: {} }, OPTIONS);
  assert.equal(missingScheme.error, 'not a valid URL: localhost:3000 (start it with http:// or https://)');
  assert.equal(
    (await sendCallback('http://exa mple', { method: 'GET', params: {} }, OPTIONS)).error,
    'not a valid URL: http://exa mple',
  );
  assert.match(
    (await sendCallback('ftp://x/y', { method: 'GET', params: {} }, OPTIONS)).error ?? '',
    /only http and https URLs/,
  );
});

test('forward keeps the original body and Plivo headers, so the app verifies against its public URL', async (t) => {
  const publicUrl = 'https://abc.ngrok.app/plivo/record';
  const listener = await startListener({ getSignedBaseUrls: () => ['https://abc.ngrok.app'] });
  const app = await CallbackReceiver.start();
  t.after(() => Promise.all([listener.stop(), app.close()]));
  const params = buildTestCallback('record', { callUuid: 'c-fwd' });
  const received = nextCallback(listener);
  await sendCallback(
    `${listener.url}/plivo/record`,
    { method: 'POST', params, headers: signCallbackHeaders('POST', publicUrl, params, TOKEN) },
    OPTIONS,
  );
  const callback = await received;
  assert.equal(callback.signature.state, 'valid', callback.signature.detail);

  const result = await forwardCallback(callback, `${app.url('')}/hook`, OPTIONS);
  assert.equal(result.status, 200);
  const [request] = app.received;
  assert.equal(request.body, callback.body);
  const appParams = Object.fromEntries(new URLSearchParams(request.body));
  const appHeaders = request.headers as Record<string, string>;
  const check = verifyPlivoSignature({
    method: 'POST',
    url: publicUrl,
    params: appParams,
    headers: appHeaders,
    authTokens: [TOKEN],
  });
  assert.equal(check.state, 'valid');
});

test('replay re-signs for the new URL (POST JSON and GET), and the listener accepts it', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  for (const original of [
    {
      method: 'POST',
      path: '/documented',
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"call_uuid":"c","record_url":"u","message":"record done"}',
      },
    },
    { method: 'GET', path: '/get?call_uuid=c&record_url=u', init: {} },
  ]) {
    const first = nextCallback(listener);
    await (await fetch(`${listener.url}${original.path}`, original.init)).arrayBuffer();
    const stored = await first;
    assert.equal(stored.signature.state, 'unsigned');

    const replayed = nextCallback(listener);
    const result = await replayCallback(stored, `${listener.url}/replayed`, TOKEN, OPTIONS);
    assert.equal(result.status, 200);
    const again = await replayed;
    assert.equal(again.method, original.method);
    assert.deepEqual(again.params, stored.params);
    assert.equal(again.signature.state, 'valid', again.signature.detail);
    if (original.method === 'POST') assert.equal(again.body, stored.body);
  }
});

test('replay without a token sends unsigned; a truncated body is re-encoded from params', async (t) => {
  const app = await CallbackReceiver.start();
  t.after(() => app.close());
  const listener = await startListener();
  t.after(() => listener.stop());
  const received = nextCallback(listener);
  await (
    await fetch(`${listener.url}/cb`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    })
  ).arrayBuffer();
  const stored = { ...(await received), body: 'a=', bodyTruncated: true };
  await replayCallback(stored, app.url(''), undefined, OPTIONS);
  assert.equal(app.received[0].body, 'a=1');
  assert.equal(app.received[0].headers['x-plivo-signature-v3'], undefined);
});

test('test callbacks of each kind arrive signed and classified as that kind', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  for (const kind of ['record', 'transcription', 'async'] as const) {
    const params = buildTestCallback(kind, { callUuid: 'c-test', recordingId: 'r-test', apiId: 'a-test' });
    const received = nextCallback(listener);
    const result = await sendSignedCallback(`${listener.url}/test`, { method: 'POST', params }, TOKEN, OPTIONS);
    assert.equal(result.status, 200);
    const callback = await received;
    assert.equal(callback.kind, kind);
    assert.equal(callback.signature.state, 'valid', callback.signature.detail);
    assert.equal(callback.summary.recordingId, 'r-test');
  }
});

test('buildTestCallback: record sample carries the documented fields and consistent timings', () => {
  const now = new Date('2025-01-01T00:00:22Z');
  const params = buildTestCallback('record', { callUuid: 'c', apiId: 'a', recordingId: 'r', durationSeconds: 22, now });
  assert.deepEqual(params, {
    api_id: 'a',
    call_uuid: 'c',
    record_url: 'https://s3.amazonaws.com/recordings_2013/r.mp3',
    recording_id: 'r',
    recording_duration: '22',
    recording_duration_ms: '22000',
    recording_start_ms: String(Date.parse('2025-01-01T00:00:00Z')),
    recording_end_ms: String(now.getTime()),
    message: 'record done',
  });
});

test('forwarding to a base URL keeps the original path and query', () => {
  const post = sampleCallback({ path: '/plivo/transcription?x=1', kind: 'transcription' });
  assert.equal(forwardTargetFor(post, 'http://localhost:3000'), 'http://localhost:3000/plivo/transcription?x=1');
  assert.equal(
    forwardTargetFor(post, 'http://localhost:3000/app/'),
    'http://localhost:3000/app/plivo/transcription?x=1',
  );
  assert.equal(
    forwardTargetFor(post, 'http://localhost:3000/?k=v'),
    'http://localhost:3000/plivo/transcription?k=v&x=1',
  );
  // A base that already ends with the callback's path (the older single-URL style) is not doubled.
  const record = sampleCallback({ path: '/plivo/recording' });
  assert.equal(
    forwardTargetFor(record, 'http://localhost:3000/plivo/recording'),
    'http://localhost:3000/plivo/recording',
  );
});

test('forwarding per kind uses the URL given for the kind, and skips kinds without one', () => {
  const targets = { recording: 'http://localhost:3000/rec', transcription: 'http://localhost:3000/tx?app=1' };
  assert.equal(forwardTargetFor(sampleCallback({ path: '/plivo/recording' }), targets), 'http://localhost:3000/rec');
  assert.equal(
    forwardTargetFor(sampleCallback({ path: '/plivo/transcription?x=1', kind: 'transcription' }), targets),
    'http://localhost:3000/tx?app=1&x=1',
  );
  assert.equal(forwardTargetFor(sampleCallback({ kind: 'async' }), targets), undefined);
  assert.equal(forwardTargetFor(sampleCallback({ kind: 'unknown' }), targets), undefined);
});

test('a forwarded callback arrives at <forwardUrl><path>?<query>, GET params once, and the response is recorded', async (t) => {
  const app = await CallbackReceiver.start({
    respond: (_callback, res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"stored":true}'),
  });
  const listener = await startListener();
  t.after(() => Promise.all([app.close(), listener.stop()]));
  const posted = nextCallback(listener);
  await (
    await fetch(`${listener.url}/plivo/transcription?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'call_uuid=c&transcription=hi',
    })
  ).arrayBuffer();
  const got = nextCallback(listener);
  await (await fetch(`${listener.url}/plivo/recording?call_uuid=c&record_url=u`)).arrayBuffer();
  const [post, get] = [await posted, await got];

  const postResult = await forwardToApp(post, app.url(''), OPTIONS);
  const getResult = await forwardToApp(get, app.url(''), OPTIONS);
  assert.deepEqual(
    app.received.map((r) => [r.method, r.target, r.body]),
    [
      ['POST', '/plivo/transcription?x=1', 'call_uuid=c&transcription=hi'],
      ['GET', '/plivo/recording?call_uuid=c&record_url=u', ''],
    ],
  );
  assert.equal(postResult?.targetUrl, `${app.url('')}/plivo/transcription?x=1`);
  assert.deepEqual(
    { ...postResult?.response, headers: postResult?.response?.headers['content-type'] },
    { status: 202, headers: 'application/json', body: '{"stored":true}', bodyBytes: 15 },
  );
  assert.equal(getResult?.status, 202);
  assert.equal(await forwardToApp(post, { recording: app.url('') }, OPTIONS), undefined);
});

test('parseForwardSetting accepts a URL or URLs by kind, and names what is wrong', () => {
  assert.deepEqual(parseForwardSetting(''), {});
  assert.deepEqual(parseForwardSetting(undefined), {});
  assert.deepEqual(parseForwardSetting(' http://localhost:3000 '), { forward: 'http://localhost:3000' });
  assert.deepEqual(parseForwardSetting({ recording: 'http://a/r', async: '' }), {
    forward: { recording: 'http://a/r' },
  });
  assert.deepEqual(parseForwardSetting({}), {});
  assert.deepEqual(parseForwardSetting('localhost:3000'), {
    error: 'plivo.listener.forwardUrl: not a valid URL: localhost:3000 (start it with http:// or https://)',
  });
  assert.deepEqual(parseForwardSetting({ record: 'http://a' }), {
    error: 'plivo.listener.forwardUrl: unknown kind "record" (use recording, transcription or async)',
  });
  assert.deepEqual(parseForwardSetting({ transcription: 3 }), {
    error: 'plivo.listener.forwardUrl.transcription must be a URL string',
  });
  assert.deepEqual(parseForwardSetting({ async: 'ftp://x' }), {
    error: 'plivo.listener.forwardUrl.async: only http and https URLs can receive callbacks, not ftp:',
  });
  assert.match(parseForwardSetting(42).error ?? '', /must be a URL or an object of URLs by kind/);
});

test('forwardTargets lists the URLs the setting names, never an empty kind', () => {
  assert.deepEqual(forwardTargets('http://127.0.0.1:3000'), ['http://127.0.0.1:3000']);
  assert.deepEqual(forwardTargets({ recording: 'http://127.0.0.1:3000/r', transcription: '' }), [
    'http://127.0.0.1:3000/r',
  ]);
});
