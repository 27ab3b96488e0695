import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { computeSignatureV2, computeSignatureV3 } from '../../src/plivo/signature';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox, type SandboxOptions } from '../../src/sandbox';
import { CallbackReceiver, type ReceivedCallback } from './helpers/sandboxReceiver';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OTHER = { authId: 'MAOTHERACCOUNT000002', authToken: 'OtherAccountToken000000000000000000000000' };

function basic(authId: string, authToken: string): string {
  return `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`;
}
const DEMO_AUTH = basic(SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN);

interface ApiRequest {
  method?: string;
  json?: unknown;
  form?: Record<string, string>;
  raw?: string;
  auth?: string | null;
  signal?: AbortSignal;
}

interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
  json: any;
}

/** `resource` is relative to the demo account (`Call/...`) unless it starts with '/'. */
async function api(sandbox: Sandbox, resource: string, req: ApiRequest = {}): Promise<ApiResponse> {
  const url = resource.startsWith('/')
    ? sandbox.url + resource
    : `${sandbox.url}/v1/Account/${SANDBOX_AUTH_ID}/${resource}`;
  const headers: Record<string, string> = {};
  if (req.auth !== null) headers.Authorization = req.auth ?? DEMO_AUTH;
  let body: string | undefined;
  if (req.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(req.form).toString();
  } else if (req.raw !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = req.raw;
  }
  const res = await fetch(url, { method: req.method ?? 'GET', headers, body, signal: req.signal });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function record(sandbox: Sandbox, callUuid: string, params: Record<string, unknown> = {}): Promise<ApiResponse> {
  return api(sandbox, `Call/${callUuid}/Record/`, { method: 'POST', json: params });
}

function assertPlivoError(res: ApiResponse, status: number, pattern: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(Object.keys(res.json).sort(), ['api_id', 'error']);
  assert.match(res.json.api_id, UUID);
  assert.match(res.json.error, pattern);
}

/** Resolves once `condition` holds, checked now and after each `event`. */
function until(emitter: EventEmitter, event: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!condition()) return;
      clearTimeout(timer);
      emitter.off(event, check);
      resolve();
    };
    const timer = setTimeout(() => {
      emitter.off(event, check);
      reject(new Error(`condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(event, check);
    check();
  });
}

function assertSignedBy(cb: ReceivedCallback, method: 'GET' | 'POST', configuredUrl: string, token: string): void {
  const nonce = cb.headers['x-plivo-signature-v3-nonce'];
  assert.equal(typeof nonce, 'string');
  const v3 = computeSignatureV3(method, configuredUrl, cb.params, nonce as string, token);
  assert.equal(cb.headers['x-plivo-signature-v3'], v3);
  assert.equal(cb.headers['x-plivo-signature-ma-v3'], v3);
  const v2Nonce = cb.headers['x-plivo-signature-v2-nonce'] as string;
  assert.equal(cb.headers['x-plivo-signature-v2'], computeSignatureV2(configuredUrl, v2Nonce, token));
}

describe('sandbox', () => {
  let sandbox: Sandbox;
  let receiver: CallbackReceiver;
  const extra: Array<{ close(): Promise<void> }> = [];

  async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
    sandbox = await Sandbox.start({ timeScale: 0.01, ...options });
    extra.push(sandbox);
    return sandbox;
  }

  beforeEach(async () => {
    receiver = await CallbackReceiver.start();
    extra.push(receiver);
    await startSandbox({ accounts: [{ authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN }, OTHER] });
  });

  afterEach(async () => {
    await Promise.all(extra.splice(0).map((s) => s.close()));
  });

  describe('authentication', () => {
    test('rejects a request without credentials', async () => {
      assertPlivoError(
        await api(sandbox, 'Call/?status=live', { auth: null }),
        401,
        /^Authentication credentials invalid$/,
      );
    });

    test('rejects a wrong token and an unknown Auth ID', async () => {
      assertPlivoError(
        await api(sandbox, 'Call/?status=live', { auth: basic(SANDBOX_AUTH_ID, 'nope') }),
        401,
        /credentials invalid/,
      );
      assertPlivoError(
        await api(sandbox, 'Call/?status=live', { auth: basic('MAUNKNOWN00000000000', SANDBOX_AUTH_TOKEN) }),
        401,
        /credentials invalid/,
      );
      assertPlivoError(await api(sandbox, 'Call/?status=live', { auth: 'Bearer abc' }), 401, /credentials invalid/);
    });

    test("rejects valid credentials used on another account's path", async () => {
      const res = await api(sandbox, `/v1/Account/${OTHER.authId}/Call/?status=live`);
      assertPlivoError(res, 401, /credentials invalid/);
    });

    test('gives each error a fresh api_id', async () => {
      const [a, b] = await Promise.all([api(sandbox, 'Call/', { auth: null }), api(sandbox, 'Call/', { auth: null })]);
      assert.notEqual(a.json.api_id, b.json.api_id);
    });

    test("keeps each account's calls to itself", async () => {
      const mine = sandbox.addCall();
      const theirs = sandbox.addCall({ authId: OTHER.authId });
      const res = await api(sandbox, 'Call/?status=live');
      assert.deepEqual(res.json.calls, [mine.callUuid]);
      assertPlivoError(await record(sandbox, theirs.callUuid), 404, /call not found/);
      const other = await api(sandbox, `/v1/Account/${OTHER.authId}/Call/?status=live`, {
        auth: basic(OTHER.authId, OTHER.authToken),
      });
      assert.deepEqual(other.json.calls, [theirs.callUuid]);
    });
  });

  describe('start recording', () => {
    test('answers 202 with the recording URL, id and api_id', async () => {
      const call = sandbox.addCall();
      const res = await record(sandbox, call.callUuid);
      assert.equal(res.status, 202);
      assert.deepEqual(Object.keys(res.json).sort(), ['api_id', 'message', 'recording_id', 'url']);
      assert.equal(res.json.message, 'call recording started');
      assert.match(res.json.api_id, UUID);
      assert.match(res.json.recording_id, UUID);
      assert.equal(res.json.url, `${sandbox.url}/recordings/${res.json.recording_id}.mp3`);
      const [rec] = sandbox.recordings(call.callUuid);
      assert.equal(rec.recordingId, res.json.recording_id);
      assert.equal(rec.apiId, res.json.api_id);
      assert.equal(rec.format, 'mp3');
      assert.equal(rec.timeLimit, 60);
      assert.equal(rec.state, 'recording');
    });

    test('accepts form bodies, query params, numbers or strings, and no trailing slash', async () => {
      const call = sandbox.addCall();
      const form = await api(sandbox, `Call/${call.callUuid}/Record`, {
        method: 'POST',
        form: { time_limit: '30', file_format: 'wav' },
      });
      assert.equal(form.status, 202, form.text);
      assert.match(form.json.url, /\.wav$/);
      const query = await api(sandbox, `Call/${call.callUuid}/Record/?time_limit=45`, { method: 'POST' });
      assert.equal(query.status, 202, query.text);
      const number = await record(sandbox, call.callUuid, {
        time_limit: 15,
        record_channel_type: 'stereo',
        unknown_param: 'ignored',
      });
      assert.equal(number.status, 202, number.text);
      assert.deepEqual(
        sandbox.recordings(call.callUuid).map((r) => [r.format, r.timeLimit]),
        [
          ['wav', 30],
          ['mp3', 45],
          ['mp3', 15],
        ],
      );
      assert.equal(sandbox.recordings(call.callUuid)[2].params.unknown_param, 'ignored');
    });

    const badValues: Array<[string, unknown]> = [
      ['time_limit', 0],
      ['time_limit', -5],
      ['time_limit', 1.5],
      ['time_limit', 'abc'],
      ['file_format', 'ogg'],
      ['transcription_type', 'manual'],
      ['transcription_url', 'not a url'],
      ['transcription_url', 'ftp://example.com/t'],
      ['transcription_method', 'PUT'],
      ['callback_url', '/relative/path'],
      ['callback_method', 'DELETE'],
      ['record_channel_type', 'surround'],
    ];
    for (const [param, value] of badValues) {
      test(`rejects ${param}=${JSON.stringify(value)} with a 400 naming it`, async () => {
        const call = sandbox.addCall();
        assertPlivoError(await record(sandbox, call.callUuid, { [param]: value }), 400, new RegExp(param));
        assert.equal(sandbox.recordings().length, 0);
      });
    }

    test('accepts the legacy transcription_type hybrid', async () => {
      const call = sandbox.addCall();
      const res = await record(sandbox, call.callUuid, {
        transcription_type: 'hybrid',
        transcription_url: receiver.url('/t'),
      });
      assert.equal(res.status, 202, res.text);
    });

    test('rejects malformed JSON, non-object JSON and oversized bodies', async () => {
      const call = sandbox.addCall();
      const target = `Call/${call.callUuid}/Record/`;
      assertPlivoError(await api(sandbox, target, { method: 'POST', raw: '{"time_limit":' }), 400, /malformed JSON/);
      assertPlivoError(await api(sandbox, target, { method: 'POST', raw: '[1]' }), 400, /JSON object/);
      const huge = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
      assertPlivoError(await api(sandbox, target, { method: 'POST', raw: huge }), 413, /larger than/);
      assert.equal(sandbox.recordings().length, 0);
    });

    test('answers 404 for an unknown or ended call', async () => {
      assertPlivoError(await record(sandbox, 'no-such-call'), 404, /call not found/);
      const call = sandbox.addCall();
      assert.equal(sandbox.hangup(call.callUuid), true);
      assertPlivoError(await record(sandbox, call.callUuid), 404, /call not found/);
    });
  });

  describe('callbacks', () => {
    test('async mode answers 200 with only an api_id, then posts the response to callback_url', async () => {
      const call = sandbox.addCall();
      const callbackUrl = receiver.url('/async?source=test');
      const res = await record(sandbox, call.callUuid, { callback_url: callbackUrl });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.json).sort(), ['api_id', 'message']);
      assert.equal(res.json.message, 'async api spawned');

      const cb = await receiver.next((c) => c.path === '/async');
      assert.equal(cb.method, 'POST');
      assert.equal(cb.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.deepEqual(Object.keys(cb.params).sort(), ['api_id', 'response']);
      assert.equal(cb.params.api_id, res.json.api_id);
      const [rec] = sandbox.recordings(call.callUuid);
      assert.deepEqual(JSON.parse(cb.params.response), {
        url: rec.url,
        message: 'call recording started',
        recording_id: rec.recordingId,
        api_id: res.json.api_id,
      });
      assertSignedBy(cb, 'POST', callbackUrl, SANDBOX_AUTH_TOKEN);

      const log = await sandbox.waitFor('callback', (c) => c.kind === 'async');
      assert.equal(log.status, 200);
      assert.equal(log.url, callbackUrl);
      assert.equal(log.error, undefined);
    });

    test('sends "record done" with simulated durations when time_limit elapses', async () => {
      const call = sandbox.addCall();
      const res = await record(sandbox, call.callUuid, { time_limit: 5, callback_url: receiver.url('/done') });
      const done = await sandbox.waitFor('callback', (c) => c.kind === 'record');
      const [rec] = sandbox.recordings(call.callUuid);
      assert.equal(rec.state, 'done');
      assert.ok(rec.endedAt);
      assert.equal(done.params.api_id, res.json.api_id);
      assert.equal(done.params.call_uuid, call.callUuid);
      assert.equal(done.params.record_url, rec.url);
      assert.equal(done.params.recording_id, rec.recordingId);
      assert.equal(done.params.message, 'record done');
      assert.equal(done.params.recording_duration, '5');
      assert.equal(done.params.recording_duration_ms, '5000');
      assert.equal(Number(done.params.recording_end_ms) - Number(done.params.recording_start_ms), 5000);
      assert.equal(done.params.recording_start_ms, String(rec.startedAt.getTime()));
      // Callbacks of one recording arrive in order: the async response first.
      assert.deepEqual(
        receiver.received.map((c) => c.path),
        ['/done', '/done'],
      );
      assert.ok('response' in receiver.received[0].params);
      assert.equal(receiver.received[1].params.message, 'record done');
    });

    test('sends GET callbacks as a signed query string', async () => {
      const call = sandbox.addCall({ authId: OTHER.authId });
      const callbackUrl = receiver.url('/get-cb?static=1');
      const res = await api(sandbox, `/v1/Account/${OTHER.authId}/Call/${call.callUuid}/Record/`, {
        method: 'POST',
        auth: basic(OTHER.authId, OTHER.authToken),
        json: { time_limit: 1, callback_url: callbackUrl, callback_method: 'GET' },
      });
      assert.equal(res.status, 200, res.text);
      const cb = await receiver.next((c) => c.params.message === 'record done');
      assert.equal(cb.method, 'GET');
      assert.equal(cb.body, '');
      assert.equal(cb.query.static, '1');
      assert.equal(cb.query.recording_duration, '1');
      // The configured URL's own query is part of the signed URL, not of the callback params.
      const params = { ...cb.query };
      delete params.static;
      assertSignedBy({ ...cb, params }, 'GET', callbackUrl, OTHER.authToken); // the owning account's token
      const log = await sandbox.waitFor('callback', (c) => c.kind === 'record');
      assert.equal(log.method, 'GET');
      assert.equal(log.url, callbackUrl);
    });

    test('sends the transcription a while after the recording ends, as Plivo transcribes after the call', async () => {
      await startSandbox({ transcriptionDelayMs: 30_000 }); // 300 ms at this time scale
      const call = sandbox.addCall();
      const transcriptionUrl = receiver.url('/transcription');
      await record(sandbox, call.callUuid, {
        time_limit: '2',
        transcription_type: 'auto',
        transcription_url: transcriptionUrl,
        transcription_method: 'GET',
      });
      const cb = await receiver.next((c) => c.path === '/transcription');
      const receivedAt = Date.now();
      assert.equal(cb.method, 'GET');
      const [rec] = sandbox.recordings();
      assert.ok(rec.endedAt && receivedAt - rec.endedAt.getTime() >= 295, 'the transcript came after the delay');
      assert.deepEqual(Object.keys(cb.params).sort(), [
        'call_uuid',
        'duration',
        'error',
        'recording_id',
        'transcription',
        'transcription_charge',
        'transcription_rate',
      ]);
      assert.equal(cb.params.call_uuid, call.callUuid);
      assert.equal(cb.params.recording_id, rec.recordingId);
      assert.equal(cb.params.duration, '2');
      assert.equal(cb.params.error, '');
      assert.ok(cb.params.transcription.length > 0);
      assert.ok(Number(cb.params.transcription_charge) > 0);
      assertSignedBy(cb, 'GET', transcriptionUrl, SANDBOX_AUTH_TOKEN);
      const log = await sandbox.waitFor('callback', (c) => c.kind === 'transcription');
      assert.equal(log.status, 200);
    });

    test('hanging up ends active recordings as done, with their callbacks', async () => {
      const call = sandbox.addCall();
      await record(sandbox, call.callUuid, { time_limit: 3600, callback_url: receiver.url('/hangup') });
      assert.equal(sandbox.hangup(call.callUuid), true);
      assert.equal(sandbox.hangup(call.callUuid), false);
      assert.equal(sandbox.recordings(call.callUuid)[0].state, 'done');
      const done = await sandbox.waitFor('callback', (c) => c.kind === 'record');
      assert.ok(Number(done.params.recording_duration_ms) < 3600_000);
    });

    test('records delivery failures without disturbing the server', async () => {
      const failing = await CallbackReceiver.start({ status: 500 });
      const hanging = await CallbackReceiver.start({ hang: true });
      extra.push(failing, hanging);
      const closed = await CallbackReceiver.start();
      const refusedUrl = closed.url('/refused');
      await closed.close();
      await startSandbox({ callbackTimeoutMs: 100 });
      const call = sandbox.addCall();
      for (const url of [failing.url('/500'), hanging.url('/hang'), refusedUrl]) {
        assert.equal((await record(sandbox, call.callUuid, { callback_url: url })).status, 200);
      }
      const byUrl = (url: string) => sandbox.waitFor('callback', (c) => c.url === url);
      const [status500, timedOut, refused] = await Promise.all([
        byUrl(failing.url('/500')),
        byUrl(hanging.url('/hang')),
        byUrl(refusedUrl),
      ]);
      assert.equal(status500.status, 500);
      assert.match(status500.error ?? '', /500/);
      assert.equal(timedOut.status, undefined);
      assert.match(timedOut.error ?? '', /100 ms/);
      assert.match(refused.error ?? '', /ECONNREFUSED/);
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
    });
  });

  describe('stop recording', () => {
    test('with URL stops only that recording and answers 204 with no body', async () => {
      const call = sandbox.addCall();
      const first = await record(sandbox, call.callUuid, { time_limit: 3600, callback_url: receiver.url('/one') });
      const second = await record(sandbox, call.callUuid, { time_limit: 3600 });
      const firstUrl = sandbox.recordings(call.callUuid)[0].url;
      assert.equal(first.status, 200);
      const res = await api(sandbox, `Call/${call.callUuid}/Record/`, { method: 'DELETE', json: { URL: firstUrl } });
      assert.equal(res.status, 204);
      assert.equal(res.text, '');
      assert.equal(res.headers.get('content-type'), null);
      assert.deepEqual(
        sandbox.recordings(call.callUuid).map((r) => r.state),
        ['stopped', 'recording'],
      );
      const done = await sandbox.waitFor('callback', (c) => c.kind === 'record');
      assert.equal(done.params.record_url, firstUrl);
      assert.notEqual(done.params.record_url, second.json.url);
    });

    test('without URL stops all recordings of the call', async () => {
      const call = sandbox.addCall();
      const other = sandbox.addCall();
      await record(sandbox, call.callUuid, { time_limit: 3600 });
      await record(sandbox, call.callUuid, { time_limit: 3600 });
      await record(sandbox, other.callUuid, { time_limit: 3600 });
      const res = await api(sandbox, `Call/${call.callUuid}/Record`, { method: 'DELETE' });
      assert.equal(res.status, 204);
      assert.deepEqual(
        sandbox.recordings(call.callUuid).map((r) => r.state),
        ['stopped', 'stopped'],
      );
      assert.equal(sandbox.recordings(other.callUuid)[0].state, 'recording');
    });

    test('accepts URL in the query string', async () => {
      const call = sandbox.addCall();
      const started = await record(sandbox, call.callUuid, { time_limit: 3600 });
      const res = await api(sandbox, `Call/${call.callUuid}/Record/?URL=${encodeURIComponent(started.json.url)}`, {
        method: 'DELETE',
      });
      assert.equal(res.status, 204);
      assert.equal(sandbox.recordings()[0].state, 'stopped');
    });

    test('answers 404 for a URL that is not recording and for a call that is not live', async () => {
      const call = sandbox.addCall();
      const started = await record(sandbox, call.callUuid, { time_limit: 3600 });
      await api(sandbox, `Call/${call.callUuid}/Record/`, { method: 'DELETE' });
      const again = await api(sandbox, `Call/${call.callUuid}/Record/`, {
        method: 'DELETE',
        json: { URL: started.json.url },
      });
      assertPlivoError(again, 404, /no active recording/);
      assertPlivoError(await api(sandbox, 'Call/gone/Record/', { method: 'DELETE' }), 404, /call not found/);
    });
  });

  describe('live calls', () => {
    test('lists live call UUIDs with limit and offset', async () => {
      const uuids = Array.from({ length: 25 }, () => sandbox.addCall().callUuid);
      const all = await api(sandbox, 'Call/?status=live');
      assert.equal(all.status, 200);
      assert.deepEqual(Object.keys(all.json).sort(), ['api_id', 'calls']);
      assert.deepEqual(all.json.calls, uuids.slice(0, 20));
      const page = await api(sandbox, 'Call?status=live&limit=10&offset=20');
      assert.deepEqual(page.json.calls, uuids.slice(20));
    });

    test('filters live calls by direction and numbers on the server, before paging', async () => {
      // A fixed caller: a random one is the number filtered for below once in a few dozen runs.
      const inbound = Array.from({ length: 22 }, () =>
        sandbox.addCall({ direction: 'inbound', from: '12125550100', to: '14155550199' }),
      );
      const outbound = sandbox.addCall({ direction: 'outbound', from: '14155550123', to: '14155550199' });
      const first = await api(sandbox, 'Call/?status=live&call_direction=inbound');
      assert.deepEqual(
        first.json.calls,
        inbound.slice(0, 20).map((c) => c.callUuid),
      );
      const second = await api(sandbox, 'Call/?status=live&call_direction=inbound&offset=20');
      assert.deepEqual(
        second.json.calls,
        inbound.slice(20).map((c) => c.callUuid),
      );
      const from = await api(sandbox, 'Call/?status=live&from_number=%2B14155550123');
      assert.deepEqual(from.json.calls, [outbound.callUuid]);
      const both = await api(sandbox, 'Call/?status=live&to_number=14155550199&call_direction=outbound');
      assert.deepEqual(both.json.calls, [outbound.callUuid]);
    });

    for (const query of ['call_direction=sideways', 'from_number=abc', 'to_number=1%202']) {
      test(`rejects the filter ${query}`, async () => {
        const name = query.split('=')[0];
        assertPlivoError(await api(sandbox, `Call/?status=live&${query}`), 400, new RegExp(name));
      });
    }

    for (const query of ['limit=0', 'limit=21', 'limit=x', 'offset=-1', 'offset=1.5']) {
      test(`rejects ${query}`, async () => {
        const name = query.split('=')[0];
        assertPlivoError(await api(sandbox, `Call/?status=live&${query}`), 400, new RegExp(name));
      });
    }

    test('requires status=live', async () => {
      assertPlivoError(await api(sandbox, 'Call/'), 400, /status=live/);
      const call = sandbox.addCall();
      assertPlivoError(await api(sandbox, `Call/${call.callUuid}/`), 400, /status=live/);
    });

    test('describes a live call', async () => {
      const call = sandbox.addCall({
        from: '14155550100',
        to: '14155550199',
        direction: 'inbound',
        callerName: 'Test Caller',
      });
      const res = await api(sandbox, `Call/${call.callUuid}/?status=live`);
      assert.equal(res.status, 200);
      assert.match(res.json.api_id, UUID);
      assert.match(res.json.session_start, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      assert.equal(res.json.session_start.slice(0, 19), call.sessionStart.toISOString().slice(0, 19).replace('T', ' '));
      const rest = { ...res.json };
      delete rest.api_id;
      delete rest.session_start;
      assert.deepEqual(rest, {
        call_uuid: call.callUuid,
        call_status: 'in-progress',
        direction: 'inbound',
        from: '14155550100',
        to: '14155550199',
        caller_name: 'Test Caller',
        request_uuid: call.requestUuid,
        stir_verification: 'Not Applicable',
        stir_attestation: '',
      });
      assertPlivoError(await api(sandbox, 'Call/unknown-uuid?status=live'), 404, /call not found/);
    });

    test('generates plausible calls and reports changes', async () => {
      let changes = 0;
      sandbox.on('calls-changed', () => changes++);
      const call = sandbox.addCall();
      assert.match(call.callUuid, UUID);
      assert.match(call.requestUuid, UUID);
      assert.match(call.from, /^1\d{10}$/);
      assert.match(call.to, /^1\d{10}$/);
      assert.ok(['inbound', 'outbound'].includes(call.direction));
      assert.equal(call.authId, SANDBOX_AUTH_ID);
      assert.deepEqual(sandbox.liveCalls(OTHER.authId), []);
      assert.throws(() => sandbox.addCall({ callUuid: call.callUuid }), /already live/);
      assert.throws(() => sandbox.addCall({ authId: 'MANOBODY000000000000' }), /no sandbox account/);
      sandbox.hangup(call.callUuid);
      assert.equal(changes, 2);
      assert.deepEqual(sandbox.liveCalls(), []);
    });

    test('starts with the requested calls', async () => {
      await startSandbox({ liveCalls: 3 });
      assert.equal(sandbox.liveCalls().length, 3);
      await startSandbox({ liveCalls: [{ callUuid: 'fixed-uuid', direction: 'outbound' }] });
      assert.deepEqual(
        sandbox.liveCalls().map((c) => [c.callUuid, c.direction]),
        [['fixed-uuid', 'outbound']],
      );
    });

    test('churn ends calls and brings new ones', async () => {
      await startSandbox({ liveCalls: 2, churn: { minSeconds: 1, maxSeconds: 2 } });
      const initial = new Set(sandbox.liveCalls().map((c) => c.callUuid));
      const seen = new Set(initial);
      let most = 0;
      await until(sandbox, 'calls-changed', () => {
        const live = sandbox.liveCalls();
        for (const c of live) seen.add(c.callUuid);
        most = Math.max(most, live.length);
        return seen.size >= 5 && live.every((c) => !initial.has(c.callUuid));
      });
      assert.ok(most <= 2, `at most the initial number of calls is live (saw ${most})`);
    });
  });

  describe('other paths', () => {
    test('answers 404 for unknown API paths and 405 for a wrong method', async () => {
      assertPlivoError(await api(sandbox, 'Message/'), 404, /^not found$/);
      assertPlivoError(await api(sandbox, 'Call/x/Record/extra'), 404, /not found/);
      assertPlivoError(await api(sandbox, '/v1/Other'), 404, /not found/);
      const wrong = await api(sandbox, 'Call/', { method: 'POST', json: {} });
      assertPlivoError(wrong, 405, /POST/);
      assert.equal(wrong.headers.get('allow'), 'GET');
      assertPlivoError(await api(sandbox, '/elsewhere'), 404, /not found/);
    });

    test('serves each recording in its own format without authentication', async () => {
      const call = sandbox.addCall();
      const started = await record(sandbox, call.callUuid);
      const res = await fetch(started.json.url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'audio/mpeg');
      assert.deepEqual([...Buffer.from(await res.arrayBuffer()).subarray(0, 2)], [0xff, 0xfb]);
      assert.equal((await fetch(started.json.url.replace(/\.mp3$/, '.wav'))).status, 404);
      assert.equal((await fetch(`${sandbox.url}/recordings/00000000-0000-0000-0000-000000000000.mp3`)).status, 404);
    });

    test('logs requests without the Authorization header', async () => {
      const call = sandbox.addCall();
      await record(sandbox, call.callUuid, { time_limit: 7 });
      const log = await sandbox.waitFor('request', (r) => r.method === 'POST');
      assert.equal(log.path, `/v1/Account/${SANDBOX_AUTH_ID}/Call/${call.callUuid}/Record/`);
      assert.deepEqual(log.body, { time_limit: 7 });
      assert.equal(log.status, 202);
      assert.equal(log.headers.authorization, undefined);
      assert.equal(log.headers['content-type'], 'application/json');
      await api(sandbox, 'Call/?status=live&limit=5');
      const list = await sandbox.waitFor('request', (r) => r.method === 'GET');
      assert.deepEqual(list.query, { status: 'live', limit: '5' });
    });

    test('waitFor rejects after its timeout', async () => {
      await assert.rejects(
        sandbox.waitFor('callback', () => false, 20),
        /within 20 ms/,
      );
    });

    test('rejects invalid options', async () => {
      await assert.rejects(Sandbox.start({ timeScale: 0 }), RangeError);
      await assert.rejects(Sandbox.start({ accounts: [] }), RangeError);
      await assert.rejects(Sandbox.start({ churn: { minSeconds: 5, maxSeconds: 1 } }), RangeError);
      await assert.rejects(Sandbox.start({ liveCalls: -1 }), RangeError);
      await assert.rejects(Sandbox.start({ transcriptionDelayMs: -1 }), RangeError);
    });

    test('reports a port in use', async () => {
      const port = Number(new URL(sandbox.url).port);
      await assert.rejects(Sandbox.start({ port }), { code: 'EADDRINUSE' });
    });
  });

  describe('failNext', () => {
    test('answers the next request with a status and JSON body, once', async () => {
      sandbox.failNext({ status: 503, body: { api_id: 'x', error: 'maintenance' } });
      const failed = await api(sandbox, 'Call/?status=live');
      assert.equal(failed.status, 503);
      assert.deepEqual(failed.json, { api_id: 'x', error: 'maintenance' });
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
    });

    test('sends a string body raw, and repeats `times` times', async () => {
      const html = '<html><body>502 Bad Gateway</body></html>';
      sandbox.failNext({ status: 502, body: html, times: 2 });
      for (let i = 0; i < 2; i++) {
        const res = await api(sandbox, 'Call/?status=live');
        assert.equal(res.status, 502);
        assert.equal(res.text, html);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      }
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
    });

    test('a status alone gets a Plivo error body', async () => {
      sandbox.failNext({ status: 429 });
      assertPlivoError(await api(sandbox, 'Call/?status=live'), 429, /too many requests/);
    });

    test('a delay alone slows the request down enough for a client timeout', async () => {
      sandbox.failNext({ delayMs: 300 });
      await assert.rejects(api(sandbox, 'Call/?status=live', { signal: AbortSignal.timeout(50) }), {
        name: 'TimeoutError',
      });
      sandbox.failNext({ delayMs: 60 });
      const started = Date.now();
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
      assert.ok(Date.now() - started >= 55);
    });

    test('validates its argument', () => {
      assert.throws(() => sandbox.failNext({}), RangeError);
      assert.throws(() => sandbox.failNext({ status: 42 }), RangeError);
      assert.throws(() => sandbox.failNext({ status: 500, times: 0 }), RangeError);
    });
  });

  describe('rate limit', () => {
    test("answers 429 beyond Plivo's 300 requests per 5 s per account, by default", async () => {
      const answers = await Promise.all(Array.from({ length: 301 }, () => api(sandbox, 'Call/?status=live')));
      assert.equal(answers.filter((res) => res.status === 200).length, 300);
      const refused = answers.filter((res) => res.status === 429);
      assert.equal(refused.length, 1);
      assertPlivoError(refused[0], 429, /too many requests/i);
      assert.equal(refused[0].headers.get('retry-after'), null);
      // Each account has its own budget.
      const other = await api(sandbox, `/v1/Account/${OTHER.authId}/Call/?status=live`, {
        auth: basic(OTHER.authId, OTHER.authToken),
      });
      assert.equal(other.status, 200);
    });

    test('frees a slot once a window has passed since the request that took it; refused requests take none', async () => {
      await startSandbox({ rateLimit: { requests: 2, windowMs: 300 } });
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 429);
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 429);
      await new Promise((resolve) => setTimeout(resolve, 320));
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 429);
    });

    test('counts authenticated API requests only, not recording downloads or refused credentials', async () => {
      await startSandbox({ rateLimit: { requests: 1, windowMs: 60_000 } });
      const recording = sandbox.addRecording({ durationMs: 1000 });
      for (let i = 0; i < 3; i++) {
        assert.equal((await fetch(recording.url)).status, 200);
        assert.equal((await api(sandbox, 'Call/?status=live', { auth: basic(SANDBOX_AUTH_ID, 'wrong') })).status, 401);
      }
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 200);
      assert.equal((await api(sandbox, 'Call/?status=live')).status, 429);
    });

    test('can be turned off, and rejects a malformed limit', async () => {
      await startSandbox({ rateLimit: false });
      const answers = await Promise.all(Array.from({ length: 320 }, () => api(sandbox, 'Call/?status=live')));
      assert.ok(answers.every((res) => res.status === 200));
      await assert.rejects(Sandbox.start({ rateLimit: { requests: 0, windowMs: 5000 } }), /rateLimit.requests/);
      await assert.rejects(Sandbox.start({ rateLimit: { requests: 10, windowMs: -1 } }), /rateLimit.windowMs/);
    });
  });

  describe('close', () => {
    test('refuses connections afterwards and is idempotent', async () => {
      const pending = sandbox.waitFor('callback', () => false);
      await Promise.all([sandbox.close(), sandbox.close()]);
      await assert.rejects(pending, /closed/);
      await assert.rejects(fetch(`${sandbox.url}/v1/`), TypeError);
      assert.throws(() => sandbox.addCall(), /closed/);
    });

    test('leaves nothing that keeps the process alive', async () => {
      const hanging = await CallbackReceiver.start({ hang: true });
      extra.push(hanging);
      // A child process runs a busy sandbox (churn, a long recording, a callback in flight,
      // a keep-alive connection) and closes it; it must then exit on its own, promptly.
      const sandboxModule = path.resolve(__dirname, '../../src/sandbox/index.js');
      const script = `
        const { Sandbox, SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN } = require(${JSON.stringify(sandboxModule)});
        (async () => {
          const sandbox = await Sandbox.start({ liveCalls: 3, churn: true });
          const [call] = sandbox.liveCalls();
          const auth = 'Basic ' + Buffer.from(SANDBOX_AUTH_ID + ':' + SANDBOX_AUTH_TOKEN).toString('base64');
          const res = await fetch(sandbox.url + '/v1/Account/' + SANDBOX_AUTH_ID + '/Call/' + call.callUuid + '/Record/', {
            method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' },
            body: JSON.stringify({ time_limit: 3600, callback_url: process.argv[1] }),
          });
          await res.text();
          await new Promise((resolve) => process.stdin.once('data', resolve)); // the parent saw the callback arrive
          await sandbox.close();
          console.log('closed');
        })();`;
      const child = spawn(process.execPath, ['-e', script, hanging.url('/slow')], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await hanging.next();
      child.stdin.end('close now\n');
      const timer = setTimeout(() => child.kill(), 3000);
      const exitCode = await exited;
      clearTimeout(timer);
      assert.equal(exitCode, 0, `the child should exit by itself once closed; output: ${output}`);
      assert.equal(output.trim(), 'closed');
    });
  });
});
