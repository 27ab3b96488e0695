// How a received callback reads in the Callbacks view, its tooltip and its read-only document.
// Pure text (no VS Code API): every string here may come from a stranger's request, so it is only
// ever shown as plain text, cut to one line, never as HTML.
import { STATUS_CODES } from 'node:http';
import { signatureLabel } from '../plivo/signature';
import type { CallbackKind, ReceivedCallback, RelayResult, ReplayResult } from './model';

const KIND_NAMES: Record<CallbackKind, string> = {
  record: 'record done',
  transcription: 'transcription',
  async: 'async response',
  unknown: 'unknown',
};

const STATUS_NAMES: Record<number, string> = {
  400: 'bad request',
  405: 'method not allowed',
  408: 'timed out',
  413: 'too large',
  415: 'unsupported type',
};

/** Control characters, line breaks and bidirectional overrides could fake other lines or reorder text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** `text` made fit for one line of plain UI text: no control characters, at most `max` characters. */
export function oneLine(text: unknown, max = 80): string {
  const clean = String(text ?? '')
    .replace(UNSAFE_CHARACTERS, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The first characters of an identifier, enough to tell two apart: `3f2a1b2c…`. */
export function shortId(id: string, length = 8): string {
  const clean = oneLine(id, 200);
  return clean.length > length ? `${clean.slice(0, length)}…` : clean;
}

export function kindName(kind: CallbackKind | undefined): string {
  return KIND_NAMES[kind ?? 'unknown'] ?? KIND_NAMES.unknown;
}

function pathOnly(path: string | undefined): string {
  return (path ?? '/').split('?', 1)[0] || '/';
}

/** `record done · 3f2a1b2c…`, `async response · api_id 9c0d…`, `unknown POST /hook`. */
export function callbackLabel(callback: ReceivedCallback): string {
  const summary = callback.summary ?? {};
  switch (callback.kind) {
    case 'record':
      return `record done · ${summary.callUuid ? shortId(summary.callUuid) : summary.recordingId ? `recording ${shortId(summary.recordingId)}` : 'no call_uuid'}`;
    case 'transcription': {
      const name = summary.transcriptionError ? 'transcription failed' : 'transcription';
      return `${name} · ${summary.callUuid ? shortId(summary.callUuid) : summary.recordingId ? `recording ${shortId(summary.recordingId)}` : 'no call_uuid'}`;
    }
    case 'async':
      return `async response · ${summary.apiId ? `api_id ${shortId(summary.apiId)}` : 'no api_id'}`;
    default:
      return `unknown ${oneLine(callback.method, 10) || '?'} ${oneLine(pathOnly(callback.path), 60)}`;
  }
}

/** `✓ signed`, or the weaker claim: `v2: parameters not covered`, `⚠ replay: nonce seen before`, `unsigned`. */
export function signatureText(signature: ReceivedCallback['signature'] | undefined): string {
  return signature?.state === 'valid' && !signature.replay ? '✓ signed' : signatureLabel(signature);
}

/** `413 too large`. */
export function statusText(status: number): string {
  const name = STATUS_NAMES[status] ?? STATUS_CODES[status]?.toLowerCase();
  return name ? `${status} ${name}` : String(status);
}

export function forwardText(forward: RelayResult): string {
  return forward.error !== undefined || forward.status === undefined
    ? '→ forward failed'
    : `→ ${forward.status} in ${forward.durationMs} ms`;
}

/** `replayed → 200 (edited, unverified)`, `replay failed`. */
export function replayText(replay: ReplayResult): string {
  const notes = [replay.edited ? 'edited' : undefined, replay.unverified ? 'unverified' : undefined].filter(Boolean);
  const outcome =
    replay.error !== undefined || replay.status === undefined ? 'replay failed' : `replayed → ${replay.status}`;
  return notes.length ? `${outcome} (${notes.join(', ')})` : outcome;
}

// Building a formatter per item is the slow part of toLocaleString: hundreds of items share these.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function parseDate(iso: string | undefined): Date | undefined {
  const date = new Date(iso ?? '');
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Local time; with the date when it was not today. */
export function receivedTime(callback: ReceivedCallback, now = new Date()): string {
  const date = parseDate(callback.receivedAt);
  if (!date) return oneLine(callback.receivedAt, 30);
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : dayTimeFormat.format(date);
}

export function receivedDateTime(callback: ReceivedCallback): string {
  const date = parseDate(callback.receivedAt);
  return date ? fullFormat.format(date) : oneLine(callback.receivedAt, 30);
}

/** `14:30:22 · ✓ signed`, `14:30:25 · unsigned · 413 too large`, `… · → 200 in 12 ms`. */
export function callbackDescription(callback: ReceivedCallback, now = new Date()): string {
  const parts = [receivedTime(callback, now), signatureText(callback.signature)];
  if (callback.status >= 400) parts.push(statusText(callback.status));
  if (callback.forward) parts.push(forwardText(callback.forward));
  if (callback.replay) parts.push(replayText(callback.replay));
  return parts.join(' · ');
}

/** Name and value pairs for the tooltip, values already cut to one line. */
export function callbackFields(callback: ReceivedCallback): Array<[string, string]> {
  const summary = callback.summary ?? {};
  const signature = callback.signature;
  const forward = callback.forward;
  const fields: Array<[string, string | undefined]> = [
    ['Received', receivedDateTime(callback)],
    ['Request', `${oneLine(callback.method, 10)} ${oneLine(callback.path, 120)}`],
    ['Status', `${statusText(callback.status)}${callback.error ? `: ${oneLine(callback.error, 160)}` : ''}`],
    [
      'Signature',
      signature
        ? `${signatureText(signature)}${signature.version ? ` (${signature.version})` : ''}${signature.detail ? `: ${oneLine(signature.detail, 160)}` : ''}`
        : undefined,
    ],
    ['call_uuid', summary.callUuid && oneLine(summary.callUuid, 80)],
    ['api_id', summary.apiId && oneLine(summary.apiId, 80)],
    ['recording_id', summary.recordingId && oneLine(summary.recordingId, 80)],
    ['Recording URL', summary.recordUrl && oneLine(summary.recordUrl, 160)],
    ['Duration', summary.durationSeconds !== undefined ? `${summary.durationSeconds} s` : undefined],
    ['Transcription', summary.transcription && oneLine(summary.transcription, 160)],
    ['Transcription error', summary.transcriptionError && oneLine(summary.transcriptionError, 160)],
    ['Message', summary.message && oneLine(summary.message, 160)],
    [
      'Forwarded',
      forward
        ? `${oneLine(forward.targetUrl, 120)} → ${forward.status ?? 'no answer'} in ${forward.durationMs} ms${forward.error ? ` (${oneLine(forward.error, 120)})` : ''}`
        : undefined,
    ],
  ];
  return fields.filter((field): field is [string, string] => typeof field[1] === 'string' && field[1] !== '');
}

function looksLikeJson(callback: ReceivedCallback): boolean {
  const type = (callback.contentType ?? '').split(';', 1)[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return true;
  return type === '' && /^\s*[{[]/.test(callback.body ?? '');
}

/** The body as a value: parsed when it is whole JSON, else the raw text. */
export function bodyForDisplay(callback: ReceivedCallback): unknown {
  const body = callback.body ?? '';
  if (!callback.bodyTruncated && looksLikeJson(callback)) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      // Shown as text: the listener refused it (400) or it was never meant as JSON.
    }
  }
  return body;
}

/** Size in words: `812 bytes`, `64 KiB`, `1.2 MiB`. */
function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  return bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KiB` : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * What the app answered to a forward or replay, for the callback's document: status, latency, headers and
 * body (parsed when it is JSON), with a note when the body was cut.
 */
export function relayForDisplay(result: RelayResult): Record<string, unknown> {
  const response = result.response;
  let body: unknown = response?.body;
  if (response && !response.bodyTruncated && /\bjson\b/i.test(response.headers['content-type'] ?? '')) {
    try {
      body = JSON.parse(response.body) as unknown;
    } catch {
      // Shown as text: the app said JSON but sent something else.
    }
  }
  const shown = response ? Buffer.byteLength(response.body) : 0;
  const note =
    response?.bodyTruncated === true
      ? `body cut: showing the first ${bytesText(shown)} of ${response.bodySizeAtLeast ? 'at least ' : ''}${bytesText(response.bodyBytes)}`
      : undefined;
  return {
    target: result.targetUrl,
    status: result.status,
    latencyMs: result.durationMs,
    error: result.error,
    ...(response ? { headers: response.headers, body, bodyNote: note } : {}),
  };
}

/** The whole request as a JSON document (JSON.stringify escapes whatever the request held). */
export function renderCallbackDocument(callback: ReceivedCallback): string {
  const document = {
    id: callback.id,
    method: callback.method,
    path: callback.path,
    receivedAt: callback.receivedAt,
    kind: callback.kind,
    signature: callback.signature && {
      summary: signatureText(callback.signature),
      state: callback.signature.state,
      replay: callback.signature.replay,
      version: callback.signature.version,
      detail: callback.signature.detail,
    },
    status: callback.status,
    error: callback.error,
    summary: callback.summary,
    headers: callback.headers,
    params: callback.params,
    contentType: callback.contentType,
    body: bodyForDisplay(callback),
    bodyTruncated: callback.bodyTruncated,
    forward: callback.forward && relayForDisplay(callback.forward),
    replay: callback.replay && {
      sentAt: callback.replay.sentAt,
      edited: callback.replay.edited,
      unverified: callback.replay.unverified,
      ...relayForDisplay(callback.replay),
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Document name for an editor tab: `record-done-14-30-22.json`. */
export function callbackFileName(callback: ReceivedCallback): string {
  const date = parseDate(callback.receivedAt);
  const time = date
    ? [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join('-')
    : 'unknown-time';
  return `${kindName(callback.kind).replace(/ /g, '-')}-${time}.json`;
}
