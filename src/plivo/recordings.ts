// Plivo's Recording API (docs/plivo-api.md, "Recording API"): query building and answer parsing.
import { PlivoError } from './errors';
import { callUuidProblem, truncate } from './validate';

/** Plivo returns at most 20 recordings per page. */
export const MAX_RECORDINGS_PAGE_SIZE = 20;

/** One stored recording, with Plivo's decimal strings (`"345100.00000"`) turned into numbers. */
export interface Recording {
  readonly recordingId: string;
  /** Empty for conference recordings that Plivo sends without one. */
  readonly callUuid: string;
  readonly url: string;
  /** `mp3` or `wav` as Plivo documents them; passed through as sent. */
  readonly format: string;
  /** `normal` (a call) or `conference`. */
  readonly type: string;
  readonly durationMs: number;
  /** Epoch milliseconds, when Plivo sent them. */
  readonly startMs?: number;
  readonly endMs?: number;
  /** `add_time` as sent, e.g. `2020-08-05 16:15:15.852059+05:30`. */
  readonly addTime: string;
  /** `add_time` as an instant; a time without a zone is read as UTC. Undefined when it cannot be read. */
  readonly addedAt?: Date;
  readonly conferenceName?: string;
  readonly conferenceUuid?: string;
  readonly mpcName?: string;
  readonly mpcUuid?: string;
  readonly fromNumber?: string;
  readonly toNumber?: string;
  readonly resourceUri?: string;
  /** Days the recording has been stored. */
  readonly storageDurationDays?: number;
  /** Billed duration in seconds (rounded up to whole minutes by Plivo). */
  readonly roundedDurationS?: number;
  readonly storageRate?: number;
  readonly monthlyStorageAmount?: number;
}

/** `add_time` bounds accept a Date (sent as UTC) or Plivo's `YYYY-MM-DD HH:MM[:ss[.uuuuuu]]`. */
export type RecordingTime = Date | string;

export interface RecordingFilters {
  callUuid?: string;
  addTimeGt?: RecordingTime;
  addTimeGte?: RecordingTime;
  addTimeLt?: RecordingTime;
  addTimeLte?: RecordingTime;
  /** E.164 number or SIP endpoint. */
  fromNumber?: string;
  toNumber?: string;
  conferenceName?: string;
}

export interface ListRecordingsOptions extends RecordingFilters {
  /** 1..20, default 20. */
  limit?: number;
  /** Default 0. */
  offset?: number;
}

export interface RecordingPageMeta {
  readonly totalCount: number;
  readonly limit: number;
  readonly offset: number;
  /** Relative URI of the next page, or null on the last page. */
  readonly next: string | null;
  readonly previous: string | null;
}

export interface RecordingPage {
  readonly recordings: Recording[];
  readonly meta: RecordingPageMeta;
}

/**
 * Recording ids are UUID-like, but Plivo's own examples include non-hex letters and short forms
 * (`c2186400-1c8c-11e4-a664-0026b945b52x`, `48dfaf60-3b2a-11e3`), so only the alphabet is checked.
 */
export const RECORDING_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

const ADD_TIME_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;

export function recordingIdProblem(recordingId: string): string | undefined {
  if (RECORDING_ID_PATTERN.test(recordingId)) return undefined;
  return `"${truncate(recordingId, 60)}" is not a Plivo recording id (letters, digits and dashes, e.g. c2186400-1c8c-11e4-a664-0026b945b52x).`;
}

/** Keeps recording ids from injecting path segments or queries into the request URL. */
export function assertRecordingId(recordingId: string): void {
  const problem = recordingIdProblem(recordingId);
  if (problem) throw new PlivoError('invalid-argument', problem, { param: 'recording_id' });
}

