// The history journal's only writer: appends lines, fsyncs in batches, rewrites the file when asked (compaction,
// repair, retry), and turns failures into a plain-words problem plus a retry with backoff.
//
// Save policy: lines are written in batches, at most `saveDelayMs` (1 s) after they arrive and at once when
// WRITE_CHUNK_BYTES are waiting, and fsynced at most every SYNC_INTERVAL_MS (1 s); so a crash of the editor, the OS
// or the power loses at most the callbacks of the last second (VS Code's own backups of unsaved files wait as
// long), while the callbacks of a quiet stream share one write and one fsync instead of a trip to the file system
// each. On a trickle of callbacks each write costs far more CPU than its bytes suggest (a timer, the thread pool,
// cold caches): writing every 200 ms instead cost about a fifth more CPU per callback at one callback every 20 ms.
// Syncing every line would cost one disk flush per request, which a burst of callbacks cannot afford on slow disks.
// A rewrite always fsyncs its temp file before renaming it over the journal, so a crash leaves either the old or the
// new journal whole.
//
// Compaction copies the journal from the line that added the oldest entry still kept: every later line is still
// needed (or harmless), and the copy re-serializes nothing. It falls back to a rewrite from memory when that line's
// place is not known (entries loaded at start-up) or when the copy would not shrink the file enough.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorCode, fileStep, FileStepError, reasonOf } from './fsProblem';
import { HEADER_LINE } from './journal';

const SYNC_INTERVAL_MS = 1000;
/** A burst writes as soon as this much is waiting instead of holding it for the save delay. */
const WRITE_CHUNK_BYTES = 256 * 1024;
const HEADER_BUFFER = Buffer.from(HEADER_LINE, 'utf8');
const HEADER_BYTES = HEADER_BUFFER.length;
/** Rewrites write in chunks of this size, yielding to the event loop between them. */
const REWRITE_CHUNK_CHARS = 256 * 1024;

/** An entry's add line (its whole current version), as a rewrite writes it. */
export interface StoredLine {
  readonly id: string;
  readonly line: string;
}

export interface JournalWriterOptions {
  filePath: string;
  /** The whole history, oldest first, for a rewrite. */
  lines: () => readonly StoredLine[];
  /** Whether the file, at `fileBytes`, should be compacted. */
  compactionDue: (fileBytes: number) => boolean;
  /** Id of the oldest entry kept: a compaction keeps the journal from the line that added it. */
  oldestId: () => string | undefined;
  /** After a rewrite of `lines` (the snapshot it wrote); `lineBytes[i]` is the size of line i. */
  onRewritten: (lines: readonly StoredLine[], lineBytes: readonly number[]) => void;
  /** A plain-words problem when saving fails; undefined once a save succeeds. */
  onProblem: (problem: string | undefined) => void;
  /** Delay before retry number `attempt` (1-based). */
  retryDelayMs: (attempt: number) => number;
  /** Longest a queued line waits to be written (see the save policy above). */
  saveDelayMs: number;
}

/** A line to append: its text, its UTF-8 size, and for an add line the id of the entry it adds. */
export interface QueuedLine {
  text: string;
  bytes: number;
  adds?: string;
}

export interface WriterStats {
  /** Bytes handed to the file system (appends and rewrites). */
  bytesWritten: number;
  appends: number;
  compactions: number;
  /** Rewrites of the whole history from memory (the first save, repairs, migrations, retries, some compactions). */
  rewrites: number;
  syncs: number;
  /** Current size of the journal. */
  fileBytes: number;
}

export class JournalWriter {
  readonly #options: JournalWriterOptions;
  /** False until the file's state is known, and when it must be left alone: nothing is written then. */
  #enabled = false;
  #rewriteNeeded = true;
  /** Removed after the next successful rewrite (the migrated old-format file). */
  #removeAfterRewrite: string | undefined;
  /** Lines not yet written; dropped when a rewrite is due, since the rewrite writes the whole history. */
  #pending: string[] = [];
  /** UTF-8 size of `#pending`, and where in it each entry's add line starts. */
  #pendingBytes = 0;
  #pendingAdds: { id: string; at: number }[] = [];
  /** The buffer writes go out from, kept for the next one: fresh buffers would make the garbage collector run more. */
  #buffer = Buffer.alloc(0);
  /** When the oldest line of `#pending` was queued. */
  #pendingSince = 0;
  /** Where in the file each entry's add line starts, for entries added since the journal was last rewritten. */
  #addOffsets = new Map<string, number>();
  #compactionNeeded = false;
  #whenWritten: (() => void)[] = [];
  /** What `save` returns until the next write takes its lines: a burst of callbacks shares one promise. */
  #nextWrite: Promise<void> | undefined;
  #whenSynced: (() => void)[] = [];
  #unsynced = false;
  #forceSync = false;
  #lastSyncAt = 0;
  /** Wakes the writer when the waiting lines or the fsync are due. */
  #dueTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #draining = false;
  #disposed = false;
  #handle: FileHandle | undefined;
  readonly #stats: WriterStats = { bytesWritten: 0, appends: 0, compactions: 0, rewrites: 0, syncs: 0, fileBytes: 0 };

