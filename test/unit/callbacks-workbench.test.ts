import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallbackFilterIndex, type FilterableHistory } from '../../src/callbacks/filterIndex';
import type { ReceivedCallback } from '../../src/callbacks/model';
import { callUuidResolver, groupByCall, parseFilterQuery, type CallbackFilter } from '../../src/callbacks/grouping';
import { sendSignedCallback } from '../../src/callbacks/relay';
import { editableParams, editedRequestFor, parseEditedReplay } from '../../src/callbacks/replayEdit';
import { TOKEN, nextCallback, sampleCallback, startListener } from './helpers/callbacks';

test('an edited replay document round-trips to params', () => {
  const callback = sampleCallback({ params: { call_uuid: 'c', transcription: 'hé "quoted"' } });
  assert.deepEqual(parseEditedReplay(editableParams(callback)), { ok: true, params: callback.params });
});

test('invalid JSON in an edited replay is pointed at by line and column', () => {
  const trailingComma = '{\n  "call_uuid": "c",\n}';
  assert.deepEqual(parseEditedReplay(trailingComma), {
    ok: false,
    message:
      'Line 3, column 1: not valid JSON (Expected double-quoted property name). The parameters must be one JSON object of names to text values, like {"call_uuid": "…"}.',
    line: 3,
    column: 1,
  });
  // Where V8 reports an unfinished document differs between versions; it is always at or after the last value.
  const unfinished = parseEditedReplay('{\n  "call_uuid": "c"\n');
  assert.ok(!unfinished.ok && unfinished.line !== undefined && unfinished.line >= 2, JSON.stringify(unfinished));
  assert.match(unfinished.message, /^Line \d+, column \d+: not valid JSON \(/);
  assert.deepEqual(parseEditedReplay('  \n'), {
    ok: false,
    message:
      'The document is empty. The parameters must be one JSON object of names to text values, like {"call_uuid": "…"}.',
  });
  assert.match((parseEditedReplay('["a"]') as { message: string }).message, /; found an array\.$/);
});

test('non-text values are named with where they are and how to write them', () => {
  assert.deepEqual(parseEditedReplay('{\n  "call_uuid": "c",\n  "duration":  22\n}'), {
    ok: false,
    message: 'Line 3, column 3: "duration" must be a text value, not the number 22; write it in quotes: "22".',
    line: 3,
    column: 3,
  });
  assert.match(
    (parseEditedReplay('{"a": null}') as { message: string }).message,
    /not null; use "" for an empty value/,
  );
  assert.match(
    (parseEditedReplay('{"a": {"b": "c"}}') as { message: string }).message,
    /not an object; Plivo sends every parameter as text/,
  );
});

test('edited params are re-signed for the target and arrive as edited (form and JSON callbacks)', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  for (const contentType of ['application/x-www-form-urlencoded', 'application/json']) {
    const original = sampleCallback({
      contentType,
      body: contentType.includes('json') ? '{"call_uuid":"c"}' : 'call_uuid=c',
    });
    const edited = parseEditedReplay('{ "call_uuid": "c-edited", "extra": "1" }');
    assert.ok(edited.ok);
    const request = editedRequestFor(original, edited.params);
    const received = nextCallback(listener);
    const result = await sendSignedCallback(`${listener.url}/plivo/recording`, request, TOKEN, { timeoutMs: 5000 });
    assert.equal(result.status, 200);
    assert.equal(result.response?.body.includes('"received":true'), true);
    const callback = await received;
    assert.deepEqual(callback.params, { call_uuid: 'c-edited', extra: '1' });
    assert.equal(callback.contentType, contentType);
    assert.equal(callback.signature.state, 'valid', callback.signature.detail);
  }
  assert.deepEqual(editedRequestFor(sampleCallback({ method: 'GET' }), { a: '1' }), {
    method: 'GET',
    params: { a: '1' },
  });
});

function at(second: number): string {
  return new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();
}

const asyncResponse = sampleCallback({
  id: 'async',
  receivedAt: at(1),
  kind: 'async',
  params: { api_id: 'api-1', response: '{"recording_id":"rec-1"}' },
  summary: { apiId: 'api-1', response: { api_id: 'api-1', recording_id: 'rec-1' } },
});
const recordDone = sampleCallback({
  id: 'record',
  receivedAt: at(20),
  kind: 'record',
  params: { call_uuid: 'call-A', api_id: 'api-1', recording_id: 'rec-1', record_url: 'https://m/r.mp3' },
  summary: { callUuid: 'call-A', apiId: 'api-1', recordingId: 'rec-1' },
});
const transcription = sampleCallback({
  id: 'transcription',
  receivedAt: at(30),
  kind: 'transcription',
  params: { call_uuid: 'call-A', transcription: 'Hello World' },
  summary: { callUuid: 'call-A', transcription: 'Hello World' },
  signature: { state: 'invalid', version: 'v3', detail: 'mismatch' },
});
const otherCall = sampleCallback({
  id: 'other-call',
  receivedAt: at(10),
  summary: { callUuid: 'call-B' },
  params: { call_uuid: 'call-B' },
});
const stray = sampleCallback({
  id: 'stray',
  receivedAt: at(40),
  kind: 'unknown',
  params: {},
  summary: {},
  path: '/favicon.ico',
});
const ALL = [transcription, stray, asyncResponse, otherCall, recordDone];

