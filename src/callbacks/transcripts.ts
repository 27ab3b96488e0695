// Transcripts from transcription callbacks, and which recording each belongs to. Plain JSON, persisted as-is.
import type { ReceivedCallback } from './model';

export interface TranscriptRecord {
  /** The callback that carried it, to show the whole request. */
  readonly callbackId: string;
  readonly receivedAt: string;
  readonly recordingId?: string;
  readonly callUuid?: string;
  /** Empty when the transcription failed. */
  readonly text: string;
  /** Plivo's `error` field, e.g. "Recording duration too long for transcription". */
  readonly error?: string;
  readonly durationSeconds?: number;
}

/** What identifies a recording when looking for its transcript. */
export interface TranscriptTarget {
  readonly recordingId?: string;
  readonly callUuid?: string;
  /** When the recording ended (epoch ms); a transcript matched by call arrives after that. */
  readonly endedAtMs?: number;
}

/** A transcription callback as a transcript record; undefined for any other callback. */
export function transcriptFromCallback(callback: ReceivedCallback): TranscriptRecord | undefined {
  if (callback.kind !== 'transcription' || callback.status >= 400) return undefined;
  const { summary } = callback;
  return {
    callbackId: callback.id,
    receivedAt: callback.receivedAt,
    recordingId: summary.recordingId,
    callUuid: summary.callUuid,
    text: summary.transcription ?? '',
    error: summary.transcriptionError,
    durationSeconds: summary.durationSeconds,
  };
}

/**
 * The transcript of `target`: the newest with its recording id; else, for records without a recording id,
 * the first one of the same call received after the recording ended (Plivo transcribes after the recording ends).
 */
export function findTranscript(
  records: readonly TranscriptRecord[],
  target: TranscriptTarget,
): TranscriptRecord | undefined {
  if (target.recordingId) {
    const byId = records.filter((r) => r.recordingId === target.recordingId);
    if (byId.length) return byId.reduce((a, b) => (Date.parse(b.receivedAt) > Date.parse(a.receivedAt) ? b : a));
  }
  if (!target.callUuid) return undefined;
  const after = target.endedAtMs ?? 0;
  return records
    .filter((r) => !r.recordingId && r.callUuid === target.callUuid && Date.parse(r.receivedAt) >= after)
    .sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt))[0];
}

/** The transcript as a plain-text document: a short header, then the text (or the error). */
export function renderTranscript(record: TranscriptRecord, title: string): string {
  const lines = [`Transcript of ${title}`, `Received ${record.receivedAt}`];
  if (record.recordingId) lines.push(`Recording ID: ${record.recordingId}`);
  if (record.callUuid) lines.push(`Call UUID: ${record.callUuid}`);
  if (record.durationSeconds !== undefined) lines.push(`Duration: ${record.durationSeconds} s`);
  lines.push('');
  lines.push(record.error ? `Transcription failed: ${record.error}` : record.text || '(empty transcript)');
  return `${lines.join('\n')}\n`;
}
