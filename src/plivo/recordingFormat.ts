// How stored recordings read in the editor, and the filters a person can put on the list. Pure text, no VS Code API.
import type { Recording, RecordingFilters } from './recordings';
import { callNumbers } from './format';
import { isLoopbackHost } from './hostTrust';
import { truncate } from './validate';

/** When the recording started: `recording_start_ms`, else `add_time` (when it was stored). */
export function recordingStart(r: Pick<Recording, 'startMs' | 'addedAt'>): Date | undefined {
  if (r.startMs !== undefined && r.startMs > 0) return new Date(r.startMs);
  return r.addedAt;
}

/** `+1 415 555 0101 → +1 415 555 0202` (as Calls shows numbers), or the conference's name for conference recordings. */
export function recordingTitle(r: Pick<Recording, 'fromNumber' | 'toNumber' | 'conferenceName' | 'type'>): string {
  if (r.conferenceName) return `Conference ${r.conferenceName}`;
  if (r.fromNumber || r.toNumber) return callNumbers({ from: r.fromNumber, to: r.toNumber });
  return r.type === 'conference' ? 'Conference recording' : 'Call recording';
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDurationMs(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The local calendar day, `YYYY-MM-DD`, that groups a recording. */
export function localDayKey(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `Today`, `Yesterday`, or e.g. `Mon, 23 Nov 2026` for a `YYYY-MM-DD` day key. */
export function dayLabel(dayKey: string, now = new Date()): string {
  if (dayKey === localDayKey(now)) return 'Today';
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (dayKey === localDayKey(yesterday)) return 'Yesterday';
  const [y, m, d] = dayKey.split('-').map(Number);
  if (!y || !m || !d) return 'Unknown date';
  return new Date(y, m - 1, d).toLocaleDateString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}

export interface DayGroup<T> {
  /** `YYYY-MM-DD`, or `unknown` when a recording has no time. */
  readonly day: string;
  readonly items: T[];
}

/** Groups recordings by their local start day, in the order given (Plivo lists newest first). */
export function groupByDay<T extends Pick<Recording, 'startMs' | 'addedAt'>>(recordings: readonly T[]): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  for (const r of recordings) {
    const start = recordingStart(r);
    const day = start ? localDayKey(start) : 'unknown';
    const group = groups.find((g) => g.day === day);
    if (group) group.items.push(r);
    else groups.push({ day, items: [r] });
  }
  return groups;
}

/** What the Recordings view is narrowed to; each field is one of Plivo's list filters. */
export interface RecordingsFilter {
  readonly callUuid?: string;
  readonly fromNumber?: string;
  readonly toNumber?: string;
  /** Local days, `YYYY-MM-DD`, both included. */
  readonly fromDay?: string;
  readonly toDay?: string;
}

export function isEmptyFilter(filter: RecordingsFilter): boolean {
  return Object.values(filter).every((v) => v === undefined);
}

/** `call 2f1c…, from +1415…, 2026-11-20 – 2026-11-25`: the view's description while filtered. */
export function describeFilter(filter: RecordingsFilter): string {
  const parts: string[] = [];
  if (filter.callUuid) parts.push(`call ${truncate(filter.callUuid, 13)}`);
  if (filter.fromNumber) parts.push(`from ${filter.fromNumber}`);
  if (filter.toNumber) parts.push(`to ${filter.toNumber}`);
  if (filter.fromDay && filter.toDay) {
    parts.push(filter.fromDay === filter.toDay ? `on ${filter.fromDay}` : `${filter.fromDay} – ${filter.toDay}`);
  } else if (filter.fromDay) parts.push(`since ${filter.fromDay}`);
  else if (filter.toDay) parts.push(`until ${filter.toDay}`);
  return parts.join(', ');
}

/** The list query for a filter; local days become `add_time` bounds in UTC. */
export function filterQuery(filter: RecordingsFilter): RecordingFilters {
  const query: RecordingFilters = {};
  if (filter.callUuid) query.callUuid = filter.callUuid;
  if (filter.fromNumber) query.fromNumber = filter.fromNumber;
  if (filter.toNumber) query.toNumber = filter.toNumber;
  if (filter.fromDay) query.addTimeGte = localDayStart(filter.fromDay);
  if (filter.toDay) {
    const end = localDayStart(filter.toDay);
    query.addTimeLt = new Date(end.getFullYear(), end.getMonth(), end.getDate() + 1);
  }
  return query;
}

/** Why `text` is not a number filter (E.164 digits with an optional `+`, or a SIP endpoint), or undefined. */
export function numberFilterProblem(text: string): string | undefined {
  const value = text.trim();
  if (/^\+?\d{3,16}$/.test(value) || /^sip:[^\s]{3,120}$/i.test(value)) return undefined;
  return 'Type a phone number in E.164 form (14155550101 or +14155550101) or a SIP endpoint (sip:alice@example.com).';
}

/**
 * Reads a date range typed by a person: `2026-11-25` (that day), `2026-11-20..2026-11-25`,
 * `2026-11-20..` (since), `..2026-11-25` (until), `today`, `yesterday`, or `7d` (the last 7 days, today included).
 */
export function parseDayRange(
  text: string,
  now = new Date(),
): { fromDay?: string; toDay?: string } | { problem: string } {
  const value = text.trim().toLowerCase();
  const today = localDayKey(now);
  if (value === 'today') return { fromDay: today, toDay: today };
  if (value === 'yesterday') {
    const day = localDayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
    return { fromDay: day, toDay: day };
  }
  const days = /^(\d{1,4})\s*d$/.exec(value);
  if (days) {
    const n = Number(days[1]);
    if (n < 1) return { problem: 'The number of days must be at least 1.' };
    return { fromDay: localDayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - (n - 1))), toDay: today };
  }
  const [first, second, ...rest] = value.split('..').map((s) => s.trim());
  const range = second === undefined ? { fromDay: first, toDay: first } : { fromDay: first, toDay: second };
  const problem =
    'Type a day (2026-11-25), a range (2026-11-20..2026-11-25, 2026-11-20.., ..2026-11-25), today, yesterday or 7d.';
  if (rest.length || (!range.fromDay && !range.toDay)) return { problem };
  for (const day of [range.fromDay, range.toDay]) if (day && !isDay(day)) return { problem };
  if (range.fromDay && range.toDay && range.fromDay > range.toDay) {
    return { problem: `The range starts after it ends (${range.fromDay} > ${range.toDay}).` };
  }
  return { fromDay: range.fromDay || undefined, toDay: range.toDay || undefined };
}

/** True for URLs that only this machine can reach: a browser elsewhere (code-server) cannot open them. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  // Wider than loopback: names a browser resolves locally, and the any-address a server was bound to.
  return isLoopbackHost(host) || host.endsWith('.localhost') || host === '0.0.0.0' || host === '[::]';
}

/** `<call UUID or recording id>.<format>`, what a saved recording is called by default. */
export function recordingFileName(r: { callUuid?: string; recordingId?: string; format: string }): string {
  const base = (r.callUuid || r.recordingId || 'recording').replace(/[^A-Za-z0-9._-]/g, '_');
  return `${base}.${r.format || 'mp3'}`;
}

function localDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

function isDay(day: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return false;
  const [y, m, d] = match.slice(1).map(Number);
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d;
}