test('groupByCall: a call collects its async response, record done and transcription; the rest go to Other', () => {
  const groups = groupByCall(ALL);
  assert.deepEqual(
    groups.map((g) => [g.callUuid, g.entries.map((e) => e.id), g.latestAt]),
    [
      ['call-A', ['async', 'record', 'transcription'], at(30)],
      ['call-B', ['other-call'], at(10)],
      [undefined, ['stray'], at(40)],
    ],
  );
  assert.deepEqual(
    [groups[0].async?.id, groups[0].record?.id, groups[0].transcription?.id],
    ['async', 'record', 'transcription'],
  );
  assert.equal(groups[1].async, undefined);
  assert.deepEqual(groupByCall([]), []);
  // Without the record-done callback, nothing ties the async response to a call yet.
  assert.equal(callUuidResolver([asyncResponse])(asyncResponse), undefined);
});

/** ALL as the history holds it, counting the callbacks it decodes; `revisions` says which version each one is. */
function historyOf(entries: readonly ReceivedCallback[]) {
  const revisions = new Map(entries.map((entry) => [entry.id, 1]));
  const decoded: string[] = [];
  const history: FilterableHistory = {
    ids: () => entries.map((entry) => entry.id).filter((id) => revisions.has(id)),
    revisionOf: (id) => revisions.get(id),
    get: (id) => {
      decoded.push(id);
      return revisions.has(id) ? entries.find((entry) => entry.id === id) : undefined;
    },
  };
  return { history, revisions, decoded };
}

test('the filter matches by kind, call UUID prefix, signature state and words', () => {
  const index = new CallbackFilterIndex(historyOf(ALL).history);
  const ids = (filter: CallbackFilter) => index.matching(filter);
  assert.deepEqual(
    ids({}),
    ALL.map((e) => e.id),
  );
  assert.deepEqual(ids({ kinds: ['transcription', 'async'] }), ['transcription', 'async']);
  assert.deepEqual(ids({ callUuid: 'CALL-a' }), ['transcription', 'async', 'record']);
  assert.deepEqual(ids({ signature: ['invalid'] }), ['transcription']);
  assert.deepEqual(ids({ text: 'hello world' }), ['transcription']);
  assert.deepEqual(ids({ text: 'favicon' }), ['stray']);
  assert.deepEqual(ids({ text: 'hello nothing' }), []);
  // The async response is found by the call it is linked to, as in the grouped view.
  assert.deepEqual(ids({ text: 'CALL-A' }), ['transcription', 'async', 'record']);
});

test('the filter decodes each callback once per revision, and a callback gone meanwhile matches nothing', () => {
  const { history, revisions, decoded } = historyOf(ALL);
  const index = new CallbackFilterIndex(history);
  const all = ALL.map((entry) => entry.id);
  assert.deepEqual(index.matching({}), all);
  assert.deepEqual(decoded, all);
  decoded.length = 0;
  assert.deepEqual(index.matching({ kinds: ['transcription'] }), ['transcription']);
  assert.deepEqual(decoded, []);
  revisions.set('stray', 2);
  revisions.delete('record');
  assert.deepEqual(
    index.matching({}),
    all.filter((id) => id !== 'record'),
  );
  assert.deepEqual(decoded, ['stray']);
  decoded.length = 0;
  index.clear();
  index.matching({});
  assert.equal(decoded.length, ALL.length - 1);
});

test('parseFilterQuery reads kind:, call:, sig: and free text, and reports unknown values', () => {
  assert.deepEqual(parseFilterQuery('kind:record kind:Async call:abc sig:invalid hello  world'), {
    filter: { kinds: ['record', 'async'], callUuid: 'abc', signature: ['invalid'], text: 'hello world' },
    problems: [],
  });
  assert.deepEqual(parseFilterQuery('kind:recording signature:bad'), {
    filter: {},
    problems: [
      'unknown kind "recording" (use record, transcription, async, unknown)',
      'unknown signature state "bad" (use valid, valid-v2, invalid, unsigned)',
    ],
  });
  assert.deepEqual(parseFilterQuery('sig:valid-v2').filter, { signature: ['valid-v2'] });
});
