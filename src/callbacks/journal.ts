// The history file's format: a header line, then one JSON line per change, oldest first.
//   {"format":"plivo-callbacks","version":3}
//   {"op":"add","entry":{...}}
//   {"op":"update","id":"...","patch":{...}}
// History beyond maxHistory is dropped implicitly: loading keeps the newest entries only.
// Version 3 add lines leave out the params, kind and summary of an entry marked `paramsFromRequest`, which are read
// from its request again when decoded; version 2 lines always hold them, so a version 2 journal is rewritten before
// such lines are added to it, and older versions of the extension leave a version 3 journal alone.
import type { ReceivedCallback } from './model';
import { classifyCallback, parseStoredRequestParams, summarizeCallback } from './parse';

export const JOURNAL_FORMAT = 'plivo-callbacks';
export const JOURNAL_VERSION = 3;
/** The single-JSON-file format this journal replaces: `{"version":1,"callbacks":[newest, …]}`. */
export const LEGACY_VERSION = 1;

export type EntryPatch = Partial<Omit<ReceivedCallback, 'id'>>;

export const HEADER_LINE = `${JSON.stringify({ format: JOURNAL_FORMAT, version: JOURNAL_VERSION })}\n`;

export function addLine(entry: ReceivedCallback): string {
  if (entry.paramsFromRequest !== true) return `${JSON.stringify({ op: 'add', entry })}\n`;
  // A third of the line, and of the time serializing it takes, in the listener's busiest path.
  const { params, kind, summary, ...request } = entry;
  return `${JSON.stringify({ op: 'add', entry: request })}\n`;
}

/** The entry an add line (as `addLine` writes it) holds. */
export function entryOfAddLine(line: string): ReceivedCallback {
  return completeEntry((JSON.parse(line) as { entry: ReceivedCallback }).entry);
}

/**
 * `entry` with the params, kind and summary its line left out, read from its request (in place). A request that no
 * longer parses (a hand-edited file) keeps no params and loses its mark, so it is saved as it is shown.
 */
function completeEntry(entry: ReceivedCallback): ReceivedCallback {
  if (entry.paramsFromRequest !== true || entry.params !== undefined) return entry;
  let params: Record<string, string> = {};
  try {
    params = parseStoredRequestParams(entry);
  } catch {
    delete entry.paramsFromRequest;
  }
  entry.params = params;
  entry.kind = classifyCallback(params);
  entry.summary = summarizeCallback(params);
  return entry;
}

/** Fields a patch may change that params are read from: the patched entry then keeps its params as they are. */
const REQUEST_FIELDS: readonly string[] = ['method', 'path', 'contentType', 'body', 'params', 'kind', 'summary'];

/** `entry` with `patch` merged in, as the store's `update` makes it and a journal replay repeats it. */
export function patchedEntry(entry: ReceivedCallback, patch: EntryPatch): ReceivedCallback {
  const patched = { ...entry, ...patch, id: entry.id };
  if (REQUEST_FIELDS.some((field) => Object.hasOwn(patch, field))) delete patched.paramsFromRequest;
  return patched;
}

export function updateLine(id: string, patch: EntryPatch): string {
  return `${JSON.stringify({ op: 'update', id, patch })}\n`;
}

export type JournalRead =
  | { kind: 'entries'; entries: ReceivedCallback[]; corruptLines: number; tornTail: boolean; version: number }
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
      // Completed first: a patch that changes the request keeps the params the request read as before it.
      if (current) entries.set(record.id, patchedEntry(completeEntry(current), record.patch));
    } else {
      corruptLines++;
    }
  }
  // Params are read again only for the entries kept, not for versions replaced or dropped during the replay.
  return {
    kind: 'entries',
    entries: [...entries.values()].map(completeEntry),
    corruptLines,
    tornTail: tail !== '',
    version: header.version,
  };
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
  return { kind: 'entries', entries, corruptLines: 0, tornTail: false, version: LEGACY_VERSION };
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
