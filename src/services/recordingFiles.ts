import { copyFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import {
  RecordingCache,
  downloadRecording,
  recordingStart,
  recordingTitle,
  type DownloadProgress,
  type Recording,
} from '../plivo';
import type { PlivoConnection } from './connection';
import { settings } from './settings';

/** One recording to play, save or delete, whichever view it came from. */
export interface RecordingRef {
  /** Plivo's recording id; for a recording from here whose id is not known yet, the id of the request. */
  readonly id: string;
  /** True when `id` is Plivo's recording id (delete needs it). */
  readonly isPlivoId: boolean;
  readonly callUuid: string;
  readonly url: string;
  readonly format: string;
  /** `+1415… → +1415…`, or the conference. */
  readonly title: string;
  readonly startedAt?: Date;
  readonly durationMs?: number;
}

/** A recording of Plivo's list as something to play, save or delete. */
export function recordingRef(r: Recording): RecordingRef {
  return {
    id: r.recordingId,
    isPlivoId: true,
    callUuid: r.callUuid,
    url: r.url,
    format: r.format || 'mp3',
    title: recordingTitle(r),
    startedAt: recordingStart(r),
    durationMs: r.durationMs,
  };
}

export interface DownloadedRecording {
  readonly file: string;
  readonly ref: RecordingRef;
  /** False when it came from the cache. */
  readonly downloaded: boolean;
  readonly bytes?: number;
  readonly ms: number;
}

/**
 * Recording files on this machine: downloaded with the account's credentials (only where Plivo needs them) into a
 * bounded cache in the extension's global storage (`plivo.recordings.cacheMaxMB`, least recently used evicted).
 * Remembers what each cached file is, for the player.
 */
export class RecordingFiles extends Disposable {
  readonly #dir: string;
  readonly #connection: PlivoConnection;
  #cache: RecordingCache;
  /** Cached file path → what it is, for the player's title, duration and transcript. */
  readonly #known = new Map<string, RecordingRef>();

  constructor(globalStorage: vscode.Uri, connection: PlivoConnection) {
    super();
    this.#dir = join(globalStorage.fsPath, 'recordings');
    this.#connection = connection;
    this.#cache = this.#createCache();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('plivo.recordings.cacheMaxMB')) return;
        this.#cache = this.#createCache();
        void this.#cache.prune();
      }),
    );
  }

  /** The cache folder: the player's only local resource root. */
  get dir(): vscode.Uri {
    return vscode.Uri.file(this.#dir);
  }

  get cache(): RecordingCache {
    return this.#cache;
  }

  /** What a cached file is, when it was downloaded in this session. */
  describe(file: vscode.Uri): RecordingRef | undefined {
    return this.#known.get(file.fsPath);
  }

  /** The recording's file, from the cache or downloaded into it. Rejects with a DownloadError or PlivoError. */
  async ensure(
    ref: RecordingRef,
    signal?: AbortSignal,
    onProgress?: (progress: DownloadProgress) => void,
  ): Promise<DownloadedRecording> {
    const started = Date.now();
    let downloaded = false;
    let bytes: number | undefined;
    const file = await this.#cache.ensure(ref.id, ref.format, async (target) => {
      const active = await this.#connection.current();
      downloaded = true;
      const result = await downloadRecording({
        url: ref.url,
        file: target,
        credentials: active && { authId: active.client.authId, authToken: active.authTokens()[0] },
        apiBaseUrl: active?.client.baseUrl,
        maxBytes: this.#cache.maxBytes,
        signal,
        onProgress,
      });
      bytes = result.bytes;
    });
    this.#known.set(file, ref);
    return { file, ref, downloaded, bytes, ms: Date.now() - started };
  }

  /** Copies the recording (downloading it first if needed) to `target`. */
  async saveAs(ref: RecordingRef, target: vscode.Uri, signal?: AbortSignal): Promise<void> {
    const { file } = await this.ensure(ref, signal);
    if (target.scheme === 'file') await copyFile(file, target.fsPath);
    else await vscode.workspace.fs.copy(vscode.Uri.file(file), target, { overwrite: true });
  }

  /** Drops a deleted recording's cached file. */
  async forget(ref: Pick<RecordingRef, 'id' | 'format'>): Promise<void> {
    const file = this.#cache.fileFor(ref.id, ref.format);
    this.#known.delete(file);
    await rm(file, { force: true });
  }

  /** True for files the player may play: directly inside the cache folder. */
  isCached(file: vscode.Uri): boolean {
    return file.scheme === 'file' && join(this.#dir, basename(file.fsPath)) === file.fsPath;
  }

  #createCache(): RecordingCache {
    return new RecordingCache(this.#dir, Math.round(settings.recordingsCacheMaxMB() * 1024 * 1024));
  }
}
