import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { callNumbers, type FileFormat, type RecordOptions, type StartRecordingResult } from '../plivo';
import type { SandboxService } from './sandboxService';

const STATE_KEY = 'plivo.recordings';
/** Keeps workspace state small; old recordings of long-gone calls matter least. */
const MAX_RECORDINGS = 200;

/**
 * `pending`: asked for in asynchronous mode, Plivo's answer (with the URL) has not arrived yet.
 * `recording`: running. `done`: ended by itself (time limit, hang-up). `stopped`: stopped on request.
 * `sandbox-stopped`: made on the offline sandbox, which has stopped since (its URL no longer answers).
 */
export type RecordingState = 'pending' | 'recording' | 'done' | 'stopped' | 'sandbox-stopped';

export interface RecordingEntry {
  /** Stable across updates: the api_id of the request that started it. */
  readonly id: string;
  readonly callUuid: string;
  readonly apiId: string;
  readonly state: RecordingState;
  readonly url?: string;
  readonly recordingId?: string;
  readonly fileFormat: FileFormat;
  readonly timeLimit: number;
  readonly callbackUrl?: string;
  readonly transcriptionUrl?: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly durationSeconds?: number;
  /** The call's numbers when it was started, to name the recording in words. */
  readonly from?: string;
  readonly to?: string;
  /** Made on the offline sandbox. */
  readonly sandbox?: boolean;
  /** A callback about it arrived whose signature did not verify; it did not change this recording. */
  readonly unverified?: boolean;
}

/** What was known about the call a recording was started on. */
export interface RecordedCall {
  readonly from?: string;
  readonly to?: string;
  readonly sandbox?: boolean;
}

/** What a received callback tells about a recording; any of the keys may match. */
export interface RecordingEvidence {
  apiId?: string;
  recordingId?: string;
  url?: string;
}

/** The recordings started from this workspace, kept in workspace state so they survive reloads. */
export class RecordingsStore extends Disposable {
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #state: vscode.Memento;

  constructor(state: vscode.Memento, sandbox: SandboxService) {
    super();
    this.#state = state;
    this._register(
      sandbox.onDidChange(() => {
        if (!sandbox.active) void this.markSandboxStopped();
      }),
    );
  }

  all(): RecordingEntry[] {
    return this.#state.get<RecordingEntry[]>(STATE_KEY, []);
  }

  forCall(callUuid: string): RecordingEntry[] {
    return this.all().filter((r) => r.callUuid === callUuid);
  }

  get(id: string): RecordingEntry | undefined {
    return this.all().find((r) => r.id === id);
  }

  /**
   * The recording started here that a transcript is about: the one with its recording id, else (a transcript without
   * one) the latest on its call that asked for a transcript.
   */
  forTranscript(transcript: { recordingId?: string; callUuid?: string }): RecordingEntry | undefined {
    const { recordingId, callUuid } = transcript;
    if (recordingId) return this.all().find((r) => r.recordingId === recordingId);
    const candidates = this.all().filter((r) => r.callUuid === callUuid && r.transcriptionUrl !== undefined);
    return candidates.reduce<RecordingEntry | undefined>(
      (a, b) => (!a || b.startedAt > a.startedAt ? b : a),
      undefined,
    );
  }

  async addStarted(
    callUuid: string,
    options: RecordOptions,
    result: StartRecordingResult,
    call: RecordedCall = {},
  ): Promise<RecordingEntry> {
    const entry: RecordingEntry = {
      ...call,
      id: result.apiId,
      callUuid,
      apiId: result.apiId,
      state: result.kind === 'started' ? 'recording' : 'pending',
      url: result.kind === 'started' ? result.url : undefined,
      recordingId: result.kind === 'started' ? result.recordingId : undefined,
      fileFormat: options.fileFormat ?? 'mp3',
      timeLimit: options.timeLimit ?? 60,
      callbackUrl: options.callbackUrl,
      transcriptionUrl: options.transcriptionUrl,
      startedAt: Date.now(),
    };
    await this.#save([...this.all().filter((r) => r.id !== entry.id), entry]);
    return entry;
  }

