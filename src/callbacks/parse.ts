// Received request → flat params → kind + summary. Plivo sends form fields or a
// query string; the Record API reference shows JSON (docs/plivo-api.md); names come snake_case or CamelCase.
import { boundedClone, DEFAULT_BOUNDS, jsonDepthExceeds, setField } from '../plivo/bounded';
import type { CallbackKind, CallbackSummary, ReceivedCallback } from './model';

/** A body or query the listener cannot read; it answers 400 with `message`. */
export class CallbackParseError extends Error {
  override readonly name = 'CallbackParseError';
}

export interface RawCallbackRequest {
  method: string;
  /** Path with query string. */
  path: string;
  contentType?: string;
  body: Buffer;
}

/** A request as a stored callback keeps it: the body as text. */
export type StoredRequest = Pick<ReceivedCallback, 'method' | 'path' | 'contentType' | 'body'>;

/** Plivo sends about twenty fields; far more is not a callback, and would only cost memory. */
export const MAX_FIELDS = 1000;
/** What is kept of an async `response` that is not stored as parsed JSON (the full text stays in `params`). */
const RESPONSE_TEXT_CHARS = 4096;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new CallbackParseError('body is not valid UTF-8 text');
  }
}

function decodeFormComponent(component: string, where: string): string {
  // Most names and many values carry no escapes at all.
  const text = component.includes('+') ? component.replaceAll('+', ' ') : component;
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new CallbackParseError(`invalid percent-encoding in ${where}`);
  }
}

/**
 * URLSearchParams silently keeps malformed escapes; a callback with them is garbage worth flagging. One pass
 * over the text, without intermediate arrays or regular expressions: callbacks mostly arrive one at a time, on
 * cold CPU caches, where every extra step shows (the paced row of `npm run bench`).
 */
function parseUrlEncoded(text: string, where: string): Record<string, string> {
  const params: Record<string, string> = {};
  let fields = 0;
  // The next '=' at or after the current field (text.length when there is none): kept across fields, so that
  // many fields without a value do not each search the rest of the body.
  let separator = -1;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      tooManyFields(++fields, where);
      if (separator < start) {
        separator = text.indexOf('=', start);
        if (separator < 0) separator = text.length;
      }
      const hasValue = separator < end;
      const name = decodeFormComponent(text.slice(start, hasValue ? separator : end), where);
      setField(params, name, hasValue ? decodeFormComponent(text.slice(separator + 1, end), where) : '');
    }
    start = end + 1;
  }
  return params;
}

function tooManyFields(count: number, where: string): void {
  if (count > MAX_FIELDS) throw new CallbackParseError(`${count} fields in ${where}: more than ${MAX_FIELDS}`);
}

function flattenJsonValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function parseJsonObject(text: string): Record<string, string> {
  if (jsonDepthExceeds(text, DEFAULT_BOUNDS.maxDepth)) {
    throw new CallbackParseError(`JSON nested deeper than ${DEFAULT_BOUNDS.maxDepth} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CallbackParseError(`invalid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CallbackParseError('JSON body must be an object');
  }
  tooManyFields(Object.keys(parsed).length, 'JSON body');
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, flattenJsonValue(value)]));
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
}

/** Callback params: the query for GET, the body (JSON or form) for POST. */
export function parseCallbackParams(request: RawCallbackRequest): Record<string, string> {
  if (isGet(request)) return queryParams(request.path);
  return request.body.length === 0 ? {} : bodyParams(request.contentType, decodeUtf8(request.body));
}

/** The same for a request kept as text (a stored callback): the params the listener read from it. */
export function parseStoredRequestParams(request: StoredRequest): Record<string, string> {
  if (isGet(request)) return queryParams(request.path);
  return request.body === '' ? {} : bodyParams(request.contentType, request.body);
}

function isGet(request: Pick<RawCallbackRequest, 'method'>): boolean {
  return request.method.toUpperCase() === 'GET';
}

function queryParams(path: string): Record<string, string> {
  const queryStart = path.indexOf('?');
  return queryStart < 0 ? {} : parseUrlEncoded(path.slice(queryStart + 1), 'query string');
}

