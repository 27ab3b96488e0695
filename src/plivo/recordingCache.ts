// A bounded directory of downloaded recordings: least recently used files are evicted first.
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { PlivoError } from './errors';
import { RECORDING_ID_PATTERN } from './recordings';

export const DEFAULT_CACHE_MAX_BYTES = 200 * 1024 * 1024;
/** A `.part` file this old belongs to a download that died with its process. */
const STALE_PART_MS = 60 * 60 * 1000;

export interface CacheUsage {
  readonly files: number;
  readonly bytes: number;
}

/**
 * Files are named `<recording id>.<format>`; using one refreshes its time, so eviction is least
 * recently used. Downloads in flight (`.part`) are never evicted.
 */
export class RecordingCache {
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_CACHE_MAX_BYTES,
  ) {
    if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
      throw new RangeError(`the cache size must be a positive number of bytes, got ${maxBytes}`);
    }
  }

  /** Where a recording lives in the cache; the id and format are checked so they cannot leave the directory. */
  fileFor(recordingId: string, format: string): string {
    if (!RECORDING_ID_PATTERN.test(recordingId)) {
      throw new PlivoError('invalid-argument', `"${recordingId}" is not a recording id.`, { param: 'recording_id' });
    }
    if (!/^[a-z0-9]{1,8}$/.test(format)) {
      throw new PlivoError('invalid-argument', `"${format}" is not a recording format.`, { param: 'format' });
    }
    return join(this.dir, `${recordingId}.${format}`);
  }

  /** The cached file, marked as just used; undefined when it is not cached. */
  async lookup(recordingId: string, format: string): Promise<string | undefined> {
    const file = this.fileFor(recordingId, format);
    try {
      const info = await stat(file);
      if (!info.isFile() || info.size === 0) return undefined;
      const now = new Date();
      await utimes(file, now, now);
      return file;
    } catch {
      return undefined;
    }
  }

  /**
   * The cached file, or `download(file)` writes it first (then older files are evicted to fit).
   * Concurrent calls for the same recording share one download.
   */
  ensure(recordingId: string, format: string, download: (file: string) => Promise<unknown>): Promise<string> {
    const file = this.fileFor(recordingId, format);
    const pending = this.#inFlight.get(file);
    if (pending) return pending;
    const run = (async () => {
      const cached = await this.lookup(recordingId, format);
      if (cached) return cached;
      await mkdir(this.dir, { recursive: true });
      await download(file);
      await this.prune(file);
      return file;
    })().finally(() => this.#inFlight.delete(file));
    this.#inFlight.set(file, run);
    return run;
  }

  /** Evicts least recently used files until the cache fits `maxBytes`; never `keep`. Returns the removed paths. */
  async prune(keep?: string): Promise<string[]> {
    const entries = await this.#entries();
    const removed: string[] = [];
    const now = Date.now();
    for (const entry of entries.filter((e) => e.part && now - e.usedMs > STALE_PART_MS)) {
      await rm(entry.file, { force: true });
      removed.push(entry.file);
    }
    const files = entries.filter((e) => !e.part).sort((a, b) => a.usedMs - b.usedMs);
    let total = files.reduce((sum, e) => sum + e.bytes, 0);
    for (const entry of files) {
      if (total <= this.maxBytes) break;
      if (entry.file === keep) continue;
      await rm(entry.file, { force: true });
      removed.push(entry.file);
      total -= entry.bytes;
    }
    return removed;
  }

  async usage(): Promise<CacheUsage> {
    const files = (await this.#entries()).filter((e) => !e.part);
    return { files: files.length, bytes: files.reduce((sum, e) => sum + e.bytes, 0) };
  }

  /** Removes every cached recording (downloads in flight finish on their own). */
  async clear(): Promise<void> {
    for (const entry of await this.#entries()) if (!entry.part) await rm(entry.file, { force: true });
  }

  async #entries(): Promise<{ file: string; bytes: number; usedMs: number; part: boolean }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return []; // not created yet
    }
    const entries = await Promise.all(
      names.map(async (name) => {
        const file = join(this.dir, name);
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) return undefined;
        return {
          file,
          bytes: info.size,
          usedMs: Math.max(info.atimeMs, info.mtimeMs),
          part: name.endsWith('.part'),
        };
      }),
    );
    return entries.filter((e) => e !== undefined);
  }
}
