// Received-callback history: kept in memory, persisted as an append-only journal (format in journal.ts).
//
// Cost per callback is constant: one appended line. When the file has grown to twice the size of what it still
// holds, it is compacted in the background (rewritten to a temp file, fsynced, renamed over the journal), so each
// byte of history is written about twice in all, whatever maxHistory is.
//
// fsync policy: lines are written to the file as soon as they arrive, so a crash of the editor loses nothing that
// add() resolved; fsync runs at most every SYNC_INTERVAL_MS, so an OS crash or power loss can lose the callbacks of
// the last 200 ms. Syncing every line would cost one disk flush per request, which a burst of callbacks cannot
// afford on slow disks. Compaction always fsyncs before its rename, so a crash leaves either journal whole.
//
// A failed save never loses a callback: it stays in memory, `saveProblem` says what went wrong in plain words, and
// saving is retried with backoff, rewriting the whole file from memory (a failed append may have torn its line).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { boundedEntry } from './boundedEntry';
import { errorCode, fileStep, FileStepError, reasonOf } from './fsProblem';
import {
  addLine,
  HEADER_LINE,
  readJournal,
  readLegacyFile,
  updateLine,
  type EntryPatch,
  type JournalRead,
} from './journal';
import type { ReceivedCallback } from './model';

const FILE_NAME = 'callbacks.jsonl';
/** The version 1 history (one JSON document), migrated on first load. */
const LEGACY_FILE_NAME = 'callbacks.json';
const SYNC_INTERVAL_MS = 200;
/** Small histories are not compacted for every few lines. */
const COMPACT_SLACK_BYTES = 256 * 1024;
/** Compaction writes in chunks of this size, yielding to the event loop between them. */
const COMPACT_CHUNK_CHARS = 256 * 1024;

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

export interface StoreStats {
  /** Bytes handed to the file system since the store was created (appends and compactions). */
  bytesWritten: number;
  appends: number;
  compactions: number;
  syncs: number;
  /** Current size of the journal. */
  fileBytes: number;
}

export interface CallbackStoreOptions {
  maxHistory?: number;
  /** Delay before save retry number `attempt` (1-based) after a failure; tests shorten it. */
  retryDelayMs?: (attempt: number) => number;
}

export interface Disposable {
  dispose(): void;
}

export class CallbackStore {
  readonly #directory: string;
  /** Oldest first, so adding is a push. */
  #items: ReceivedCallback[] = [];
  readonly #byId = new Map<string, ReceivedCallback>();
  /** Journal bytes each entry accounts for (its add line and later update lines). */
  readonly #lineBytes = new Map<string, number>();
  #liveBytes = 0;
  #historyLimit: number;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #changeListeners = new Set<(change: StoreChange) => void>();
  readonly #problemListeners = new Set<(problem: string | undefined) => void>();
  #saveProblem: string | undefined;
  /** False when the file must be left alone (unreadable, newer format): the history is then kept in memory only. */
  #persist = true;
  /** The file must be rewritten from memory: no journal yet, after clear/trim, compaction due, or after a failure. */
  #rewriteNeeded = true;
  #legacyToRemove: string | undefined;
  /** Lines not yet written; dropped when a rewrite is due, since the rewrite writes memory as a whole. */
  #pending: string[] = [];
  #whenWritten: (() => void)[] = [];
  #whenSynced: (() => void)[] = [];
  #unsynced = false;
  #forceSync = false;
  #lastSyncAt = 0;
  #syncTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #draining = false;
  #disposed = false;
  #handle: FileHandle | undefined;
  readonly #stats: StoreStats = { bytesWritten: 0, appends: 0, compactions: 0, syncs: 0, fileBytes: 0 };

  constructor(directory: string, options: CallbackStoreOptions = {}) {
    this.#directory = directory;
    this.#historyLimit = Math.max(1, Math.floor(options.maxHistory ?? 500));
    this.#retryDelayMs = options.retryDelayMs ?? ((attempt) => Math.min(1000 * 2 ** (attempt - 1), 60_000));
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
    this.#emit({ cleared: false, added: [], updated: [], removed });
    this.#rewriteNeeded = true;
    void this.#save();
  }

