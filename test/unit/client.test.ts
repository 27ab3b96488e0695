import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { PlivoClient, PlivoError, type RecordOptions, type RequestLogEntry } from '../../src/plivo';
import { RequestLimiter } from '../../src/plivo/limiter';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';
import { CallbackReceiver } from './helpers/sandboxReceiver';
import { rejectsWithCode } from './helpers/rejects';

const credentials = { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN };

describe('PlivoClient against the sandbox', () => {
  let sandbox: Sandbox;
  let client: PlivoClient;
  let log: RequestLogEntry[];
  let callUuid: string;

  before(async () => {
    sandbox = await Sandbox.start({ timeScale: 0.01 });
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    log = [];
    client = new PlivoClient({
      credentials,
      baseUrl: sandbox.url,
      timeoutMs: 2000,
      userAgent: 'plivo-call-recording/9.9.9',
      onRequest: (e) => log.push(e),
      retryDelayMs: () => 10,
      // The simulated 429s carry no Retry-After; keep their pause short.
      limiter: new RequestLimiter({ defaultBackoffMs: 10 }),
    });
    callUuid = sandbox.addCall({ from: '14155550100', to: '14155550199', direction: 'inbound' }).callUuid;
  });

  const lastRequest = () => sandbox.requests[sandbox.requests.length - 1];

  test('startRecording without options posts an empty JSON body and returns the 202 body', async () => {
    const result = await client.startRecording(callUuid);
    assert.equal(result.kind, 'started');
    assert.ok(result.kind === 'started' && result.url.startsWith(sandbox.url));
    assert.equal(result.message, 'call recording started');
    assert.match(result.apiId, /^[0-9a-f-]{36}$/);
    const request = lastRequest();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, `/v1/Account/${SANDBOX_AUTH_ID}/Call/${callUuid}/Record/`);
    assert.equal(request.status, 202);
    assert.deepEqual(request.body, {});
    assert.equal(request.headers['content-type'], 'application/json');
    assert.match(request.headers['user-agent'] ?? '', /^plivo-call-recording\/9\.9\.9 \(Node: v\d+/);
    assert.equal(request.headers.authorization, undefined, 'the sandbox log must not keep credentials');
  });

  test('startRecording sends every optional parameter with its Plivo name', async () => {
    const receiver = await CallbackReceiver.start();
    try {
      const options: RecordOptions = {
        timeLimit: 30,
        fileFormat: 'wav',
        transcriptionType: 'auto',
        transcriptionUrl: `${receiver.url('/')}transcription`,
        transcriptionMethod: 'GET',
        callbackUrl: `${receiver.url('/')}recording`,
        callbackMethod: 'POST',
        recordChannelType: 'stereo',
      };
      await client.startRecording(callUuid, options);
      assert.deepEqual(lastRequest().body, {
        time_limit: 30,
        file_format: 'wav',
        transcription_type: 'auto',
        transcription_url: `${receiver.url('/')}transcription`,
        transcription_method: 'GET',
        callback_url: `${receiver.url('/')}recording`,
        callback_method: 'POST',
        record_channel_type: 'stereo',
      });
    } finally {
      await receiver.close();
    }
  });

  test('asynchronous mode returns only the api_id; the response and "record done" arrive at callback_url', async () => {
    const receiver = await CallbackReceiver.start();
    try {
      const result = await client.startRecording(callUuid, { callbackUrl: receiver.url('/cb'), timeLimit: 1 });
      assert.equal(result.kind, 'async');
      assert.equal(result.message, 'async api spawned');
      assert.equal(lastRequest().status, 200);
      const first = await receiver.next((c) => c.params.response !== undefined);
      assert.equal(first.params.api_id, result.apiId);
      const response = JSON.parse(first.params.response) as Record<string, string>;
      assert.equal(response.message, 'call recording started');
      assert.ok(response.url.startsWith(sandbox.url));

      const done = (await receiver.next((c) => c.params.message === 'record done', 10_000)).params;
      assert.equal(done.call_uuid, callUuid);
      assert.equal(done.api_id, result.apiId);
      assert.equal(done.record_url, response.url);
    } finally {
      await receiver.close();
    }
  });

  test('callback_method GET delivers the record-done callback as a query string', async () => {
    const receiver = await CallbackReceiver.start();
    try {
      const result = await client.startRecording(callUuid, {
        callbackUrl: receiver.url('/cb'),
        callbackMethod: 'GET',
        timeLimit: 1,
      });
      const done = await receiver.next((c) => c.query.message === 'record done', 10_000);
      assert.equal(done.method, 'GET');
      assert.equal(done.body, '');
      assert.equal(done.query.api_id, result.apiId);
      assert.equal(done.query.call_uuid, callUuid);
    } finally {
      await receiver.close();
    }
  });

  test('each invalid option is refused before any request, naming the parameter', async () => {
    const cases: [RecordOptions, string][] = [
      [{ timeLimit: 0 }, 'time_limit'],
      [{ timeLimit: 1.5 }, 'time_limit'],
      [{ timeLimit: -3 }, 'time_limit'],
      [{ fileFormat: 'ogg' as never }, 'file_format'],
      [{ transcriptionType: 'manual' as never }, 'transcription_type'],
      [{ transcriptionMethod: 'PUT' as never }, 'transcription_method'],
      [{ callbackMethod: 'get' as never }, 'callback_method'],
      [{ recordChannelType: 'quad' as never }, 'record_channel_type'],
      [{ transcriptionUrl: 'not a url' }, 'transcription_url'],
      [{ callbackUrl: 'ftp://example.com/x' }, 'callback_url'],
      [{ callbackUrl: '/relative' }, 'callback_url'],
    ];
    const before = sandbox.requests.length;
    for (const [options, param] of cases) {
      await rejectsWithCode(client.startRecording(callUuid, options), PlivoError, 'invalid-argument', (e) => {
        assert.equal(e.param, param);
        assert.match(e.message, new RegExp(param));
      });
    }
    assert.equal(sandbox.requests.length, before);
  });

  test('call UUIDs are checked for shape before they go into a path', async () => {
    for (const bad of ['../../Account/MAOTHER', 'abc', `${callUuid}/../x`, `${callUuid}?x=1`, '']) {
      await rejectsWithCode(client.startRecording(bad), PlivoError, 'invalid-argument', (e) =>
        assert.equal(e.param, 'call_uuid'),
      );
      await rejectsWithCode(client.stopRecording(bad), PlivoError, 'invalid-argument');
      await rejectsWithCode(client.getLiveCall(bad), PlivoError, 'invalid-argument');
    }
  });

  test('malformed credentials and base URLs are refused when the client is made', () => {
    assert.throws(
      () => new PlivoClient({ credentials: { authId: 'XX123', authToken: 't' } }),
      (e: PlivoError) => e.param === 'auth_id',
    );
    assert.throws(
      () => new PlivoClient({ credentials: { authId: SANDBOX_AUTH_ID, authToken: '' } }),
      (e: PlivoError) => e.param === 'auth_token',
    );
    assert.throws(
      () => new PlivoClient({ credentials, baseUrl: 'api.plivo.com' }),
      (e: PlivoError) => e.param === 'baseUrl',
    );
  });

  test('stopRecording without URL stops every recording of the call (204)', async () => {
    await client.startRecording(callUuid);
    await client.startRecording(callUuid);
    await client.stopRecording(callUuid);
    const request = lastRequest();
    assert.equal(request.method, 'DELETE');
    assert.equal(request.status, 204);
    assert.deepEqual(request.body, {});
    assert.deepEqual(
      sandbox.recordings(callUuid).map((r) => r.state),
      ['stopped', 'stopped'],
    );
  });

  test('stopRecording with URL stops only that recording', async () => {
    const first = await client.startRecording(callUuid);
    const second = await client.startRecording(callUuid);
    assert.ok(first.kind === 'started' && second.kind === 'started');
    await client.stopRecording(callUuid, { url: first.url });
    assert.deepEqual(lastRequest().body, { URL: first.url });
    const states = Object.fromEntries(sandbox.recordings(callUuid).map((r) => [r.url, r.state]));
    assert.equal(states[first.url], 'stopped');
    assert.equal(states[second.url], 'recording');
    await rejectsWithCode(client.stopRecording(callUuid, { url: 'not-a-url' }), PlivoError, 'invalid-argument', (e) =>
      assert.equal(e.param, 'URL'),
    );
  });

  test('a wrong token is "unauthorized" and the token appears nowhere', async () => {
    const secret = 'WrongSecretToken1234567890abcdefghijklmn';
    const wrong = new PlivoClient({
      credentials: { authId: SANDBOX_AUTH_ID, authToken: secret },
      baseUrl: sandbox.url,
      onRequest: (e) => log.push(e),
    });
    const error = await rejectsWithCode(wrong.startRecording(callUuid), PlivoError, 'unauthorized', (e) => {
      assert.equal(e.status, 401);
      assert.match(e.message, /Auth ID or Auth Token rejected by Plivo \(401\)/);
    });
    for (const text of [
      error.message,
      String(error),
      error.stack ?? '',
      JSON.stringify(error),
      inspect(error),
      String(wrong),
      JSON.stringify(wrong),
      inspect(wrong, { depth: 5 }),
      JSON.stringify(log),
    ]) {
      assert.ok(!text.includes(secret), `token leaked into: ${text.slice(0, 120)}`);
      assert.ok(
        !text.includes(Buffer.from(`${SANDBOX_AUTH_ID}:${secret}`).toString('base64')),
        'basic auth header leaked',
      );
    }
    await rejectsWithCode(wrong.verifyCredentials(), PlivoError, 'unauthorized');
  });

  test('an unknown call is "not found" with a message naming the call', async () => {
    const gone = '00000000-0000-4000-8000-000000000000';
    await rejectsWithCode(client.startRecording(gone), PlivoError, 'not-found', (e) => {
      assert.equal(e.status, 404);
      assert.match(e.message, new RegExp(`Call ${gone} is not live \\(404\\)`));
      assert.ok(e.apiId);
    });
    assert.ok(sandbox.hangup(callUuid));
    await rejectsWithCode(client.stopRecording(callUuid), PlivoError, 'not-found');
  });

  test("HTTP errors map to typed codes with Plivo's message", async () => {
    const cases: [number, string][] = [
      [400, 'bad-request'],
      [403, 'forbidden'],
      [405, 'method-not-allowed'],
      [429, 'rate-limited'],
      [500, 'server-error'],
      [503, 'server-error'],
      [418, 'unexpected-status'],
    ];
    for (const [status, code] of cases) {
      sandbox.failNext({ status, body: { api_id: 'e-1', error: `simulated ${status}` } });
      await rejectsWithCode(client.startRecording(callUuid), PlivoError, code, (e) => {
        assert.equal(e.status, status);
        assert.equal(e.apiId, 'e-1');
        if (status !== 429) assert.match(e.message, new RegExp(`simulated ${status}`));
      });
    }
  });

  test('a body that is not JSON is a "bad-response", not a crash', async () => {
    sandbox.failNext({ status: 202, body: '<html>proxy login</html>' });
    await rejectsWithCode(client.startRecording(callUuid), PlivoError, 'bad-response', (e) =>
      assert.match(e.message, /not JSON/),
    );
    sandbox.failNext({ status: 502, body: '<html>Bad gateway</html>' });
    await rejectsWithCode(client.startRecording(callUuid), PlivoError, 'server-error', (e) =>
      assert.match(e.message, /Bad gateway/),
    );
  });

  test('a slow answer is a "timeout" naming the wait', async () => {
    const quick = new PlivoClient({ credentials, baseUrl: sandbox.url, timeoutMs: 200 });
    sandbox.failNext({ delayMs: 1500 });
    await rejectsWithCode(quick.startRecording(callUuid), PlivoError, 'timeout', (e) =>
      assert.match(e.message, /within 0\.2 s/),
    );
  });

  test('an unreachable API is a "network" error', async () => {
    const closed = await CallbackReceiver.start();
    const url = closed.url('');
    await closed.close();
    const offline = new PlivoClient({ credentials, baseUrl: url, timeoutMs: 2000, retryDelayMs: () => 1 });
    await rejectsWithCode(offline.listLiveCalls(), PlivoError, 'network', (e) =>
      assert.match(e.message, /connection refused/),
    );
  });

  test('GET requests are retried after 5xx and 429, POSTs are not', async () => {
    sandbox.failNext({ status: 503, body: { api_id: 'x', error: 'busy' }, times: 2 });
    const calls = await client.listLiveCallUuids();
    assert.ok(calls.includes(callUuid));
    assert.deepEqual(
      log.map((e) => e.status),
      [503, 503, 200],
    );
    sandbox.failNext({ status: 503, body: { api_id: 'x', error: 'busy' } });
    await rejectsWithCode(client.startRecording(callUuid), PlivoError, 'server-error');
  });

  test('listLiveCalls returns each live call with its details, across pages', async () => {
    for (let i = 0; i < 24; i++) sandbox.addCall({ direction: 'outbound' });
    const calls = await client.listLiveCalls();
    const live = sandbox.liveCalls();
    assert.equal(calls.length, live.length);
    assert.ok(live.length > 20, 'needs a second page');
    const mine = calls.find((c) => c.callUuid === callUuid);
    assert.deepEqual(mine && { from: mine.from, to: mine.to, direction: mine.direction, status: mine.callStatus }, {
      from: '14155550100',
      to: '14155550199',
      direction: 'inbound',
      status: 'in-progress',
    });
    assert.match(mine?.sessionStart ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+$/);
    const listRequests = sandbox.requests.filter((r) => r.path.endsWith('/Call/') && r.method === 'GET');
    assert.ok(listRequests.every((r) => r.query.status === 'live'));
    for (const c of live) if (c.callUuid !== callUuid) sandbox.hangup(c.callUuid);
  });

  test('getLiveCall returns one call; an ended one is "not found"', async () => {
    const call = await client.getLiveCall(callUuid);
    assert.equal(call.callUuid, callUuid);
    assert.equal(lastRequest().query.status, 'live');
    sandbox.hangup(callUuid);
    await rejectsWithCode(client.getLiveCall(callUuid), PlivoError, 'not-found');
  });

  test('each exchange is logged with method, path, status, duration and api_id', async () => {
    const result = await client.startRecording(callUuid);
    const entry = log[log.length - 1];
    assert.equal(entry.method, 'POST');
    assert.equal(entry.path, `/v1/Account/${SANDBOX_AUTH_ID}/Call/${callUuid}/Record/`);
    assert.equal(entry.status, 202);
    assert.equal(entry.apiId, result.apiId);
    assert.ok(entry.durationMs >= 0);
  });
});
