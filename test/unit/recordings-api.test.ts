import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { PlivoClient, PlivoError, toRecording, type RequestLogEntry } from '../../src/plivo';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';
import { rejectsWithCode } from './helpers/rejects';

const credentials = { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN };
const OTHER = { authId: 'MAOTHERACCOUNT000002', authToken: 'OtherAccountToken000000000000000000000000' };

describe('Recording API: client against the sandbox', () => {
  let sandbox: Sandbox;
  let client: PlivoClient;
  let log: RequestLogEntry[];

  before(async () => {
    sandbox = await Sandbox.start({ timeScale: 0.01, accounts: [credentials, OTHER] });
  });
  after(async () => {
    await sandbox.close();
  });
  beforeEach(async () => {
    log = [];
    client = new PlivoClient({ credentials, baseUrl: sandbox.url, timeoutMs: 2000, onRequest: (e) => log.push(e) });
    // Each test starts from an empty account.
    for (const r of sandbox.recordings()) {
      if (r.endedAt) await client.deleteRecording(r.recordingId).catch(() => undefined);
    }
    log = [];
  });

  test('a recorded call is listed after it ends, with typed numbers', async () => {
    const call = sandbox.addCall({ from: '14155550100', to: '14155550199' });
    const started = await client.startRecording(call.callUuid, { fileFormat: 'wav' });
    assert.equal((await client.listRecordings()).meta.totalCount, 0, 'not listed while recording');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const hangupFrom = Date.now();
    sandbox.hangup(call.callUuid);
    const hangupTo = Date.now();

    const page = await client.listRecordings();
    assert.equal(page.meta.totalCount, 1);
    const [recording] = page.recordings;
    assert.ok(started.kind === 'started');
    assert.equal(recording.recordingId, started.recordingId);
    assert.equal(recording.callUuid, call.callUuid);
    assert.equal(recording.url, started.url);
    assert.equal(recording.format, 'wav');
    assert.equal(recording.type, 'normal');
    assert.equal(recording.fromNumber, '14155550100');
    assert.equal(recording.toNumber, '14155550199');
    assert.equal(typeof recording.durationMs, 'number');
    assert.ok(recording.durationMs >= 3000, `${recording.durationMs} ms`);
    assert.equal(recording.endMs! - recording.startMs!, recording.durationMs);
    // add_time is when the call ended: read as the instant it names, zone included.
    assert.ok(recording.addedAt instanceof Date, 'addedAt is read');
    const addedAt = recording.addedAt.getTime();
    assert.ok(addedAt >= hangupFrom && addedAt <= hangupTo, `${recording.addTime}: not the hang-up's time`);
    assert.equal(recording.roundedDurationS, 60);
    assert.equal(recording.storageDurationDays, 1);
    assert.equal(recording.resourceUri, `/v1/Account/${SANDBOX_AUTH_ID}/Recording/${recording.recordingId}/`);

    assert.deepEqual(await client.getRecording(recording.recordingId), recording);
    assert.equal(log.at(-1)?.path, `/v1/Account/${SANDBOX_AUTH_ID}/Recording/${recording.recordingId}/`);
  });

  test('pages of at most 20, newest first, with total_count and next', async () => {
    const base = Date.UTC(2026, 0, 1, 12);
    const seeded = Array.from({ length: 25 }, (_, i) => sandbox.addRecording({ endedAt: new Date(base + i * 60_000) }));
    const newestFirst = seeded.map((r) => r.recordingId).reverse();

    const first = await client.listRecordings();
    assert.equal(first.recordings.length, 20);
    assert.deepEqual(
      first.recordings.map((r) => r.recordingId),
      newestFirst.slice(0, 20),
    );
    assert.deepEqual(
      { ...first.meta, next: first.meta.next !== null },
      {
        totalCount: 25,
        limit: 20,
        offset: 0,
        next: true,
        previous: null,
      },
    );
    assert.match(first.meta.next!, /[?&]offset=20(&|$)/);

    const second = await client.listRecordings({ offset: 20 });
    assert.deepEqual(
      second.recordings.map((r) => r.recordingId),
      newestFirst.slice(20),
    );
    assert.equal(second.meta.next, null);
    assert.match(second.meta.previous ?? '', /[?&]offset=0(&|$)/);

    const small = await client.listRecordings({ limit: 5, offset: 3 });
    assert.deepEqual(
      small.recordings.map((r) => r.recordingId),
      newestFirst.slice(3, 8),
    );
    assert.equal(log.at(-1)?.path, `/v1/Account/${SANDBOX_AUTH_ID}/Recording/`);
  });

  test('filters by call UUID, numbers, conference name and add_time bounds', async () => {
    const t0 = Date.UTC(2026, 2, 10, 8, 30);
    const a = sandbox.addRecording({ from: '14155550101', to: '14155550201', endedAt: new Date(t0) });
    const b = sandbox.addRecording({ from: '14155550102', to: '14155550201', endedAt: new Date(t0 + 3_600_000) });
    const c = sandbox.addRecording({ conferenceName: 'standup', endedAt: new Date(t0 + 7_200_000) });
    const ids = async (filters: Parameters<PlivoClient['listRecordings']>[0]) =>
      (await client.listRecordings(filters)).recordings.map((r) => r.recordingId);

    assert.deepEqual(await ids({ callUuid: a.callUuid }), [a.recordingId]);
    assert.deepEqual(await ids({ fromNumber: '14155550102' }), [b.recordingId]);
    assert.deepEqual(await ids({ toNumber: '14155550201' }), [b.recordingId, a.recordingId]);
    assert.deepEqual(await ids({ conferenceName: 'standup' }), [c.recordingId]);
    assert.deepEqual(await ids({ addTimeGt: new Date(t0) }), [c.recordingId, b.recordingId]);
    assert.deepEqual(await ids({ addTimeGte: new Date(t0) }), [c.recordingId, b.recordingId, a.recordingId]);
    assert.deepEqual(await ids({ addTimeLt: '2026-03-10 09:30' }), [a.recordingId]);
    assert.deepEqual(await ids({ addTimeLte: '2026-03-10 09:30:00', addTimeGte: '2026-03-10 09:00' }), [b.recordingId]);
    const conference = await client.getRecording(c.recordingId);
    assert.equal(conference.type, 'conference');
    assert.equal(conference.conferenceName, 'standup');
    // The filters travel in next, so "Load more" keeps them.
    for (let i = 0; i < 21; i++) sandbox.addRecording({ to: '14155550299' });
    const page = await client.listRecordings({ toNumber: '14155550299' });
    assert.equal(page.meta.totalCount, 21);
    assert.match(page.meta.next ?? '', /to_number=14155550299/);
  });

  test('bad options are rejected before any request', async () => {
    const cases: [Parameters<PlivoClient['listRecordings']>[0], string][] = [
      [{ limit: 21 }, 'limit'],
      [{ limit: 0 }, 'limit'],
      [{ offset: -1 }, 'offset'],
      [{ offset: 1.5 }, 'offset'],
      [{ callUuid: '../../Call' }, 'call_uuid'],
      [{ addTimeGt: 'yesterday' }, 'add_time__gt'],
      [{ addTimeLt: new Date(NaN) }, 'add_time__lt'],
      [{ fromNumber: '  ' }, 'from_number'],
      [{ toNumber: 'a\nb' }, 'to_number'],
    ];
    for (const [options, param] of cases) {
      const error = await rejectsWithCode(client.listRecordings(options), PlivoError, 'invalid-argument');
      assert.equal(error.param, param, JSON.stringify(options));
    }
    for (const id of ['', '../Call', 'a/b', 'a?b=c', 'x'.repeat(65), '%2e%2e']) {
      await rejectsWithCode(client.getRecording(id), PlivoError, 'invalid-argument');
      await rejectsWithCode(client.deleteRecording(id), PlivoError, 'invalid-argument');
    }
    assert.equal(log.length, 0);
  });

  test('delete answers 204; deleting again reports already-deleted; the file is gone', async () => {
    const recording = sandbox.addRecording({ format: 'mp3' });
    assert.equal((await fetch(recording.url)).status, 200);
    await client.deleteRecording(recording.recordingId);
    assert.equal(log.at(-1)?.status, 204);
    assert.equal(log.at(-1)?.path, `/v1/Account/${SANDBOX_AUTH_ID}/Recording/${recording.recordingId}/`);
    const again = await rejectsWithCode(client.deleteRecording(recording.recordingId), PlivoError, 'already-deleted');
    assert.equal(again.status, 404);
    assert.match(again.message, /already deleted/);
    assert.equal(again.retryable, false);
    await rejectsWithCode(client.getRecording(recording.recordingId), PlivoError, 'not-found');
    assert.equal((await client.listRecordings()).meta.totalCount, 0);
    assert.equal((await fetch(recording.url)).status, 404);
  });

  test('addRecording rejects impossible seeds', () => {
    assert.throws(() => sandbox.addRecording({ durationMs: -1 }), RangeError);
    assert.throws(() => sandbox.addRecording({ durationMs: NaN }), RangeError);
    assert.throws(() => sandbox.addRecording({ endedAt: new Date(NaN) }), RangeError);
    assert.throws(() => sandbox.addRecording({ authId: 'MANOSUCHACCOUNT00000' }), /no sandbox account/);
  });

  test("another account's recordings are invisible", async () => {
    const theirs = sandbox.addRecording({ authId: OTHER.authId });
    assert.equal((await client.listRecordings()).meta.totalCount, 0);
    await rejectsWithCode(client.getRecording(theirs.recordingId), PlivoError, 'not-found');
    await rejectsWithCode(client.deleteRecording(theirs.recordingId), PlivoError, 'already-deleted');
    const other = new PlivoClient({ credentials: OTHER, baseUrl: sandbox.url });
    assert.equal((await other.getRecording(theirs.recordingId)).recordingId, theirs.recordingId);
  });

  test('the wire format is Plivo’s: decimal strings, meta, Basic auth, 404 and 405 bodies', async () => {
    const r = sandbox.addRecording({ durationMs: 345_100 });
    const url = `${sandbox.url}/v1/Account/${SANDBOX_AUTH_ID}/Recording/`;
    const auth = `Basic ${Buffer.from(`${SANDBOX_AUTH_ID}:${SANDBOX_AUTH_TOKEN}`).toString('base64')}`;
    const res = await fetch(url, { headers: { Authorization: auth } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the raw body is checked field by field
    const body = (await res.json()) as any;
    assert.deepEqual(Object.keys(body).sort(), ['api_id', 'meta', 'objects']);
    assert.deepEqual(Object.keys(body.meta).sort(), ['limit', 'next', 'offset', 'previous', 'total_count']);
    assert.equal(body.objects[0].recording_duration_ms, '345100.00000');
    assert.match(body.objects[0].recording_start_ms, /^\d+\.00000$/);
    assert.match(body.objects[0].add_time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    assert.equal(body.objects[0].conference_name, null);
    assert.equal((await fetch(url)).status, 401);
    const missing = await fetch(`${url}00000000-0000-0000-0000-000000000000/`, { headers: { Authorization: auth } });
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys((await missing.json()) as object).sort(), ['api_id', 'error']);
    const post = await fetch(`${url}${r.recordingId}/`, { method: 'POST', headers: { Authorization: auth } });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, DELETE');
    const badTime = await fetch(`${url}?add_time__gt=soon`, { headers: { Authorization: auth } });
    assert.equal(badTime.status, 400);
  });
});

test('toRecording reads the Recording object as Plivo documents it', () => {
  const recording = toRecording({
    add_time: '2020-08-05 16:15:15.852059+05:30',
    api_id: '7abf0744-1ca0-11e4-a2d1-22000ac5040c',
    call_uuid: 'c2c128e2-1c8c-11e4-9bff-1db8a9db0432',
    conference_name: 'noname',
    recording_duration_ms: '345100.00000',
    recording_end_ms: '1407235509007.00000',
    recording_format: 'mp3',
    recording_id: 'c2186400-1c8c-11e4-a664-0026b945b52x',
    recording_start_ms: '1407235163907.00000',
    recording_type: 'conference',
    recording_url: 'http://s3.amazonaws.com/recordings_2013/c2186400-1c8c-11e4-a664-0026b945b52x.mp3',
    resource_uri: '/v1/Account/MA2025RK4E639VJFZAGV/Recording/c2186400-1c8c-11e4-a664-0026b945b52x/',
    recording_storage_duration: '723',
    rounded_recording_duration: '3456',
    recording_storage_rate: '0.0004',
    monthly_recording_storage_amount: '0.02304',
  });
  assert.equal(recording.durationMs, 345100);
  assert.equal(recording.startMs, 1407235163907);
  assert.equal(recording.endMs, 1407235509007);
  assert.equal(recording.addedAt?.toISOString(), '2020-08-05T10:45:15.852Z');
  assert.equal(recording.storageDurationDays, 723);
  assert.equal(recording.roundedDurationS, 3456);
  assert.equal(recording.storageRate, 0.0004);
  assert.equal(recording.monthlyStorageAmount, 0.02304);
  assert.equal(recording.conferenceName, 'noname');
  // The legacy list shows add_time without a zone and an empty conference name.
  const legacy = toRecording({
    recording_id: '8d5cd396-4f88-11e1-829f-5b9cbd2c7acd',
    recording_url: 'http://s3.amazonaws.com/plivocloud/8d5cd396-4f88-11e1-829f-5b9cbd2c7acd.mp3',
    conference_name: '',
    add_time: '2012-02-04T23:33:08.079231',
  });
  assert.equal(legacy.addedAt?.toISOString(), '2012-02-04T23:33:08.079Z');
  assert.equal(legacy.conferenceName, undefined);
  assert.equal(legacy.format, 'mp3');
  assert.equal(legacy.durationMs, 0);
  assert.throws(
    () => toRecording({ recording_url: 'x' }),
    (e: PlivoError) => e.code === 'bad-response',
  );
});