  /** Why the history is not being saved right now, in plain words; undefined while saves succeed. */
  get saveProblem(): string | undefined {
    return this.#saveProblem;
  }

  get size(): number {
    return this.#items.length;
  }

  /**
   * Replaces the in-memory history with the file's. Never throws: a damaged file is repaired or moved aside, and an
   * unreadable or newer-format file is left untouched while the history is kept in memory only.
   */
  async load(): Promise<StoreLoadResult> {
    await this.#closeHandle();
    this.#persist = true;
    this.#stats.fileBytes = 0;
    await this.#removeLeftoverTempFiles();
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if (isMissing(error)) return this.#loadLegacy();
      return this.#keepInMemory(this.filePath, `could not be read (${reasonOf(error)})`);
    }
    this.#stats.fileBytes = Buffer.byteLength(text, 'utf8');
    return this.#adopt(readJournal(text, this.#historyLimit), this.filePath);
  }

  /** Newest first. */
  list(): readonly ReceivedCallback[] {
    return this.#items.slice().reverse();
  }

  /** Entries `start` (inclusive) to `end` (exclusive), counted from the newest; cheap for a page of a long history. */
  slice(start: number, end = this.#items.length): readonly ReceivedCallback[] {
    const length = this.#items.length;
    const from = Math.max(0, length - Math.min(end, length));
    const to = Math.max(from, length - Math.max(0, start));
    return this.#items.slice(from, to).reverse();
  }

  get(id: string): ReceivedCallback | undefined {
    return this.#byId.get(id);
  }

  /**
   * Adds at the top (a bounded copy: body cut at 16 KiB, deep nesting flattened). Resolves once written, or at
   * once when saving is failing (see `saveProblem`; the entry stays in memory and is saved on retry). Never rejects.
   */
  add(callback: ReceivedCallback): Promise<void> {
    const entry = boundedEntry(callback);
    const removed: string[] = [];
    if (this.#byId.has(entry.id)) {
      this.#forget(entry.id);
      removed.push(entry.id);
    }
    this.#items.push(entry);
    this.#byId.set(entry.id, entry);
    const line = addLine(entry);
    this.#account(entry.id, line);
    removed.push(...this.#trim());
    this.#emit({ cleared: false, added: [entry], updated: [], removed });
    return this.#save(line);
  }

  /** Merges `patch` into one entry (e.g. its forward result); resolves to the new entry, or undefined if gone. */
  async update(id: string, patch: EntryPatch): Promise<ReceivedCallback | undefined> {
    const current = this.#byId.get(id);
    if (!current) return undefined;
    const updated = boundedEntry({ ...current, ...patch, id });
    const stored = Object.fromEntries(Object.keys(patch).map((key) => [key, updated[key as keyof ReceivedCallback]]));
    this.#items[this.#items.indexOf(current)] = updated;
    this.#byId.set(id, updated);
    const line = updateLine(id, stored);
    this.#account(id, line);
    this.#emit({ cleared: false, added: [], updated: [updated], removed: [] });
    await this.#save(line);
    return updated;
  }

  clear(): Promise<void> {
    this.#replaceAll([]);
    this.#rewriteNeeded = true;
    return this.#save();
  }

  /** Waits until every change made so far is written and fsynced (or failed to be). */
  flush(): Promise<void> {
    const idle = !this.#draining && !this.#unsynced && this.#pending.length === 0 && !this.#rewriteNeeded;
    if (!this.#persist || this.#saveProblem !== undefined || idle) return Promise.resolve();
    return new Promise((resolve) => {
      this.#whenSynced.push(resolve);
      this.#forceSync = true;
      this.#kick();
    });
  }

  /** Listeners get what changed; `() => void` listeners keep working. */
  onDidChange(listener: (change: StoreChange) => void): Disposable {
    this.#changeListeners.add(listener);
    return { dispose: () => this.#changeListeners.delete(listener) };
  }

  /** Fires when `saveProblem` appears, changes or clears (undefined). */
  onDidChangeSaveProblem(listener: (problem: string | undefined) => void): Disposable {
    this.#problemListeners.add(listener);
    return { dispose: () => this.#problemListeners.delete(listener) };
  }

  stats(): StoreStats {
    return { ...this.#stats };
  }

  /** Saves what is pending, then stops retrying and closes the file. */
  async dispose(): Promise<void> {
    await this.flush();
    this.#disposed = true;
    clearTimeout(this.#syncTimer);
    clearTimeout(this.#retryTimer);
    await this.#closeHandle();
  }

  async #loadLegacy(): Promise<StoreLoadResult> {
    const legacyPath = join(this.#directory, LEGACY_FILE_NAME);
    let text: string;
    try {
      text = await readFile(legacyPath, 'utf8');
    } catch (error) {
      if (isMissing(error)) {
        return this.#adopt({ kind: 'entries', entries: [], corruptLines: 0, tornTail: false }, this.filePath);
      }
      return this.#keepInMemory(legacyPath, `could not be read (${reasonOf(error)})`);
    }
    const read = readLegacyFile(text, this.#historyLimit);
    if (read.kind === 'entries') this.#legacyToRemove = legacyPath;
    return this.#adopt(read, legacyPath);
  }

  async #adopt(read: JournalRead, path: string): Promise<StoreLoadResult> {
    if (read.kind === 'newer') {
      return this.#keepInMemory(path, `was written by a newer version of this extension (format ${read.version})`);
    }
    if (read.kind === 'corrupt') {
      this.#replaceAll([]);
      this.#rewriteNeeded = true;
      return { warning: await this.#moveAside(path, `was corrupt (${read.problem})`) };
    }
    this.#replaceAll(read.entries.map(boundedEntry));
    const migrating = path !== this.filePath;
    const damaged = read.corruptLines > 0 || read.tornTail;
    // Appending after a torn line would glue the next entry to it, so a damaged journal is rewritten first.
    const repair = migrating || damaged || this.#compactionDue();
    this.#rewriteNeeded = repair || this.#stats.fileBytes === 0;
    if (repair) void this.#save();
    const result: StoreLoadResult = {};
    if (read.corruptLines > 0) {
      result.corruptLines = read.corruptLines;
      result.warning = `${read.corruptLines} damaged ${read.corruptLines === 1 ? 'entry' : 'entries'} in the callback history file ${path} could not be read and ${read.corruptLines === 1 ? 'was' : 'were'} skipped.`;
    }
    if (read.tornTail) result.tornTail = true;
    return result;
  }

  #keepInMemory(path: string, problem: string): StoreLoadResult {
    this.#replaceAll([]);
    this.#persist = false;
    const message = `the callback history file ${path} ${problem}; it is left as it is, and callbacks are kept in memory only`;
    this.#setProblem(message);
    return { warning: `The${message.slice(3)}.` };
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

  #replaceAll(items: ReceivedCallback[]): void {
    this.#items = items;
    this.#byId.clear();
    this.#lineBytes.clear();
    this.#liveBytes = 0;
    for (const item of items) {
      this.#byId.set(item.id, item);
      this.#account(item.id, addLine(item));
    }
    this.#trim();
    this.#emit({ cleared: true, added: this.list(), updated: [], removed: [] });
  }

  #account(id: string, line: string): void {
    const bytes = Buffer.byteLength(line, 'utf8');
    this.#lineBytes.set(id, (this.#lineBytes.get(id) ?? 0) + bytes);
    this.#liveBytes += bytes;
  }

  #forget(id: string): void {
    const entry = this.#byId.get(id);
    if (!entry) return;
    this.#items.splice(this.#items.indexOf(entry), 1);
    this.#byId.delete(id);
    this.#liveBytes -= this.#lineBytes.get(id) ?? 0;
    this.#lineBytes.delete(id);
  }

  /** Drops the oldest entries beyond maxHistory; returns their ids. */
  #trim(): string[] {
    const excess = this.#items.length - this.#historyLimit;
    if (excess <= 0) return [];
    const dropped = this.#items.splice(0, excess);
    for (const entry of dropped) {
      this.#byId.delete(entry.id);
      this.#liveBytes -= this.#lineBytes.get(entry.id) ?? 0;
      this.#lineBytes.delete(entry.id);
    }
    return dropped.map((entry) => entry.id);
  }

  #emit(change: StoreChange): void {
    for (const listener of [...this.#changeListeners]) {
      try {
        listener(change);
      } catch {
        // One faulty subscriber must not stop the others or the save.
      }
    }
  }

  #setProblem(problem: string | undefined): void {
    if (problem === this.#saveProblem) return;
    this.#saveProblem = problem;
    for (const listener of [...this.#problemListeners]) {
      try {
        listener(problem);
      } catch {
        // As in #emit.
      }
    }
  }

  #compactionDue(): boolean {
    return this.#stats.fileBytes > 2 * this.#liveBytes + COMPACT_SLACK_BYTES;
  }

  /** Queues `line` (unless a rewrite will cover it) and resolves once it is written or saving failed. */
  #save(line?: string): Promise<void> {
    if (!this.#persist || this.#disposed) return Promise.resolve();
    if (line !== undefined && !this.#rewriteNeeded) this.#pending.push(line);
    // While a failure waits for its retry, the entry is safe in memory; the retry rewrites everything.
    if (this.#retryTimer !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.#whenWritten.push(resolve);
      this.#kick();
    });
  }

  #kick(): void {
    if (this.#draining || this.#retryTimer !== undefined || !this.#persist || this.#disposed) return;
    this.#draining = true;
    void this.#drain();
  }

  /** The only writer: one step at a time, so appends, syncs and compactions never overlap. */
  async #drain(): Promise<void> {
    try {
      for (;;) {
        if (this.#rewriteNeeded) await this.#rewrite();
        else if (this.#pending.length > 0) await this.#appendPending();
        else if (this.#unsynced && (this.#forceSync || Date.now() - this.#lastSyncAt >= SYNC_INTERVAL_MS)) {
          await this.#sync();
        } else break;
      }
      this.#failures = 0;
      this.#setProblem(undefined);
      if (this.#unsynced) this.#scheduleSync();
      else settle(this.#takeWaiters('synced'));
    } catch (error) {
      await this.#failed(error);
    } finally {
      this.#draining = false;
    }
  }

  async #appendPending(): Promise<void> {
    const text = this.#pending.join('');
    this.#pending = [];
    const waiters = this.#takeWaiters('written');
    try {
      const path = this.filePath;
      this.#handle ??= await fileStep('open', path, () => open(path, 'a'));
      const handle = this.#handle;
      await fileStep('write to', path, () => handle.appendFile(text, 'utf8'));
      this.#wrote(Buffer.byteLength(text, 'utf8'));
      this.#stats.appends++;
      this.#unsynced = true;
      if (this.#compactionDue()) this.#rewriteNeeded = true;
    } catch (error) {
      this.#whenWritten.push(...waiters); // #failed resolves them once the problem is reported
      throw error;
    }
    settle(waiters);
  }

  async #sync(): Promise<void> {
    const handle = this.#handle;
    if (handle) await fileStep('save', this.filePath, () => handle.sync());
    this.#unsynced = false;
    this.#forceSync = false;
    this.#lastSyncAt = Date.now();
    this.#stats.syncs++;
  }

  /** Rewrites the journal from memory: a compaction, a repair, or the retry after a failure. */
  async #rewrite(): Promise<void> {
    const snapshot = this.#items.slice();
    this.#rewriteNeeded = false;
    this.#pending = [];
    const waiters = this.#takeWaiters('written');
    try {
      await this.#closeHandle();
      const written = await this.#replaceFile(snapshot);
      this.#stats.fileBytes = 0;
      this.#wrote(written);
      this.#stats.compactions++;
      this.#unsynced = false;
      this.#lastSyncAt = Date.now();
      // Entries unchanged since the snapshot now take exactly one line each.
      for (const entry of snapshot) {
        if (this.#byId.get(entry.id) !== entry) continue;
        const bytes = Buffer.byteLength(addLine(entry), 'utf8');
        this.#liveBytes += bytes - (this.#lineBytes.get(entry.id) ?? 0);
        this.#lineBytes.set(entry.id, bytes);
      }
      if (this.#legacyToRemove) {
        await unlink(this.#legacyToRemove).catch(() => undefined);
        this.#legacyToRemove = undefined;
      }
    } catch (error) {
      this.#whenWritten.push(...waiters); // as in #appendPending
      throw error;
    }
    settle(waiters);
  }

  /**
   * Writes `entries` to a temp file in chunks (yielding between them), fsyncs it and renames it over the journal,
   * so a crash leaves either the old or the new journal whole. Returns the bytes written.
   */
  async #replaceFile(entries: readonly ReceivedCallback[]): Promise<number> {
    const path = this.filePath;
    await fileStep('create folder', this.#directory, () => mkdir(this.#directory, { recursive: true }));
    const tempPath = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let written = 0;
    try {
      const file = await fileStep('create', tempPath, () => open(tempPath, 'w'));
      try {
        let chunk = HEADER_LINE;
        const writeChunk = async (): Promise<void> => {
          await fileStep('write to', tempPath, () => file.appendFile(chunk, 'utf8'));
          written += Buffer.byteLength(chunk, 'utf8');
          chunk = '';
        };
        for (const entry of entries) {
          chunk += addLine(entry);
          if (chunk.length >= COMPACT_CHUNK_CHARS) await writeChunk();
        }
        await writeChunk();
        await fileStep('save', tempPath, () => file.sync());
      } finally {
        await file.close().catch(() => undefined);
      }
      await fileStep('replace', path, () => renameWithRetry(tempPath, path));
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    await syncDirectory(this.#directory);
    return written;
  }

  #wrote(bytes: number): void {
    this.#stats.bytesWritten += bytes;
    this.#stats.fileBytes += bytes;
  }

  /** add() never rejects: waiters resolve once the problem is reported, the entries stay in memory for the retry. */
  async #failed(error: unknown): Promise<void> {
    this.#failures++;
    this.#rewriteNeeded = true;
    this.#pending = [];
    this.#unsynced = false;
    this.#forceSync = false;
    await this.#closeHandle();
    // From here on synchronous, so an add() arriving now finds the retry scheduled instead of a finishing drain.
    this.#setProblem(
      error instanceof FileStepError ? error.message : `cannot save the callback history: ${reasonOf(error)}`,
    );
    if (!this.#disposed) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#kick();
      }, this.#retryDelayMs(this.#failures));
      this.#retryTimer.unref();
    }
    settle(this.#takeWaiters('written'));
    settle(this.#takeWaiters('synced'));
  }

  #scheduleSync(): void {
    if (this.#syncTimer !== undefined || this.#disposed) return;
    const wait = Math.max(0, this.#lastSyncAt + SYNC_INTERVAL_MS - Date.now());
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      this.#kick();
    }, wait);
    this.#syncTimer.unref();
  }

  #takeWaiters(which: 'written' | 'synced'): (() => void)[] {
    if (which === 'written') {
      const waiters = this.#whenWritten;
      this.#whenWritten = [];
      return waiters;
    }
    const waiters = this.#whenSynced;
    this.#whenSynced = [];
    return waiters;
  }

  async #closeHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }
}

function settle(waiters: (() => void)[]): void {
  for (const resolve of waiters) resolve();
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

/** Makes the rename itself durable; not every platform can open a folder for syncing, which is fine. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort only.
  }
}

/** Windows refuses to replace a file another process (an indexer, antivirus) holds open for a moment. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rename(from, to);
    } catch (error) {
      if (attempt >= 5 || !['EPERM', 'EBUSY', 'EACCES'].includes(errorCode(error) ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/** No file there: also when a path component is a file, since no folder exists there either. */
function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR';
}