  constructor(options: JournalWriterOptions) {
    this.#options = options;
  }

  /**
   * Starts writing to a journal of `fileBytes` (0: none yet), first rewriting it when `rewrite` (repair, migration,
   * compaction) or when there is no journal yet; `removeAfterRewrite` is deleted once that rewrite succeeded.
   */
  start(fileBytes: number, rewrite: boolean, removeAfterRewrite?: string): void {
    this.#enabled = true;
    this.#stats.fileBytes = fileBytes;
    this.#addOffsets.clear();
    this.#compactionNeeded = false;
    this.#rewriteNeeded = rewrite || fileBytes === 0;
    this.#removeAfterRewrite = removeAfterRewrite;
    if (rewrite) void this.save();
  }

  /** Stops writing (until `start`) and closes the file. */
  async stop(): Promise<void> {
    this.#enabled = false;
    this.#dropPending();
    await this.#closeHandle();
  }

  stats(): WriterStats {
    return { ...this.#stats };
  }

  /** The next save rewrites the whole file (after clear, or when entries were dropped). */
  rewriteNext(): void {
    this.#rewriteNeeded = true;
    this.#dropPending();
  }

  /**
   * Queues `line` (unless a rewrite will cover it) and resolves once it is written (see the save policy above;
   * `flush` writes at once); resolves at once while saving fails (the entries stay in memory and the retry rewrites
   * them all). Never rejects. An add line's place is noted, so a compaction can find where the kept history starts.
   */
  save(line?: QueuedLine): Promise<void> {
    if (!this.#enabled || this.#disposed) return Promise.resolve();
    if (line !== undefined && !this.#rewriteNeeded) {
      if (this.#pendingBytes === 0) this.#pendingSince = Date.now();
      if (line.adds !== undefined) this.#pendingAdds.push({ id: line.adds, at: this.#pendingBytes });
      this.#pendingBytes += line.bytes;
      this.#pending.push(line.text);
    }
    if (this.#retryTimer !== undefined) return Promise.resolve();
    const written = (this.#nextWrite ??= new Promise((resolve) => this.#whenWritten.push(resolve)));
    // A wake-up is already set, no later than these lines are due: until then there is nothing to do.
    if (this.#dueTimer !== undefined && !this.#rewriteNeeded && !this.#compactionNeeded && this.#writeDueIn() > 0) {
      this.#wakeWhenDue();
    } else {
      this.#kick();
    }
    return written;
  }

  /** Waits until everything queued is written and fsynced (or failed to be). */
  flush(): Promise<void> {
    const idle =
      !this.#draining && !this.#unsynced && this.#pendingBytes === 0 && !this.#rewriteNeeded && !this.#compactionNeeded;
    if (!this.#enabled || this.#disposed || this.#retryTimer !== undefined || idle) return Promise.resolve();
    return new Promise((resolve) => {
      this.#whenSynced.push(resolve);
      this.#forceSync = true;
      this.#kick();
    });
  }

  /** Saves what is queued, then stops retrying and closes the file. */
  async dispose(): Promise<void> {
    await this.flush();
    this.#disposed = true;
    clearTimeout(this.#dueTimer);
    clearTimeout(this.#retryTimer);
    await this.#closeHandle();
  }

  #kick(): void {
    if (this.#draining || this.#retryTimer !== undefined || !this.#enabled || this.#disposed) return;
    this.#draining = true;
    void this.#drain();
  }

  /** One step at a time, so appends, syncs and rewrites never overlap. */
  async #drain(): Promise<void> {
    try {
      for (;;) {
        if (this.#rewriteNeeded) await this.#rewrite();
        else if (this.#compactionNeeded) await this.#compact();
        else if (this.#pendingBytes > 0 && (this.#forceSync || this.#writeDueIn() <= 0)) await this.#appendPending();
        else if (this.#unsynced && (this.#forceSync || this.#syncDueIn() <= 0)) await this.#sync();
        else break;
      }
      this.#failures = 0;
      this.#options.onProblem(undefined);
      if (this.#pendingBytes > 0 || this.#unsynced) this.#wakeWhenDue();
      else {
        // All written and synced: a wake-up still set would only wake the writer (and hold a process open) for nothing.
        clearTimeout(this.#dueTimer);
        this.#dueTimer = undefined;
        settle(this.#takeWhenSynced());
      }
    } catch (error) {
      await this.#failed(error);
    } finally {
      this.#draining = false;
    }
  }

  async #appendPending(): Promise<void> {
    // Every line queued since the last write goes out in one write, encoded straight into the write buffer.
    const data = this.#bufferOf(this.#pendingBytes);
    let filled = 0;
    for (const line of this.#pending) filled += data.write(line, filled, 'utf8');
    const adds = this.#pendingAdds;
    this.#dropPending();
    const start = this.#stats.fileBytes;
    const waiters = this.#takeWhenWritten();
    try {
      const path = this.#options.filePath;
      this.#handle ??= await fileStep('open', path, () => open(path, 'a'));
      const handle = this.#handle;
      await fileStep('write to', path, () => writeAll(handle, data));
    } catch (error) {
      this.#whenWritten.push(...waiters); // #failed resolves them once the problem is reported
      throw error;
    }
    for (const { id, at } of adds) this.#addOffsets.set(id, start + at);
    this.#wrote(data.length);
    this.#stats.appends++;
    this.#unsynced = true;
    if (this.#options.compactionDue(this.#stats.fileBytes)) this.#compactionNeeded = true;
    settle(waiters);
  }

  async #sync(): Promise<void> {
    const handle = this.#handle;
    if (handle) await fileStep('save', this.#options.filePath, () => handle.sync());
    this.#unsynced = false;
    this.#forceSync = false;
    this.#lastSyncAt = Date.now();
    this.#stats.syncs++;
  }

  /** Rewrites the journal from memory: a compaction, a repair, a migration, or the retry after a failure. */
  async #rewrite(): Promise<void> {
    const snapshot = this.#options.lines().slice();
    this.#rewriteNeeded = false;
    this.#compactionNeeded = false;
    this.#dropPending();
    const waiters = this.#takeWhenWritten();
    const lineBytes: number[] = [];
    let written: number;
    try {
      await this.#closeHandle();
      written = await this.#replaceFile(snapshot, lineBytes);
    } catch (error) {
      this.#whenWritten.push(...waiters); // as in #appendPending
      throw error;
    }
    this.#stats.fileBytes = 0;
    this.#wrote(written);
    this.#stats.rewrites++;
    this.#unsynced = false;
    this.#lastSyncAt = Date.now();
    this.#addOffsets.clear();
    let offset = HEADER_BYTES;
    for (const [index, { id }] of snapshot.entries()) {
      this.#addOffsets.set(id, offset);
      offset += lineBytes[index];
    }
    this.#options.onRewritten(snapshot, lineBytes);
    if (this.#removeAfterRewrite) {
      await unlink(this.#removeAfterRewrite).catch(() => undefined);
      this.#removeAfterRewrite = undefined;
    }
    settle(waiters);
  }

  /** Copies the journal from the oldest kept entry's add line on, or rewrites it from memory when it cannot. */
  async #compact(): Promise<void> {
    this.#compactionNeeded = false;
    const oldest = this.#options.oldestId();
    const from = oldest === undefined ? undefined : this.#addOffsets.get(oldest);
    const fileBytes = this.#stats.fileBytes;
    if (from === undefined || from > fileBytes || this.#options.compactionDue(HEADER_BYTES + fileBytes - from)) {
      this.#stats.compactions++;
      return this.#rewrite();
    }
    await this.#closeHandle();
    const path = this.#options.filePath;
    const written = await this.#replaceWith(async (write) => {
      await write(HEADER_BUFFER);
      const source = await fileStep('read', path, () => open(path, 'r'));
      try {
        const buffer = this.#bufferOf(Math.min(WRITE_CHUNK_BYTES, fileBytes - from));
        for (let position = from; position < fileBytes;) {
          const { bytesRead } = await fileStep('read', path, () =>
            source.read(buffer, 0, Math.min(buffer.length, fileBytes - position), position),
          );
          if (bytesRead === 0) throw new Error(`the history file ended at ${position} of ${fileBytes} bytes`);
          await write(buffer.subarray(0, bytesRead));
          position += bytesRead;
        }
      } finally {
        await source.close().catch(() => undefined);
      }
    });
    for (const [id, offset] of this.#addOffsets) {
      if (offset < from) this.#addOffsets.delete(id);
      else this.#addOffsets.set(id, offset - from + HEADER_BYTES);
    }
    this.#stats.fileBytes = 0;
    this.#wrote(written);
    this.#stats.compactions++;
    this.#unsynced = false;
    this.#lastSyncAt = Date.now();
  }

  /** Writes the whole history from memory; fills `lineBytes` with each line's size and returns the bytes written. */
  #replaceFile(lines: readonly StoredLine[], lineBytes: number[]): Promise<number> {
    return this.#replaceWith(async (write) => {
      let chunk = HEADER_LINE;
      for (const { line } of lines) {
        lineBytes.push(Buffer.byteLength(line, 'utf8'));
        chunk += line;
        if (chunk.length >= REWRITE_CHUNK_CHARS) {
          await write(Buffer.from(chunk, 'utf8'));
          chunk = '';
        }
      }
      await write(Buffer.from(chunk, 'utf8'));
    });
  }

  /**
   * Has `fill` write the new journal to a temp file, fsyncs it and renames it over the journal; returns the bytes
   * written. `fill` writes in chunks, so the event loop gets a turn between them.
   */
  async #replaceWith(fill: (write: (data: Buffer) => Promise<void>) => Promise<void>): Promise<number> {
    const path = this.#options.filePath;
    const directory = dirname(path);
    await fileStep('create folder', directory, () => mkdir(directory, { recursive: true }));
    const tempPath = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    let written = 0;
    try {
      const file = await fileStep('create', tempPath, () => open(tempPath, 'w'));
      try {
        await fill(async (data) => {
          await fileStep('write to', tempPath, () => writeAll(file, data));
          written += data.length;
        });
        await fileStep('save', tempPath, () => file.sync());
      } finally {
        await file.close().catch(() => undefined);
      }
      await fileStep('replace', path, () => renameWithRetry(tempPath, path));
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    await syncDirectory(directory);
    return written;
  }

  #wrote(bytes: number): void {
    this.#stats.bytesWritten += bytes;
    this.#stats.fileBytes += bytes;
  }

  /** Waiters resolve once the problem is reported; the next attempt rewrites everything (an append may have torn). */
  async #failed(error: unknown): Promise<void> {
    this.#failures++;
    this.#rewriteNeeded = true;
    this.#dropPending();
    this.#unsynced = false;
    this.#forceSync = false;
    await this.#closeHandle();
    // From here on synchronous, so a save() arriving now finds the retry scheduled instead of a finishing drain.
    this.#options.onProblem(
      error instanceof FileStepError ? error.message : `cannot save the callback history: ${reasonOf(error)}`,
    );
    if (!this.#disposed) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#kick();
      }, this.#options.retryDelayMs(this.#failures));
      this.#retryTimer.unref();
    }
    settle(this.#takeWhenWritten());
    settle(this.#takeWhenSynced());
  }

  /** Milliseconds until the waiting lines should be written; 0 or less: now. */
  #writeDueIn(): number {
    if (this.#pendingBytes >= WRITE_CHUNK_BYTES) return 0;
    return this.#pendingSince + this.#options.saveDelayMs - Date.now();
  }

  #syncDueIn(): number {
    return this.#lastSyncAt + SYNC_INTERVAL_MS - Date.now();
  }

  /** Sets a wake-up for the earliest of the write and the fsync that are due, unless one is set already. */
  #wakeWhenDue(): void {
    if (this.#disposed) return;
    if (this.#dueTimer === undefined) {
      const waits = [
        this.#pendingBytes > 0 ? this.#writeDueIn() : Infinity,
        this.#unsynced ? this.#syncDueIn() : Infinity,
      ];
      this.#dueTimer = setTimeout(
        () => {
          this.#dueTimer = undefined;
          this.#kick();
        },
        Math.max(0, Math.min(...waits)),
      );
    }
    // Lines still to be written keep the process alive; a pending fsync alone does not.
    if (this.#pendingBytes > 0) this.#dueTimer.ref();
    else this.#dueTimer.unref();
  }

  /** `bytes` of the write buffer; one step writes at a time. A burst's large buffer is not kept afterwards. */
  #bufferOf(bytes: number): Buffer {
    if (this.#buffer.length < bytes || this.#buffer.length > Math.max(bytes, 2 * WRITE_CHUNK_BYTES)) {
      this.#buffer = Buffer.allocUnsafe(Math.max(bytes, WRITE_CHUNK_BYTES));
    }
    return this.#buffer.subarray(0, bytes);
  }

  #dropPending(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingAdds = [];
  }

  #takeWhenWritten(): (() => void)[] {
    const waiters = this.#whenWritten;
    this.#whenWritten = [];
    this.#nextWrite = undefined;
    return waiters;
  }

  #takeWhenSynced(): (() => void)[] {
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

/** A file write may take only part of the buffer; the rest follows until all of it is written. */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

function settle(waiters: (() => void)[]): void {
  for (const resolve of waiters) resolve();
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
