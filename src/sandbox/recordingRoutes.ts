// Plivo's Recording API below /v1/Account/{auth_id}/Recording/: list (paged, filtered), get, delete.
import { randomUUID } from 'node:crypto';
import { ApiError, integerParam, jsonReply, listMeta, type Reply } from './httpIo';
import type { SandboxRecording } from './types';

const MAX_LIST_LIMIT = 20;
const STORAGE_RATE = '0.0004';
const DAY_MS = 24 * 60 * 60 * 1000;
const ADD_TIME_FILTERS = ['add_time__gt', 'add_time__gte', 'add_time__lt', 'add_time__lte'] as const;
const EXACT_FILTERS: [string, (r: SandboxRecording) => string | undefined][] = [
  ['call_uuid', (r) => r.callUuid],
  ['from_number', (r) => r.from],
  ['to_number', (r) => r.to],
  ['conference_name', (r) => r.conferenceName],
];

/** What the routes need: the account's finished recordings (newest first) and a way to delete one. */
export interface RecordingStore {
  stored(authId: string): SandboxRecording[];
  remove(authId: string, recordingId: string): boolean;
}

export function listRecordings(authId: string, params: Record<string, unknown>, store: RecordingStore): Reply {
  const limit = integerParam(params, 'limit', 1, MAX_LIST_LIMIT) ?? MAX_LIST_LIMIT;
  const offset = integerParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const filters = new URLSearchParams();
  let matches = store.stored(authId);
  for (const [name, field] of EXACT_FILTERS) {
    const value = stringParam(params, name);
    if (value === undefined) continue;
    filters.set(name, value);
    matches = matches.filter((r) => field(r) === value);
  }
  for (const name of ADD_TIME_FILTERS) {
    const value = stringParam(params, name);
    if (value === undefined) continue;
    filters.set(name, value);
    const bound = parseAddTime(name, value);
    matches = matches.filter((r) => compare(name, addedAt(r).getTime(), bound));
  }
  const page = matches.slice(offset, offset + limit);
  return jsonReply(200, {
    api_id: randomUUID(),
    meta: listMeta(`/v1/Account/${authId}/Recording/`, filters, { limit, offset, total: matches.length }),
    objects: page.map((r) => recordingObject(r)),
  });
}

export function getRecording(authId: string, recordingId: string, store: RecordingStore): Reply {
  const recording = store.stored(authId).find((r) => r.recordingId === recordingId);
  if (!recording) throw new ApiError(404, 'not found');
  return jsonReply(200, { api_id: randomUUID(), ...recordingObject(recording) });
}

export function deleteRecording(authId: string, recordingId: string, store: RecordingStore): Reply {
  if (!store.remove(authId, recordingId)) throw new ApiError(404, 'not found');
  return { status: 204 };
}

/** A recording as Plivo's API shows it: numbers as decimal strings, `add_time` with its zone. */
export function recordingObject(r: SandboxRecording, now = new Date()): Record<string, unknown> {
  const durationMs = r.durationMs ?? 0;
  const startMs = r.startedAt.getTime();
  const added = addedAt(r);
  return {
    add_time: formatAddTime(added),
    call_uuid: r.callUuid,
    conference_name: r.conferenceName ?? null,
    conference_uuid: null,
    from_number: r.from,
    to_number: r.to,
    mpc_name: null,
    mpc_uuid: null,
    recording_duration_ms: durationMs.toFixed(5),
    recording_start_ms: startMs.toFixed(5),
    recording_end_ms: (startMs + durationMs).toFixed(5),
    recording_format: r.format,
    recording_id: r.recordingId,
    recording_type: r.conferenceName ? 'conference' : 'normal',
    recording_url: r.url,
    resource_uri: `/v1/Account/${r.authId}/Recording/${r.recordingId}/`,
    recording_storage_duration: String(1 + Math.floor(Math.max(0, now.getTime() - added.getTime()) / DAY_MS)),
    // Billed by the started minute, at least one.
    rounded_recording_duration: String(Math.max(1, Math.ceil(durationMs / 60_000)) * 60),
    recording_storage_rate: STORAGE_RATE,
    monthly_recording_storage_amount: '0.00000',
  };
}

function addedAt(r: SandboxRecording): Date {
  return r.endedAt ?? r.startedAt;
}

/** `2020-08-05 16:15:15.852000+00:00`: Plivo's shape, in UTC. */
function formatAddTime(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace('T', ' ')}000+00:00`;
}

/** `YYYY-MM-DD HH:MM[:ss[.uuuuuu]]`, read as UTC. */
function parseAddTime(name: string, value: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(:\d{2})?(?:\.(\d{1,6}))?$/.exec(value);
  const ms =
    match && Date.parse(`${match[1]}T${match[2]}${match[3] ?? ':00'}.${(match[4] ?? '').padEnd(3, '0').slice(0, 3)}Z`);
  if (!match || !Number.isFinite(ms)) {
    throw new ApiError(400, `${name} must be YYYY-MM-DD HH:MM[:ss[.uuuuuu]], got ${JSON.stringify(value)}`);
  }
  return ms as number;
}

function compare(name: (typeof ADD_TIME_FILTERS)[number], value: number, bound: number): boolean {
  switch (name) {
    case 'add_time__gt':
      return value > bound;
    case 'add_time__gte':
      return value >= bound;
    case 'add_time__lt':
      return value < bound;
    case 'add_time__lte':
      return value <= bound;
  }
}

function stringParam(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ApiError(400, `${name} must be a string`);
  return value;
}
