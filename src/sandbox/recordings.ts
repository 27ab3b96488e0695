// Simulated call recordings: their lifetime and the callbacks Plivo sends about them.
import { randomUUID } from 'node:crypto';
import type { CallbackRequest } from './callbackSender';
import type { RecordOptions } from './recordParams';
import type { TimerSet } from './timers';
import type { SandboxCall, SandboxRecording, SandboxRecordingInit } from './types';

/** Canned transcripts; each recording gets one chosen by its id, so repeated runs read the same. */
const SAMPLE_TRANSCRIPTIONS = [
  'Hello, this is a simulated call recorded by the Plivo offline sandbox. Thank you for calling.',
  "Hi, I'm calling about my order from last week. It hasn't arrived yet, could you check the tracking number for me?",
  'Good morning. I would like to move my appointment on Thursday to the same time next week, if that works for you.',
  'Thanks for holding. Your refund has been approved and should appear on your statement within five business days.',
];
const DEFAULT_STORED_DURATION_MS = 5000;
const TRANSCRIPTION_RATE_PER_MINUTE = 0.05;

export interface RecordingEngineDeps {
  timers: TimerSet;
  timeScale: number;
  /** Simulated time between a recording's end and its transcription callback. */
  transcriptionDelayMs: number;
  /** Where the recording file is served, e.g. `http://127.0.0.1:8099/recordings/<id>.mp3`. */
  fileUrl(recordingId: string, format: string): string;
  send(request: CallbackRequest): Promise<void>;
}

interface RecordingEntry {
  info: SandboxRecording;
  options: RecordOptions;
  authToken: string;
  timer?: NodeJS.Timeout;
  /** Callbacks of one recording go out one after another so receivers see them in order. */
  callbacks: Promise<void>;
}

export class RecordingEngine {
  readonly #entries = new Map<string, RecordingEntry>();

  readonly #deps: RecordingEngineDeps;

  constructor(deps: RecordingEngineDeps) {
    this.#deps = deps;
  }

