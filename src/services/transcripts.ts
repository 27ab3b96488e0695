import * as vscode from 'vscode';
import { findTranscript, transcriptFromCallback, type TranscriptRecord, type TranscriptTarget } from '../callbacks';
import { Disposable } from '../common/lifecycle';
import type { ListenerService } from './listenerService';
import type { RecordingRef } from './recordingFiles';

const STATE_KEY = 'plivo.transcripts';
/** Keeps workspace state small; the oldest transcripts go first. */
const MAX_TRANSCRIPTS = 500;

/**
 * Transcripts that transcription callbacks brought to the listener, kept in workspace state. Each is matched to its
 * recording when asked (by recording id, else by call and time), so one that arrives before Plivo lists the
 * recording is found later.
 */
export class TranscriptStore extends Disposable {
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #onDidArrive = this._register(new vscode.EventEmitter<TranscriptRecord>());
  /** A transcript from a trusted callback has been kept (again, when Plivo sends it again). */
  readonly onDidArrive = this.#onDidArrive.event;
  readonly #state: vscode.Memento;

  constructor(listener: ListenerService, state: vscode.Memento) {
    super();
    this.#state = state;
    this._register(
      listener.onDidReceive((callback) => {
        // A forged request must not put words under a real recording.
        const record = listener.isTrusted(callback) ? transcriptFromCallback(callback) : undefined;
        if (record) void this.add(record).then(() => this.#onDidArrive.fire(record));
      }),
    );
  }

  all(): TranscriptRecord[] {
    return this.#state.get<TranscriptRecord[]>(STATE_KEY, []);
  }

  find(target: TranscriptTarget): TranscriptRecord | undefined {
    return findTranscript(this.all(), target);
  }

  /** The transcript of a recording to play, save or show. */
  forRecording(ref: RecordingRef): TranscriptRecord | undefined {
    const endedAtMs =
      ref.startedAt && ref.durationMs !== undefined ? ref.startedAt.getTime() + ref.durationMs : undefined;
    return this.find({ recordingId: ref.isPlivoId ? ref.id : undefined, callUuid: ref.callUuid, endedAtMs });
  }

  /** Plivo may retry a callback: the same callback id (or the same recording's text) replaces the older copy. */
  async add(record: TranscriptRecord): Promise<void> {
    const rest = this.all().filter(
      (r) =>
        r.callbackId !== record.callbackId &&
        !(record.recordingId !== undefined && r.recordingId === record.recordingId),
    );
    await this.#state.update(STATE_KEY, [...rest, record].slice(-MAX_TRANSCRIPTS));
    this.#onDidChange.fire();
  }

  async clear(): Promise<void> {
    await this.#state.update(STATE_KEY, []);
    this.#onDidChange.fire();
  }
}
