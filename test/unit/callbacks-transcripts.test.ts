import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReceivedCallback } from '../../src/callbacks/model';
import {
  findTranscript,
  renderTranscript,
  transcriptFromCallback,
  type TranscriptRecord,
} from '../../src/callbacks/transcripts';

function callback(overrides: Partial<ReceivedCallback>): ReceivedCallback {
  return {
    id: 'cb1',
    receivedAt: '2026-11-25T16:00:10.000Z',
    method: 'POST',
    path: '/plivo/transcription',
    headers: {},
    body: '',
    params: {},
    kind: 'transcription',
    summary: {},
    signature: { state: 'valid' } as ReceivedCallback['signature'],
    status: 200,
    ...overrides,
  };
}

const record = (overrides: Partial<TranscriptRecord>): TranscriptRecord => ({
  callbackId: 'x',
  receivedAt: '2026-11-25T16:00:10.000Z',
  text: 'hello',
  ...overrides,
});

test('transcriptFromCallback keeps the text, the ids and the error of a transcription callback', () => {
  const t = transcriptFromCallback(
    callback({
      summary: { recordingId: 'r1', callUuid: 'c1', transcription: 'Hello there', durationSeconds: 5 },
    }),
  );
  assert.deepEqual(t, {
    callbackId: 'cb1',
    receivedAt: '2026-11-25T16:00:10.000Z',
    recordingId: 'r1',
    callUuid: 'c1',
    text: 'Hello there',
    error: undefined,
    durationSeconds: 5,
  });
  const failed = transcriptFromCallback(
    callback({ summary: { recordingId: 'r1', transcriptionError: 'Recording duration too long for transcription' } }),
  );
  assert.equal(failed?.text, '');
  assert.equal(failed?.error, 'Recording duration too long for transcription');
});

test('transcriptFromCallback ignores other kinds and refused requests', () => {
  assert.equal(transcriptFromCallback(callback({ kind: 'record' })), undefined);
  assert.equal(transcriptFromCallback(callback({ status: 400 })), undefined);
});

test('findTranscript matches by recording id first, the newest copy winning', () => {
  const records = [
    record({ callbackId: 'a', recordingId: 'r1', text: 'old', receivedAt: '2026-11-25T16:00:00Z' }),
    record({ callbackId: 'b', recordingId: 'r1', text: 'new', receivedAt: '2026-11-25T16:01:00Z' }),
    record({ callbackId: 'c', recordingId: 'r2', callUuid: 'c1' }),
  ];
  assert.equal(findTranscript(records, { recordingId: 'r1', callUuid: 'c1' })?.text, 'new');
  assert.equal(findTranscript(records, { recordingId: 'r3' }), undefined);
});

test('findTranscript falls back to the call and time for transcripts without a recording id', () => {
  const ended = Date.parse('2026-11-25T16:00:00Z');
  const records = [
    record({ callbackId: 'before', callUuid: 'c1', receivedAt: '2026-11-25T15:59:00Z', text: 'earlier recording' }),
    record({ callbackId: 'later', callUuid: 'c1', receivedAt: '2026-11-25T16:05:00Z', text: 'second' }),
    record({ callbackId: 'first', callUuid: 'c1', receivedAt: '2026-11-25T16:00:20Z', text: 'this one' }),
    record({ callbackId: 'other', callUuid: 'c2', receivedAt: '2026-11-25T16:00:05Z', text: 'other call' }),
    record({ callbackId: 'id', callUuid: 'c1', recordingId: 'rX', receivedAt: '2026-11-25T16:00:01Z' }),
  ];
  assert.equal(findTranscript(records, { recordingId: 'r1', callUuid: 'c1', endedAtMs: ended })?.callbackId, 'first');
  assert.equal(findTranscript(records, { callUuid: 'c3', endedAtMs: ended }), undefined);
  assert.equal(findTranscript(records, {}), undefined);
});

test('renderTranscript is plain text with a header, and says when the transcription failed', () => {
  const text = renderTranscript(
    record({ recordingId: 'r1', callUuid: 'c1', text: '<b>hi</b>', durationSeconds: 5 }),
    'A → B',
  );
  assert.equal(
    text,
    'Transcript of A → B\nReceived 2026-11-25T16:00:10.000Z\nRecording ID: r1\nCall UUID: c1\nDuration: 5 s\n\n<b>hi</b>\n',
  );
  assert.match(renderTranscript(record({ text: '', error: 'too long' }), 'A → B'), /Transcription failed: too long\n$/);
});