  /** Starts a recording; in async mode the caller then calls sendAsyncResponse() once its reply is out. */
  start(
    call: SandboxCall,
    options: RecordOptions,
    params: Record<string, unknown>,
    authToken: string,
  ): SandboxRecording {
    const recordingId = randomUUID();
    const info: SandboxRecording = {
      recordingId,
      callUuid: call.callUuid,
      authId: call.authId,
      from: call.from,
      to: call.to,
      url: this.#deps.fileUrl(recordingId, options.format),
      apiId: randomUUID(),
      format: options.format,
      timeLimit: options.timeLimit,
      params,
      state: 'recording',
      startedAt: new Date(),
    };
    const entry: RecordingEntry = { info, options, authToken, callbacks: Promise.resolve() };
    entry.timer = this.#deps.timers.schedule(options.timeLimit * 1000 * this.#deps.timeScale, () =>
      this.#end(entry, 'done', true),
    );
    this.#entries.set(recordingId, entry);
    return { ...info };
  }

  /** Async mode: sends callback_url what the synchronous reply would have held, JSON-encoded in `response`. */
  sendAsyncResponse(recordingId: string): void {
    const entry = this.#entries.get(recordingId);
    if (!entry?.options.callbackUrl) return;
    this.#queueCallback(entry, {
      kind: 'async',
      url: entry.options.callbackUrl,
      method: entry.options.callbackMethod,
      params: { api_id: entry.info.apiId, response: JSON.stringify(startedResponse(entry.info)) },
      authToken: entry.authToken,
    });
  }

  /** Ends the call's active recordings (or only the one at `url`); returns how many ended. */
  endForCall(callUuid: string, state: 'done' | 'stopped', url?: string): number {
    const ended = this.#activeEntries(callUuid, url);
    for (const entry of ended) this.#end(entry, state);
    return ended.length;
  }

  /** A finished recording as if a call had been recorded earlier (no callbacks are sent). */
  addStored(
    init: SandboxRecordingInit,
    call: Pick<SandboxCall, 'callUuid' | 'from' | 'to' | 'authId'>,
  ): SandboxRecording {
    const recordingId = randomUUID();
    const format = init.format ?? 'mp3';
    const durationMs = init.durationMs ?? DEFAULT_STORED_DURATION_MS;
    const endedAt = init.endedAt ?? new Date();
    const info: SandboxRecording = {
      recordingId,
      ...call,
      conferenceName: init.conferenceName,
      url: this.#deps.fileUrl(recordingId, format),
      apiId: randomUUID(),
      format,
      timeLimit: Math.max(1, Math.ceil(durationMs / 1000)),
      params: {},
      state: 'done',
      startedAt: new Date(endedAt.getTime() - durationMs),
      endedAt,
      durationMs,
    };
    this.#entries.set(recordingId, {
      info,
      options: { ...STORED_OPTIONS, format },
      authToken: '',
      callbacks: Promise.resolve(),
    });
    return { ...info };
  }

  /** The account's finished recordings, newest first, as Plivo's Recording API lists them. */
  stored(authId: string): SandboxRecording[] {
    return [...this.#entries.values()]
      .filter((e) => e.info.authId === authId && e.info.endedAt !== undefined)
      .map((e) => ({ ...e.info }))
      .sort(
        (a, b) =>
          (b.endedAt as Date).getTime() - (a.endedAt as Date).getTime() || a.recordingId.localeCompare(b.recordingId),
      );
  }

  /** Deletes a finished recording of the account; false when there is none. */
  remove(authId: string, recordingId: string): boolean {
    const entry = this.#entries.get(recordingId);
    if (entry?.info.authId !== authId || entry.info.endedAt === undefined) return false;
    return this.#entries.delete(recordingId);
  }

  /** Milliseconds of audio the file holds now: the final duration, or what has been recorded so far. */
  audioMs(recordingId: string): number | undefined {
    const info = this.#entries.get(recordingId)?.info;
    if (!info) return undefined;
    if (info.durationMs !== undefined) return info.durationMs;
    const elapsedMs = (Date.now() - info.startedAt.getTime()) / this.#deps.timeScale;
    return Math.min(elapsedMs, info.timeLimit * 1000);
  }

  list(callUuid?: string): SandboxRecording[] {
    return [...this.#entries.values()]
      .filter((e) => callUuid === undefined || e.info.callUuid === callUuid)
      .map((e) => ({ ...e.info }));
  }

  find(recordingId: string): SandboxRecording | undefined {
    const entry = this.#entries.get(recordingId);
    return entry && { ...entry.info };
  }

  #activeEntries(callUuid: string, url?: string): RecordingEntry[] {
    return [...this.#entries.values()].filter(
      (e) => e.info.callUuid === callUuid && e.info.state === 'recording' && (url === undefined || e.info.url === url),
    );
  }

  #end(entry: RecordingEntry, state: 'done' | 'stopped', reachedLimit = false): void {
    if (entry.info.state !== 'recording') return;
    this.#deps.timers.cancel(entry.timer);
    const { info, options, authToken } = entry;
    info.state = state;
    info.endedAt = new Date();
    // Durations are simulated time, so a recording that ran to its limit reports exactly time_limit.
    const limitMs = options.timeLimit * 1000;
    const elapsedMs = (info.endedAt.getTime() - info.startedAt.getTime()) / this.#deps.timeScale;
    const durationMs = reachedLimit ? limitMs : Math.round(Math.min(elapsedMs, limitMs));
    info.durationMs = durationMs;
    const startMs = info.startedAt.getTime();
    const durationS = Math.round(durationMs / 1000);
    if (options.callbackUrl) {
      this.#queueCallback(entry, {
        kind: 'record',
        url: options.callbackUrl,
        method: options.callbackMethod,
        params: {
          api_id: info.apiId,
          call_uuid: info.callUuid,
          record_url: info.url,
          recording_id: info.recordingId,
          message: 'record done',
          recording_duration: String(durationS),
          recording_duration_ms: String(durationMs),
          recording_start_ms: String(startMs),
          recording_end_ms: String(startMs + durationMs),
        },
        authToken,
      });
    }
    if (options.transcriptionType && options.transcriptionUrl) {
      const minutes = Math.max(1, Math.ceil(durationS / 60));
      const transcriptionUrl = options.transcriptionUrl;
      // Plivo transcribes after the call: the transcript comes well after the recording's own callback.
      this.#deps.timers.schedule(this.#deps.transcriptionDelayMs * this.#deps.timeScale, () =>
        this.#queueCallback(entry, {
          kind: 'transcription',
          url: transcriptionUrl,
          method: options.transcriptionMethod,
          params: {
            transcription: transcriptFor(info.recordingId),
            duration: String(durationS),
            call_uuid: info.callUuid,
            recording_id: info.recordingId,
            transcription_charge: (TRANSCRIPTION_RATE_PER_MINUTE * minutes).toFixed(5),
            transcription_rate: TRANSCRIPTION_RATE_PER_MINUTE.toFixed(5),
            error: '',
          },
          authToken,
        }),
      );
    }
  }

  #queueCallback(entry: RecordingEntry, request: CallbackRequest): void {
    entry.callbacks = entry.callbacks.then(() => this.#deps.send(request));
  }
}

/** What a stored recording was "recorded" with; only the format matters once it has ended. */
const STORED_OPTIONS: RecordOptions = {
  timeLimit: 60,
  format: 'mp3',
  transcriptionMethod: 'POST',
  callbackMethod: 'POST',
};

function transcriptFor(recordingId: string): string {
  const hash = [...recordingId].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) >>> 0, 0);
  return SAMPLE_TRANSCRIPTIONS[hash % SAMPLE_TRANSCRIPTIONS.length];
}

/** The 202 body of a synchronous Record request; in async mode it travels in the callback's `response`. */
export function startedResponse(info: SandboxRecording): Record<string, string> {
  return { url: info.url, message: 'call recording started', recording_id: info.recordingId, api_id: info.apiId };
}
