// Received-callback history: kept in memory, persisted as an append-only journal (format in journal.ts, writing
// and fsync policy in journalWriter.ts).
//
// Cost per callback is constant: one appended line. When the file has grown to twice the size of what it still
// holds, it is compacted in the background (the part still needed is copied to a temp file, fsynced and renamed
// over the journal; see journalWriter.ts), so each byte of history is written about twice in all, whatever
// maxHistory is, and serialized once.
//
// A failed save never loses a callback: it stays in memory, `saveProblem` says what went wrong in plain words, and
// saving is retried with backoff, rewriting the whole file from memory.
//
// In memory each entry is kept as its journal line, not as objects: a callback is some 35 small objects (headers,
// params and their strings) but one string as a line, and the garbage collector copies and traces every object it
// keeps. Readers get the entry decoded from its line, a new object each time; `revisionOf` tells them whether an
// entry changed since they read it.
import { readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Emitter } from '../common/emitter';
import type { IDisposable } from '../common/lifecycle';
import { boundedEntry, withinBounds } from './boundedEntry';
import { errorCode, reasonOf } from './fsProblem';
import {
  addLine,
  entryOfAddLine,
  JOURNAL_VERSION,
  patchedEntry,
  readJournal,
  readLegacyFile,
  updateLine,
  type EntryPatch,
  type JournalRead,
} from './journal';
import { JournalWriter, type StoredLine, type WriterStats } from './journalWriter';
import type { ReceivedCallback } from './model';

const FILE_NAME = 'callbacks.jsonl';
/** The version 1 history (one JSON document), migrated on first load. */
const LEGACY_FILE_NAME = 'callbacks.json';
/** See the save policy in journalWriter.ts. */
const DEFAULT_SAVE_DELAY_MS = 1000;
/** Small histories are not compacted for every few lines. */
const COMPACT_SLACK_BYTES = 256 * 1024;

export interface StoreLoadResult {
  /** Set when the file could not be used as it is; what the store did about it. */
  warning?: string;
  /** Damaged lines that were skipped. */
  corruptLines?: number;
  /** The last line was cut short (a crash mid-write) and was dropped. */
  tornTail?: boolean;
}

/** One change of the history, for views that update incrementally. */
export interface StoreChange {
  /** Everything listed before is gone (load, clear); `added` then holds the whole history. */
  readonly cleared: boolean;
  /** New entries, newest first. */
  readonly added: readonly ReceivedCallback[];
  /** Entries replaced by a newer version of themselves (same id). */
  readonly updated: readonly ReceivedCallback[];
  /** Ids of entries dropped (oldest beyond maxHistory). */
  readonly removed: readonly string[];
}

export type StoreStats = WriterStats;

/** One entry as the store keeps it. A new version of an entry is a new record. */
interface StoredRecord extends StoredLine {
  /** Increases with every add and update in this store, so a reader can tell a changed entry by its revision. */
  readonly revision: number;
  /** UTF-8 bytes of the journal this entry accounts for: its add line and any update lines after it. */
  journalBytes: number;
}

export interface CallbackStoreOptions {
  maxHistory?: number;
  /** Delay before save retry number `attempt` (1-based) after a failure; tests shorten it. */
  retryDelayMs?: (attempt: number) => number;
  /** Longest a new entry waits to be written, so a stream of callbacks shares writes (journalWriter.ts); tests set 0. */
  saveDelayMs?: number;
}

export class CallbackStore {
  readonly #directory: string;
  /** Oldest first, so adding is a push. */
  #items: StoredRecord[] = [];
  readonly #byId = new Map<string, StoredRecord>();
  #revision = 0;
  /** Journal bytes the kept entries account for: what a compacted journal would hold. */
  #liveBytes = 0;
  #historyLimit: number;
  readonly #writer: JournalWriter;
  readonly #onDidChange = new Emitter<StoreChange>();
  readonly #onDidChangeSaveProblem = new Emitter<string | undefined>();
  #saveProblem: string | undefined;

