// Received-callback history, persisted as one JSON file that a crash can never
// leave half-written: each save goes to a temp file that replaces the real one.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { IDisposable } from '../common/lifecycle';
import type { ReceivedCallback } from './model';

const FILE_NAME = 'callbacks.json';
const FORMAT_VERSION = 1;

interface StoredFile {
  version: number;
  callbacks: ReceivedCallback[];
}

export interface StoreLoadResult {
  /** Set when the file could not be used; the store then starts empty. */
  warning?: string;
}

function isStoredCallback(value: unknown): value is ReceivedCallback {
  const candidate = value as Partial<ReceivedCallback> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.id === 'string' &&
    typeof candidate.receivedAt === 'string'
  );
}

function parseStoredFile(text: string): ReceivedCallback[] {
  const parsed = JSON.parse(text) as Partial<StoredFile> | null;
  if (!parsed || !Array.isArray(parsed.callbacks)) throw new Error('no "callbacks" list');
  return parsed.callbacks.filter(isStoredCallback);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
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

export class CallbackStore {
  #items: ReceivedCallback[] = [];
  readonly #listeners = new Set<() => void>();
  /** The save that will include every change made so far; undefined once it has started writing. */
  #queuedSave: Promise<void> | undefined;
  #lastSave: Promise<void> = Promise.resolve();
  #historyLimit: number;

  readonly #directory: string;

  constructor(directory: string, options: { maxHistory?: number } = {}) {
    this.#directory = directory;
    this.#historyLimit = options.maxHistory ?? 500;
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
    if (this.#items.length > this.#historyLimit) {
      void this.#commit(this.#items.slice(0, this.#historyLimit)).catch(() => undefined);
    }
  }

  /** Replaces the in-memory history with the file's; a corrupt file is moved aside, never thrown. */
  async load(): Promise<StoreLoadResult> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        this.#replace([]);
        return {};
      }
      return this.#recoverFrom(`could not be read (${errorCode(error) ?? (error as Error).message})`);
    }
    try {
      this.#replace(parseStoredFile(text).slice(0, this.#historyLimit));
      return {};
    } catch (error) {
      return this.#recoverFrom(`was corrupt (${(error as Error).message})`);
    }
  }

  list(): readonly ReceivedCallback[] {
    return [...this.#items];
  }

  get(id: string): ReceivedCallback | undefined {
    return this.#items.find((item) => item.id === id);
  }

  /** Adds at the top; resolves once saved, rejects if saving failed (the entry stays in memory). */
  add(callback: ReceivedCallback): Promise<void> {
    return this.#commit([callback, ...this.#items].slice(0, this.#historyLimit));
  }

  /** Merges `patch` into one entry (e.g. its forward result); resolves to the new entry, or undefined if gone. */
  async update(id: string, patch: Partial<Omit<ReceivedCallback, 'id'>>): Promise<ReceivedCallback | undefined> {
    const current = this.get(id);
    if (!current) return undefined;
    const updated = { ...current, ...patch, id };
    await this.#commit(this.#items.map((item) => (item.id === id ? updated : item)));
    return updated;
  }

  clear(): Promise<void> {
    return this.#commit([]);
  }

  /** Waits until every change made so far is on disk (or failed to be). */
  flush(): Promise<void> {
    return this.#lastSave;
  }

  onDidChange(listener: () => void): IDisposable {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  }

  #replace(items: ReceivedCallback[]): void {
    this.#items = items;
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // One faulty subscriber must not stop the others or the save.
      }
    }
  }

  #commit(items: ReceivedCallback[]): Promise<void> {
    this.#replace(items);
    return this.#scheduleSave();
  }

  /** Never two writes at once; changes made while one runs share the next write. */
  #scheduleSave(): Promise<void> {
    if (!this.#queuedSave) {
      const save = this.#lastSave.then(() => {
        this.#queuedSave = undefined;
        return this.#writeAtomically(
          JSON.stringify({ version: FORMAT_VERSION, callbacks: this.#items } satisfies StoredFile),
        );
      });
      this.#queuedSave = save;
      this.#lastSave = save.catch(() => undefined);
    }
    return this.#queuedSave;
  }

  async #writeAtomically(text: string): Promise<void> {
    await mkdir(this.#directory, { recursive: true });
    const tempPath = `${this.filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const file = await open(tempPath, 'w');
      try {
        await file.writeFile(text, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await renameWithRetry(tempPath, this.filePath);
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
  }

  async #recoverFrom(problem: string): Promise<StoreLoadResult> {
    this.#replace([]);
    const asidePath = `${this.filePath}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.filePath, asidePath);
      return {
        warning: `The callback history file ${problem}; it was moved to ${asidePath} and the history starts empty.`,
      };
    } catch (error) {
      return {
        warning: `The callback history file ${problem} and could not be moved aside (${errorCode(error) ?? (error as Error).message}); the history starts empty.`,
      };
    }
  }
}
