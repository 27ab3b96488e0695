import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CallbackParseError,
  classifyCallback,
  parseCallbackParams,
  summarizeCallback,
} from '../../src/callbacks/parse';

const post = (contentType: string | undefined, body: string | Buffer) => ({
  method: 'POST',
  path: '/cb',
  contentType,
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});

test('form body: decoded values, "+" as space, blank values kept', () => {
  const params = parseCallbackParams(
    post('application/x-www-form-urlencoded; charset=utf-8', 'a=1+2&b=%3Csip%3A%40x%3E&c=&d'),
  );
  assert.deepEqual(params, { a: '1 2', b: '<sip:@x>', c: '', d: '' });
});

test('form body: empty fields skipped, "=" inside values kept, valueless fields before and after valued ones', () => {
  const form = (body: string) => parseCallbackParams(post('application/x-www-form-urlencoded', body));
  assert.deepEqual(form('&&a&b=&&c=1=2&d&'), { a: '', b: '', c: '1=2', d: '' });
  assert.deepEqual(form('a&b&c&d=4'), { a: '', b: '', c: '', d: '4' });
  assert.deepEqual(form('=x&y'), { '': 'x', y: '' });
  assert.deepEqual(form('a+b=c+d&%20=%2B'), { 'a b': 'c d', ' ': '+' });
  assert.deepEqual(form('x=1&x=2'), { x: '2' });
  assert.deepEqual(form('&'), {});
});

test('JSON body: nested values are JSON-stringified, null becomes empty', () => {
  const params = parseCallbackParams(post('application/json', '{"a":"x","n":5,"t":true,"z":null,"o":{"k":[1,2]}}'));
  assert.deepEqual(params, { a: 'x', n: '5', t: 'true', z: '', o: '{"k":[1,2]}' });
});

test('GET: params come from the query string; POST ignores the query', () => {
  assert.deepEqual(parseCallbackParams({ method: 'GET', path: '/cb?x=1&y=a%20b', body: Buffer.alloc(0) }), {
    x: '1',
    y: 'a b',
  });
  assert.deepEqual(
    parseCallbackParams({
      method: 'POST',
      path: '/cb?x=1',
      contentType: 'application/x-www-form-urlencoded',
      body: Buffer.from('y=2'),
    }),
    { y: '2' },
  );
});

test('missing Content-Type: JSON-looking bodies are JSON, others form', () => {
  assert.deepEqual(parseCallbackParams(post(undefined, ' {"a":"1"}')), { a: '1' });
  assert.deepEqual(parseCallbackParams(post(undefined, 'a=1')), { a: '1' });
});

test('a "__proto__" field stays an ordinary field', () => {
  const params = parseCallbackParams(post('application/x-www-form-urlencoded', '__proto__=x&a=1'));
  assert.equal(Object.getPrototypeOf(params), Object.prototype);
  assert.deepEqual(Object.keys(params), ['__proto__', 'a']);
});

test('garbage bodies raise CallbackParseError with a short reason', () => {
  const cases: Array<[ReturnType<typeof post> | { method: string; path: string; body: Buffer }, RegExp]> = [
    [post('application/json', '{"a":'), /invalid JSON/],
    [post('application/json', '[1,2]'), /must be an object/],
    [post('application/x-www-form-urlencoded', 'a=%E0%A4%A'), /invalid percent-encoding in form body/],
    [post('application/x-www-form-urlencoded', Buffer.from([0xff, 0xfe, 0x00, 0x81])), /not valid UTF-8/],
    [post('text/xml', '<a/>'), /unsupported Content-Type text\/xml/],
    [{ method: 'GET', path: '/cb?a=%zz', body: Buffer.alloc(0) }, /invalid percent-encoding in query string/],
  ];
  for (const [request, reason] of cases) {
    assert.throws(
      () => parseCallbackParams(request),
      (error: unknown) => error instanceof CallbackParseError && reason.test(error.message),
    );
  }
});

test('classify: record by snake_case, CamelCase, RecordFile, or "record done"', () => {
  assert.equal(classifyCallback({ record_url: 'u' }), 'record');
  assert.equal(classifyCallback({ RecordUrl: 'u' }), 'record');
  assert.equal(classifyCallback({ RecordFile: 'u' }), 'record');
  assert.equal(classifyCallback({ message: 'Record Done ' }), 'record');
});

test('classify: transcription, async, unknown', () => {
  assert.equal(classifyCallback({ transcription: 'hi', recording_id: 'r' }), 'transcription');
  assert.equal(classifyCallback({ response: '{}', api_id: 'a' }), 'async');
  assert.equal(classifyCallback({ CallUUID: 'c', Event: 'Hangup' }), 'unknown');
  assert.equal(classifyCallback({}), 'unknown');
});

test('summary: snake_case record callback (Record API callback_url)', () => {
  const summary = summarizeCallback({
    api_id: 'a-1',
    call_uuid: 'c-1',
    record_url: 'https://s3.amazonaws.com/r.mp3',
    recording_id: 'r-1',
    recording_duration: '22',
    message: 'record done',
  });
  assert.deepEqual(summary, {
    apiId: 'a-1',
    callUuid: 'c-1',
    recordUrl: 'https://s3.amazonaws.com/r.mp3',
    recordingId: 'r-1',
    durationSeconds: 22,
    message: 'record done',
  });
});

test('summary: CamelCase <Record> XML action callback', () => {
  const summary = summarizeCallback({
    CallUUID: 'c-2',
    RecordFile: 'https://x/f.mp3',
    RecordingID: 'r-2',
    RecordingDuration: '-1',
    RecordingDurationMs: '4500',
  });
  assert.deepEqual(summary, {
    callUuid: 'c-2',
    recordUrl: 'https://x/f.mp3',
    recordingId: 'r-2',
    durationSeconds: 4.5,
  });
});

test('summary: transcription with error', () => {
  const summary = summarizeCallback({
    call_uuid: 'c',
    transcription: ' hello ',
    duration: '7',
    error: 'Recording duration too long for transcription',
  });
  assert.deepEqual(summary, {
    callUuid: 'c',
    durationSeconds: 7,
    transcription: 'hello',
    transcriptionError: 'Recording duration too long for transcription',
  });
});

test('summary: async response is parsed and fills missing fields', () => {
  const response = { api_id: 'a-3', message: 'call recording started', recording_id: 'r-3', url: 'https://x/3.mp3' };
  const summary = summarizeCallback({ response: JSON.stringify(response) });
  assert.deepEqual(summary, {
    apiId: 'a-3',
    recordingId: 'r-3',
    recordUrl: 'https://x/3.mp3',
    message: 'call recording started',
    response,
  });
});

test('summary: garbage values are dropped, not trusted', () => {
  const summary = summarizeCallback({ response: 'not json', recording_duration: 'abc', call_uuid: '   ' });
  assert.deepEqual(summary, { response: 'not json' });
});
