// The history file's format: a header line, then one JSON line per change, oldest first.
//   {"format":"plivo-callbacks","version":2}
//   {"op":"add","entry":{...}}
//   {"op":"update","id":"...","patch":{...}}
// History beyond maxHistory is dropped implicitly: loading keeps the newest entries only.
import type { ReceivedCallback } from './model';

export const JOURNAL_FORMAT = 'plivo-callbacks';
export const JOURNAL_VERSION = 2;
/** The single-JSON-file format this journal replaces: `{"version":1,"callbacks":[newest, …]}`. */
export const LEGACY_VERSION = 1;

export type EntryPatch = Partial<Omit<ReceivedCallback, 'id'>>;

export const HEADER_LINE = `${JSON.stringify({ format: JOURNAL_FORMAT, version: JOURNAL_VERSION })}\n`;

export function addLine(entry: ReceivedCallback): string {
  return `${JSON.stringify({ op: 'add', entry })}\n`;
}

/** The entry an add line (as `addLine` writes it) holds. */
export function entryOfAddLine(line: string): ReceivedCallback {
  return (JSON.parse(line) as { entry: ReceivedCallback }).entry;
}

export function updateLine(id: string, patch: EntryPatch): string {
  return `${JSON.stringify({ op: 'update', id, patch })}\n`;
}

export type JournalRead =
  | { kind: 'entries'; entries: ReceivedCallback[]; corruptLines: number; tornTail: boolean }
  | { kind: 'newer'; version: number }
  | { kind: 'corrupt'; problem: string };

export function isStoredCallback(value: unknown): value is ReceivedCallback {
  const candidate = value as Partial<ReceivedCallback> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.id === 'string' &&
    typeof candidate.receivedAt === 'string'
  );
}

/** Replays a journal, keeping the newest `limit` entries (oldest first). Damaged lines are skipped and counted. */
export function readJournal(text: string, limit: number): JournalRead {
  const lines = text.split('\n');
  // A crash mid-append leaves a last line without its newline: expected, and not counted as damage.
  let tail = lines.pop() ?? '';
  let headerText = lines.shift();
  if (headerText === undefined) [headerText, tail] = [tail, ''];
  const header = parseLine(headerText);
  if (!header || header.format !== JOURNAL_FORMAT || typeof header.version !== 'number') {
    return { kind: 'corrupt', problem: 'it does not start with a history header' };
  }
  if (header.version > JOURNAL_VERSION) return { kind: 'newer', version: header.version };
  const entries = new Map<string, ReceivedCallback>();
  let corruptLines = 0;
  for (const line of lines) {
    if (line === '') continue;
    const record = parseLine(line);
    if (record?.op === 'add' && isStoredCallback(record.entry)) {
      entries.delete(record.entry.id);
      entries.set(record.entry.id, record.entry);
      if (entries.size > limit) entries.delete(entries.keys().next().value as string);
    } else if (record?.op === 'update' && typeof record.id === 'string' && isPatch(record.patch)) {
      const current = entries.get(record.id);
      if (current) entries.set(record.id, { ...current, ...record.patch, id: record.id });
    } else {
      corruptLines++;
    }
  }
  return { kind: 'entries', entries: [...entries.values()], corruptLines, tornTail: tail !== '' };
}

/** The version 1 file, newest first; it is migrated to the journal on first load. */
export function readLegacyFile(text: string, limit: number): JournalRead {
  let parsed: { version?: unknown; callbacks?: unknown } | null;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    return { kind: 'corrupt', problem: (error as Error).message };
  }
  if (parsed && typeof parsed.version === 'number' && parsed.version > LEGACY_VERSION) {
    return { kind: 'newer', version: parsed.version };
  }
  if (!parsed || !Array.isArray(parsed.callbacks)) return { kind: 'corrupt', problem: 'no "callbacks" list' };
  // A hand-edited file may repeat an id: like a journal replay, the newest version (listed first) is the one kept.
  const newest = new Map<string, ReceivedCallback>();
  for (const entry of parsed.callbacks.filter(isStoredCallback)) if (!newest.has(entry.id)) newest.set(entry.id, entry);
  const entries = [...newest.values()].slice(0, limit).reverse();
  return { kind: 'entries', entries, corruptLines: 0, tornTail: false };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isPatch(value: unknown): value is EntryPatch {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