function bodyParams(contentType: string | undefined, text: string): Record<string, string> {
  const type = mediaType(contentType);
  if (type === 'application/json' || type.endsWith('+json')) return parseJsonObject(text);
  if (type === 'application/x-www-form-urlencoded') return parseUrlEncoded(text, 'form body');
  // Hand-made test requests (curl -d) often omit the header.
  if (type === '') return text.trimStart().startsWith('{') ? parseJsonObject(text) : parseUrlEncoded(text, 'form body');
  throw new CallbackParseError(
    `unsupported Content-Type ${type}: send application/json or application/x-www-form-urlencoded`,
  );
}

/** The async `response` field: parsed when it is JSON of sane depth, else kept as (cut) text with a note why. */
function parseResponseField(value: string | undefined): Pick<CallbackSummary, 'response' | 'responseNote'> {
  if (value === undefined) return {};
  const text = (note: string): Pick<CallbackSummary, 'response' | 'responseNote'> => ({
    response: value.length > RESPONSE_TEXT_CHARS ? `${value.slice(0, RESPONSE_TEXT_CHARS)}…` : value,
    ...(note ? { responseNote: note } : {}),
  });
  if (jsonDepthExceeds(value, DEFAULT_BOUNDS.maxDepth)) {
    return text(`kept as text: nested deeper than ${DEFAULT_BOUNDS.maxDepth} levels`);
  }
  try {
    return { response: boundedClone(JSON.parse(value)) };
  } catch {
    return text('');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** First non-empty string among `names`, looked up in each source in turn. */
function pick(sources: Array<Record<string, unknown>>, names: string[]): string | undefined {
  for (const source of sources) {
    for (const name of names) {
      const value = Object.hasOwn(source, name) ? source[name] : undefined;
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const text = String(value).trim();
      if (text !== '') return text;
    }
  }
  return undefined;
}

/** Plivo sends -1 while a recording is unfinished; that and garbage mean "unknown". */
function nonNegativeNumber(text: string | undefined): number | undefined {
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

const RECORD_URL_NAMES = ['record_url', 'RecordUrl', 'RecordFile'];
// The names each summary field is found under, snake_case as Plivo's callbacks send them, then CamelCase.
const CALL_UUID_NAMES = ['call_uuid', 'CallUUID'];
const SUMMARY_URL_NAMES = [...RECORD_URL_NAMES, 'url'];
const RECORDING_ID_NAMES = ['recording_id', 'RecordingID'];
const API_ID_NAMES = ['api_id', 'ApiID', 'APIID'];
const DURATION_NAMES = ['recording_duration', 'RecordingDuration', 'duration', 'Duration'];
const DURATION_MS_NAMES = ['recording_duration_ms', 'RecordingDurationMs'];
const TRANSCRIPTION_NAMES = ['transcription'];
const ERROR_NAMES = ['error'];
const MESSAGE_NAMES = ['message'];

export function classifyCallback(params: Record<string, string>): CallbackKind {
  if (
    RECORD_URL_NAMES.some((name) => Object.hasOwn(params, name)) ||
    params.message?.trim().toLowerCase() === 'record done'
  ) {
    return 'record';
  }
  if (Object.hasOwn(params, 'transcription')) return 'transcription';
  if (Object.hasOwn(params, 'response')) return 'async';
  return 'unknown';
}

export function summarizeCallback(params: Record<string, string>): CallbackSummary {
  const { response, responseNote } = parseResponseField(params.response);
  // Asynchronous-mode callbacks carry the API's answer inside `response`.
  const sources = isRecord(response) ? [params, response] : [params];
  const durationMs = nonNegativeNumber(pick(sources, DURATION_MS_NAMES));
  const fields: CallbackSummary = {
    callUuid: pick(sources, CALL_UUID_NAMES),
    recordUrl: pick(sources, SUMMARY_URL_NAMES),
    recordingId: pick(sources, RECORDING_ID_NAMES),
    apiId: pick(sources, API_ID_NAMES),
    durationSeconds:
      nonNegativeNumber(pick(sources, DURATION_NAMES)) ?? (durationMs === undefined ? undefined : durationMs / 1000),
    transcription: pick([params], TRANSCRIPTION_NAMES),
    transcriptionError: pick([params], ERROR_NAMES),
    message: pick(sources, MESSAGE_NAMES),
    response,
    responseNote,
  };
  // Drop absent fields so stored records stay small and `deepEqual`-friendly.
  const summary: Record<string, unknown> = {};
  for (const key in fields) {
    const value = fields[key as keyof CallbackSummary];
    if (value !== undefined) summary[key] = value;
  }
  return summary as CallbackSummary;
}