  constructor(directory: string, options: CallbackStoreOptions = {}) {
    this.#directory = directory;
    this.#historyLimit = Math.max(1, Math.floor(options.maxHistory ?? 500));
    this.#writer = new JournalWriter({
      filePath: this.filePath,
      lines: () => this.#items,
      compactionDue: (fileBytes) => this.#compactionDue(fileBytes),
      oldestId: () => this.#items[0]?.id,
      onRewritten: (entries, lineBytes) => this.#rewritten(entries, lineBytes),
      onProblem: (problem) => this.#setProblem(problem),
      retryDelayMs: options.retryDelayMs ?? ((attempt) => Math.min(1000 * 2 ** (attempt - 1), 60_000)),
      saveDelayMs: options.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS,
    });
  }

  get filePath(): string {
    return join(this.#directory, FILE_NAME);
  }

  get maxHistory(): number {
    return this.#historyLimit;
  }

  /** Lowering the limit drops the oldest entries at once; call `flush()` to wait for the save. */
  set maxHistory(limit: number) {
    this.#historyLimit = Math.max(1, Math.floor(limit));
    const removed = this.#trim();
    if (removed.length === 0) return;
    this.#onDidChange.fire({ cleared: false, added: [], updated: [], removed });
    this.#writer.rewriteNext();
    void this.#writer.save();
  }

  /** Why the history is not being saved right now, in plain words; undefined while saves succeed. */
  get saveProblem(): string | undefined {
    return this.#saveProblem;
  }

  get size(): number {
    return this.#items.length;
  }

  /**
   * Replaces the in-memory history with the file's. Nothing is written before it, since that would replace the
   * file's history. Never throws: a damaged file is repaired or moved aside, and an unreadable or newer-format file
   * is left untouched while the history is kept in memory only.
   */
  async load(): Promise<StoreLoadResult> {
    await this.#writer.stop();
    this.#setProblem(undefined);
    await this.#removeLeftoverTempFiles();
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if (isMissing(error)) return this.#loadLegacy();
      return this.#keepInMemory(this.filePath, `could not be read (${reasonOf(error)})`);
    }
    return this.#adopt(readJournal(text, this.#historyLimit), this.filePath, Buffer.byteLength(text, 'utf8'));
  }

  /** Newest first, each entry decoded anew: a page of a long history is cheaper with `slice`. */
  list(): readonly ReceivedCallback[] {
    return this.slice(0);
  }

  /** Every entry's id, newest first; nothing is decoded. */
  ids(): string[] {
    const ids: string[] = [];
    for (let index = this.#items.length - 1; index >= 0; index--) ids.push(this.#items[index].id);
    return ids;
  }

  /** Entries `start` (inclusive) to `end` (exclusive), counted from the newest; only these are decoded. */
  slice(start: number, end = this.#items.length): readonly ReceivedCallback[] {
    const length = this.#items.length;
    const from = Math.max(0, length - Math.min(end, length));
    const to = Math.max(from, length - Math.max(0, start));
    const entries: ReceivedCallback[] = [];
    for (let index = to - 1; index >= from; index--) entries.push(entryOf(this.#items[index]));
    return entries;
  }

  /** The entry decoded from its record: a new object on every call. */
  get(id: string): ReceivedCallback | undefined {
    const record = this.#byId.get(id);
    return record && entryOf(record);
  }

  /** Changes whenever the entry does (and when it is gone: undefined); cheaper than comparing decoded entries. */
  revisionOf(id: string): number | undefined {
    return this.#byId.get(id)?.revision;
  }

  /**
   * Adds at the top, within bounds (body cut at 16 KiB, deep nesting flattened). Resolves once written, or at
   * once when saving is failing (see `saveProblem`; the entry stays in memory and is saved on retry). Never rejects.
   */
  add(callback: ReceivedCallback): Promise<void> {
    const { entry, line } = storedAddition(callback);
    const removed: string[] = [];
    if (this.#byId.has(entry.id)) {
      this.#forget(entry.id);
      removed.push(entry.id);
    }
    const record = this.#record(entry.id, line, Buffer.byteLength(line, 'utf8'));
    this.#items.push(record);
    this.#byId.set(entry.id, record);
    removed.push(...this.#trim());
    this.#onDidChange.fire({ cleared: false, added: [entry], updated: [], removed });
    return this.#writer.save({ text: line, bytes: record.journalBytes, adds: entry.id });
  }

  /** Merges `patch` into one entry (e.g. its forward result); resolves to the new entry, or undefined if gone. */
  async update(id: string, patch: EntryPatch): Promise<ReceivedCallback | undefined> {
    const current = this.#byId.get(id);
    if (!current) return undefined;
    const updated = boundedEntry(patchedEntry(entryOf(current), patch));
    const stored = Object.fromEntries(Object.keys(patch).map((key) => [key, updated[key as keyof ReceivedCallback]]));
    const line = updateLine(id, stored);
    const bytes = Buffer.byteLength(line, 'utf8');
    this.#liveBytes -= current.journalBytes;
    const record = this.#record(id, addLine(updated), current.journalBytes + bytes);
    this.#items[this.#items.indexOf(current)] = record;
    this.#byId.set(id, record);
    this.#onDidChange.fire({ cleared: false, added: [], updated: [updated], removed: [] });
    await this.#writer.save({ text: line, bytes });
    return updated;
  }

  clear(): Promise<void> {
    this.#replaceAll([]);
    this.#writer.rewriteNext();
    return this.#writer.save();
  }

  /** Waits until every change made so far is written and fsynced (or failed to be). */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Listeners get what changed; `() => void` listeners keep working. */
  onDidChange(listener: (change: StoreChange) => void): IDisposable {
    return this.#onDidChange.event(listener);
  }

  /** Fires when `saveProblem` appears, changes or clears (undefined). */
  onDidChangeSaveProblem(listener: (problem: string | undefined) => void): IDisposable {
    return this.#onDidChangeSaveProblem.event(listener);
  }

  stats(): StoreStats {
    return this.#writer.stats();
  }

  /** Saves what is pending, then stops retrying and closes the file. */
  dispose(): Promise<void> {
    return this.#writer.dispose();
  }

  async #loadLegacy(): Promise<StoreLoadResult> {
    const legacyPath = join(this.#directory, LEGACY_FILE_NAME);
    let text: string;
    try {
      text = await readFile(legacyPath, 'utf8');
    } catch (error) {
      if (isMissing(error)) {
        return this.#adopt({
          kind: 'entries',
          entries: [],
          corruptLines: 0,
          tornTail: false,
          version: JOURNAL_VERSION,
        });
      }
      return this.#keepInMemory(legacyPath, `could not be read (${reasonOf(error)})`);
    }
    return this.#adopt(readLegacyFile(text, this.#historyLimit), legacyPath);
  }

  /** Takes what was read from `path` (the journal, or the old-format file to migrate) of `fileBytes`. */
  async #adopt(read: JournalRead, path = this.filePath, fileBytes = 0): Promise<StoreLoadResult> {
    if (read.kind === 'newer') {
      return this.#keepInMemory(path, `was written by a newer version of this extension (format ${read.version})`);
    }
    if (read.kind === 'corrupt') {
      this.#replaceAll([]);
      const warning = await this.#moveAside(path, `was corrupt (${read.problem})`);
      this.#writer.start(0, false);
      return { warning };
    }
    this.#replaceAll(read.entries.map(boundedEntry));
    const migrating = path !== this.filePath;
    // Appending after a torn line would glue the next entry to it, so a damaged journal is rewritten first; so is
    // an older version's, whose readers expect params in every line (journal.ts).
    const damaged = read.corruptLines > 0 || read.tornTail;
    const outdated = read.version < JOURNAL_VERSION;
    this.#writer.start(
      migrating ? 0 : fileBytes,
      migrating || damaged || outdated || this.#compactionDue(fileBytes),
      migrating ? path : undefined,
    );
    const result: StoreLoadResult = {};
    if (read.corruptLines > 0) {
      const one = read.corruptLines === 1;
      result.corruptLines = read.corruptLines;
      result.warning = `${read.corruptLines} damaged ${one ? 'entry' : 'entries'} in the callback history file ${path} could not be read and ${one ? 'was' : 'were'} skipped.`;
    }
    if (read.tornTail) result.tornTail = true;
    return result;
  }

  #keepInMemory(path: string, problem: string): StoreLoadResult {
    this.#replaceAll([]);
    const detail = `callback history file ${path} ${problem}; it is left as it is, and callbacks are kept in memory only`;
    this.#setProblem(`the ${detail}`);
    return { warning: `The ${detail}.` };
  }

  async #moveAside(path: string, problem: string): Promise<string> {
    const asidePath = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(path, asidePath);
      return `The callback history file ${problem}; it was moved to ${asidePath} and the history starts empty.`;
    } catch (error) {
      return `The callback history file ${problem} and could not be moved aside (${reasonOf(error)}); the history starts empty.`;
    }
  }

  /** Temp files of a compaction that a crash interrupted; those of a still-running process are left alone. */
  async #removeLeftoverTempFiles(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#directory);
    } catch {
      return;
    }
    for (const name of names) {
      const match = /^callbacks\.jsonl?\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
      if (match && !isOtherLiveProcess(Number(match[1]))) {
        await unlink(join(this.#directory, name)).catch(() => undefined);
      }
    }
  }

  /** `entries` oldest first, each id once (as both readers in journal.ts return them). */
  #replaceAll(entries: readonly ReceivedCallback[]): void {
    const kept = entries.slice(-this.#historyLimit);
    this.#items = [];
    this.#byId.clear();
    this.#liveBytes = 0;
    for (const entry of kept) {
      const line = addLine(entry);
      const record = this.#record(entry.id, line, Buffer.byteLength(line, 'utf8'));
      this.#items.push(record);
      this.#byId.set(entry.id, record);
    }
    this.#onDidChange.fire({ cleared: true, added: kept.reverse(), updated: [], removed: [] });
  }

  /** A new record, counted in the live bytes. */
  #record(id: string, line: string, journalBytes: number): StoredRecord {
    this.#liveBytes += journalBytes;
    return { id, line, revision: ++this.#revision, journalBytes };
  }

  #forget(id: string): void {
    const record = this.#byId.get(id);
    if (!record) return;
    this.#items.splice(this.#items.indexOf(record), 1);
    this.#byId.delete(id);
    this.#liveBytes -= record.journalBytes;
  }

  /** Drops the oldest entries beyond maxHistory; returns their ids. */
  #trim(): string[] {
    const dropped: string[] = [];
    // One at a time from the front: V8 trims an array's head in place, where splice would copy the rest.
    while (this.#items.length > this.#historyLimit) {
      const { id, journalBytes } = this.#items.shift() as StoredRecord;
      this.#byId.delete(id);
      this.#liveBytes -= journalBytes;
      dropped.push(id);
    }
    return dropped;
  }

  #compactionDue(fileBytes: number): boolean {
    return fileBytes > 2 * this.#liveBytes + COMPACT_SLACK_BYTES;
  }

  /** Entries unchanged since the rewrite's snapshot now take exactly one line each. */
  #rewritten(records: readonly StoredLine[], lineBytes: readonly number[]): void {
    for (const [index, written] of records.entries()) {
      const record = this.#byId.get(written.id);
      if (record !== written) continue;
      this.#liveBytes += lineBytes[index] - record.journalBytes;
      record.journalBytes = lineBytes[index];
    }
  }

  #setProblem(problem: string | undefined): void {
    if (problem === this.#saveProblem) return;
    this.#saveProblem = problem;
    this.#onDidChangeSaveProblem.fire(problem);
  }
}

/**
 * `callback` within bounds, and its journal line. A callback already within bounds (every one the listener makes,
 * short of a huge body) is serialized once and needs no copy: the store keeps its line, not the object.
 */
function storedAddition(callback: ReceivedCallback): { entry: ReceivedCallback; line: string } {
  try {
    const line = addLine(callback);
    if (withinBounds(callback, line.length)) return { entry: callback, line };
  } catch {
    // Nested too deep for JSON.stringify: the bounded copy below flattens it.
  }
  const bounded = boundedEntry(callback);
  return { entry: bounded, line: addLine(bounded) };
}

function entryOf(record: StoredLine): ReceivedCallback {
  return entryOfAddLine(record.line);
}

/** No file there: also when a path component is a file, since no folder exists there either. */
function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR';
}

function isOtherLiveProcess(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}