  /** Asynchronous-mode answer arrived: the recording runs and now has its URL. */
  async applyAsyncResponse(
    apiId: string,
    url: string | undefined,
    recordingId: string | undefined,
  ): Promise<RecordingEntry | undefined> {
    return this.#update(
      (r) => r.apiId === apiId,
      (r) => ({
        ...r,
        state: r.state === 'pending' ? 'recording' : r.state,
        url: url ?? r.url,
        recordingId: recordingId ?? r.recordingId,
      }),
    );
  }

  /** A "record done" callback arrived for the recording the evidence points at. */
  async markDone(
    evidence: RecordingEvidence,
    details: { url?: string; durationSeconds?: number },
  ): Promise<RecordingEntry | undefined> {
    return this.#update(
      (r) => matches(r, evidence),
      (r) => ({
        ...r,
        // A recording stopped on request keeps that state; the callback only adds what it knows.
        state: r.state === 'stopped' || r.state === 'sandbox-stopped' ? r.state : 'done',
        url: details.url ?? r.url,
        durationSeconds: details.durationSeconds ?? r.durationSeconds,
        endedAt: r.endedAt ?? Date.now(),
      }),
    );
  }

  /** A callback named this recording but its signature did not verify: shown on the recording, nothing else changes. */
  async markUnverified(evidence: RecordingEvidence): Promise<RecordingEntry | undefined> {
    return this.#update(
      (r) => matches(r, evidence),
      (r) => ({ ...r, unverified: true }),
    );
  }

  /** After a successful stop: one recording (`url`) or every running one of the call. */
  async markStopped(callUuid: string, url?: string): Promise<void> {
    const now = Date.now();
    await this.#save(
      this.all().map((r) =>
        r.callUuid === callUuid && isActive(r) && (url === undefined || r.url === url)
          ? { ...r, state: 'stopped', endedAt: now }
          : r,
      ),
    );
  }

  /** The sandbox stopped: its recordings stay listed, marked as such, rather than vanishing with its calls. */
  async markSandboxStopped(): Promise<void> {
    const all = this.all();
    if (!all.some((r) => r.sandbox && r.state !== 'sandbox-stopped')) return;
    const now = Date.now();
    await this.#save(
      all.map((r) =>
        r.sandbox && r.state !== 'sandbox-stopped' ? { ...r, state: 'sandbox-stopped', endedAt: r.endedAt ?? now } : r,
      ),
    );
  }

  /** The call left the live list: its running recordings ended with it. */
  async markCallEnded(callUuid: string): Promise<void> {
    const now = Date.now();
    if (!this.forCall(callUuid).some((r) => isActive(r, now))) return;
    await this.#save(
      this.all().map((r) => (r.callUuid === callUuid && isActive(r, now) ? { ...r, state: 'done', endedAt: now } : r)),
    );
  }

  async clear(): Promise<void> {
    await this.#save([]);
  }

  async #update(
    select: (r: RecordingEntry) => boolean,
    change: (r: RecordingEntry) => RecordingEntry,
  ): Promise<RecordingEntry | undefined> {
    let updated: RecordingEntry | undefined;
    const next = this.all().map((r) => {
      if (updated || !select(r)) return r;
      updated = change(r);
      return updated;
    });
    if (updated) await this.#save(next);
    return updated;
  }

  async #save(entries: RecordingEntry[]): Promise<void> {
    await this.#state.update(STATE_KEY, entries.slice(-MAX_RECORDINGS));
    this.#onDidChange.fire();
  }
}

/** A recording in words, for messages: `the recording on +1 415 555 0100 → +1 212 555 0143 started at 14:03:07`. */
export function describeRecording(r: RecordingEntry): string {
  const on = r.from || r.to ? `on ${callNumbers(r)}` : 'on a call';
  return `the recording ${on} started at ${new Date(r.startedAt).toLocaleTimeString()}`;
}

export function isActive(r: RecordingEntry, now = Date.now()): boolean {
  const state = effectiveState(r, now);
  return state === 'recording' || state === 'pending';
}

/** A recording whose time limit has passed has ended, even if no callback said so. */
export function effectiveState(r: RecordingEntry, now = Date.now()): RecordingState {
  if ((r.state === 'recording' || r.state === 'pending') && now >= r.startedAt + r.timeLimit * 1000) return 'done';
  return r.state;
}

function matches(r: RecordingEntry, evidence: RecordingEvidence): boolean {
  return (
    (evidence.apiId !== undefined && r.apiId === evidence.apiId) ||
    (evidence.recordingId !== undefined && r.recordingId === evidence.recordingId) ||
    (evidence.url !== undefined && r.url === evidence.url)
  );
}
