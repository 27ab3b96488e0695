// Simulated call recordings: their lifetime and the callbacks Plivo sends about them.
import { randomUUID } from 'node:crypto';
import type { CallbackRequest } from './callbackSender';
import type { RecordOptions } from './recordParams';
import type { TimerSet } from './timers';
import type { SandboxCall, SandboxRecording } from './types';

const SAMPLE_TRANSCRIPTION =
  'Hello, this is a simulated call recorded by the Plivo offline sandbox. Thank you for calling.';
const TRANSCRIPTION_RATE_PER_MINUTE = 0.05;

export interface RecordingEngineDeps {
  timers: TimerSet;
  timeScale: number;
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
      this.#queueCallback(entry, {
        kind: 'transcription',
        url: options.transcriptionUrl,
        method: options.transcriptionMethod,
        params: {
          transcription: SAMPLE_TRANSCRIPTION,
          duration: String(durationS),
          call_uuid: info.callUuid,
          recording_id: info.recordingId,
          transcription_charge: (TRANSCRIPTION_RATE_PER_MINUTE * minutes).toFixed(5),
          transcription_rate: TRANSCRIPTION_RATE_PER_MINUTE.toFixed(5),
          error: '',
        },
        authToken,
      });
    }
  }

  #queueCallback(entry: RecordingEntry, request: CallbackRequest): void {
    entry.callbacks = entry.callbacks.then(() => this.#deps.send(request));
  }
}

/** The 202 body of a synchronous Record request; in async mode it travels in the callback's `response`. */
export function startedResponse(info: SandboxRecording): Record<string, string> {
  return { url: info.url, message: 'call recording started', recording_id: info.recordingId, api_id: info.apiId };
}