/** Formats a Date the way Plivo's `add_time` filters expect it (UTC, microseconds). */
export function formatAddTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}.${String(date.getUTCMilliseconds()).padStart(3, '0')}000`;
}

/** The query string of `GET /Recording/`; throws `invalid-argument` naming the first bad option. */
export function recordingListQuery(options: ListRecordingsOptions): Record<string, string> {
  const query: Record<string, string> = {
    limit: String(boundedInteger('limit', options.limit, 1, MAX_RECORDINGS_PAGE_SIZE) ?? MAX_RECORDINGS_PAGE_SIZE),
    offset: String(boundedInteger('offset', options.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0),
  };
  if (options.callUuid !== undefined) {
    // Checked like the Call API's UUIDs, so a typo fails here rather than silently matching nothing.
    const problem = callUuidProblem(options.callUuid);
    if (problem) throw invalid('call_uuid', problem);
    query.call_uuid = options.callUuid;
  }
  const times: [keyof RecordingFilters, string][] = [
    ['addTimeGt', 'add_time__gt'],
    ['addTimeGte', 'add_time__gte'],
    ['addTimeLt', 'add_time__lt'],
    ['addTimeLte', 'add_time__lte'],
  ];
  for (const [key, param] of times) {
    const value = options[key] as RecordingTime | undefined;
    if (value !== undefined) query[param] = addTimeParam(param, value);
  }
  const texts: [keyof RecordingFilters, string][] = [
    ['fromNumber', 'from_number'],
    ['toNumber', 'to_number'],
    ['conferenceName', 'conference_name'],
  ];
  for (const [key, param] of texts) {
    const value = options[key] as string | undefined;
    if (value !== undefined) query[param] = textParam(param, value);
  }
  return query;
}

/** Parses the body of `GET /Recording/`. */
export function toRecordingPage(body: Record<string, unknown> | undefined): RecordingPage {
  const objects = body?.objects;
  const meta = body?.meta;
  if (!Array.isArray(objects)) throw badShape('objects');
  if (!isObject(meta)) throw badShape('meta');
  const recordings = objects.map((o) => {
    if (!isObject(o)) throw badShape('objects');
    return toRecording(o);
  });
  return { recordings, meta: toPageMeta(meta, recordings.length) };
}

/** The `meta` of Plivo's paged lists (Recording, Subaccount); `count` is the number of objects on the page. */
export function toPageMeta(meta: Record<string, unknown>, count: number): RecordingPageMeta {
  return {
    totalCount: decimal(meta.total_count) ?? count,
    limit: decimal(meta.limit) ?? count,
    offset: decimal(meta.offset) ?? 0,
    next: typeof meta.next === 'string' && meta.next !== '' ? meta.next : null,
    previous: typeof meta.previous === 'string' && meta.previous !== '' ? meta.previous : null,
  };
}

/** Parses one recording object (`GET /Recording/{id}/` or an element of `objects`). */
export function toRecording(body: Record<string, unknown> | undefined): Recording {
  const recordingId = text(body?.recording_id);
  const url = text(body?.recording_url);
  if (!recordingId) throw badShape('recording_id');
  if (!url) throw badShape('recording_url');
  const addTime = text(body?.add_time) ?? '';
  return {
    recordingId,
    callUuid: text(body?.call_uuid) ?? '',
    url,
    format: text(body?.recording_format) ?? formatFromUrl(url),
    type: text(body?.recording_type) ?? 'normal',
    durationMs: decimal(body?.recording_duration_ms) ?? 0,
    startMs: decimal(body?.recording_start_ms),
    endMs: decimal(body?.recording_end_ms),
    addTime,
    addedAt: parseAddTime(addTime),
    conferenceName: text(body?.conference_name),
    conferenceUuid: text(body?.conference_uuid),
    mpcName: text(body?.mpc_name),
    mpcUuid: text(body?.mpc_uuid),
    fromNumber: text(body?.from_number),
    toNumber: text(body?.to_number),
    resourceUri: text(body?.resource_uri),
    storageDurationDays: decimal(body?.recording_storage_duration),
    roundedDurationS: decimal(body?.rounded_recording_duration),
    storageRate: decimal(body?.recording_storage_rate),
    monthlyStorageAmount: decimal(body?.monthly_recording_storage_amount),
  };
}

/** Reads `2020-08-05 16:15:15.852059+05:30` or `2012-02-04T23:33:08.079231`; no zone means UTC. */
export function parseAddTime(value: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!match) return undefined;
  const [, day, time, fraction = '', zone = 'Z'] = match;
  const ms = fraction.padEnd(3, '0').slice(0, 3);
  const date = new Date(`${day}T${time.length === 5 ? `${time}:00` : time}.${ms}${zone}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function addTimeParam(param: string, value: RecordingTime): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(param, `${param} is an invalid date.`);
    return formatAddTime(value);
  }
  const trimmed = value.trim();
  if (!ADD_TIME_PATTERN.test(trimmed)) {
    throw invalid(
      param,
      `${param} must look like YYYY-MM-DD HH:MM[:ss[.uuuuuu]] (got ${JSON.stringify(truncate(value, 40))}).`,
    );
  }
  return trimmed;
}

function textParam(param: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > 128 || /[\p{Cc}]/u.test(trimmed)) {
    throw invalid(
      param,
      `${param} must be 1 to 128 printable characters (got ${JSON.stringify(truncate(value, 40))}).`,
    );
  }
  return trimmed;
}

export function boundedInteger(param: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(param, `${param} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)}).`);
  }
  return value;
}

/** Plivo sends numbers as decimal strings (`"345100.00000"`), sometimes as JSON numbers. */
function decimal(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function formatFromUrl(url: string): string {
  return /\.(mp3|wav)(?:$|[?#])/i.exec(url)?.[1].toLowerCase() ?? '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalid(param: string, message: string): PlivoError {
  return new PlivoError('invalid-argument', message, { param });
}

function badShape(field: string): PlivoError {
  return new PlivoError(
    'bad-response',
    `Plivo's recording answer lacks a valid "${field}" field; is the API base URL a Plivo API?`,
  );
}
