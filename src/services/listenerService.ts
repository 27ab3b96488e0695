import * as vscode from 'vscode';
import { withSigner, type AccountToken } from '../accounts';
import {
  CALLBACK_PATHS,
  CallbackListener,
  ForwardQueue,
  forwardTargetFor,
  forwardToApp,
  isRoundTripCheck,
  type ForwardSetting,
  type ReceivedCallback,
  type SignedWith,
} from '../callbacks';
import { Disposable, toDisposable } from '../common/lifecycle';
import { isVerified } from '../plivo';
import type { CallbackHistory } from './callbackHistory';
import type { PlivoConnection } from './connection';
import type { RecordingEntry, RecordingsStore } from './recordingsStore';
import { settings } from './settings';
import { markWalkthroughStep } from './walkthrough';

const FORWARD_TIMEOUT_MS = 10_000;
/** Whether the listener was running when the window closed, for `plivo.listener.autoStart`. */
const WAS_RUNNING_KEY = 'plivo.listener.wasRunning';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A callback whose V3 signature matched the Auth Token and was not a replay: the only kind that may change a recording. */
export function isVerifiedCallback(callback: ReceivedCallback): boolean {
  return isVerified(callback.signature);
}

/** The listener path handed out for each kind of callback; any path is received, this one reads well in Plivo's logs. */
export function callbackPath(purpose: 'recording' | 'transcription'): string {
  return CALLBACK_PATHS[purpose];
}

/** A record-done callback that finished a recording started from this workspace. */
export interface FinishedRecording {
  readonly recording: RecordingEntry;
  readonly recordUrl: string;
  readonly callback: ReceivedCallback;
}

/**
 * The local callback listener inside the editor: starts and stops it, and runs each received callback through
 * the pipeline: store it in the history, apply what it says to the recordings, announce it, forward it.
 */
export class ListenerService extends Disposable {
  readonly #listener = new CallbackListener();
  readonly #onDidReceive = this._register(new vscode.EventEmitter<ReceivedCallback>());
  /** Fires after a callback is stored and applied. */
  readonly onDidReceive = this.#onDidReceive.event;
  readonly #onDidFinishRecording = this._register(new vscode.EventEmitter<FinishedRecording>());
  /** Fires when a callback says a recording started from this workspace is done and has a URL. */
  readonly onDidFinishRecording = this.#onDidFinishRecording.event;
  readonly #onDidChangeState = this._register(new vscode.EventEmitter<void>());
  /** Fires when the listener starts or stops. */
  readonly onDidChangeState = this.#onDidChangeState.event;
  readonly #onDidChangeForwarding = this._register(new vscode.EventEmitter<void>());
  /** Fires when a forward to the user's app is queued, starts or ends (see `forwarding`); a burst fires it often. */
  readonly onDidChangeForwarding = this.#onDidChangeForwarding.event;
  readonly #onDidReceiveCheck = this._register(new vscode.EventEmitter<ReceivedCallback>());
  /** Fires for "Check Public URL" requests, which are kept out of the history and forwarding. */
  readonly onDidReceiveCheck = this.#onDidReceiveCheck.event;
  readonly #history: CallbackHistory;
  readonly #connection: PlivoConnection;
  readonly #recordings: RecordingsStore;
  readonly #log: vscode.LogOutputChannel;
  #tokens: AccountToken[] = [];
  /** Base URLs given out for callbacks; signatures are checked against the one the sender used. */
  #knownBases: string[] = [];
  readonly #state: vscode.Memento;
  /** `plivo.listener.forwardUrl` as last read; undefined until read again after it changes. */
  #forwardRead: ReturnType<typeof settings.listenerForward> | undefined;
  readonly #forwardQueue = new ForwardQueue();
  /** Whether forwards are being refused because too many wait: logged once per such stretch, not per callback. */
  #forwardOverflowing = false;

  constructor(
    history: CallbackHistory,
    connection: PlivoConnection,
    recordings: RecordingsStore,
    log: vscode.LogOutputChannel,
    state: vscode.Memento,
  ) {
    super();
    this.#state = state;
    this.#history = history;
    this.#connection = connection;
    this.#recordings = recordings;
    this.#log = log;
    this.#listener.on('callback', (callback, signedWith) => void this.#receive(callback, signedWith));
    this.#listener.on('warning', (message) => this.#log.warn(`Callback listener: ${message}`));
    this._register(toDisposable(() => void this.#listener.stop()));
    this._register(connection.onDidChange(() => void this.#loadTokens()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('plivo.listener.forwardUrl')) this.#forwardRead = undefined;
      }),
    );
    // Trusting the workspace lets its value of the (restricted) setting count.
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => (this.#forwardRead = undefined)));
    void this.#loadTokens();
  }

  get running(): boolean {
    return this.#listener.running;
  }

  /**
   * Whether a callback may change what the extension shows about recordings (their state, URL, transcript): one
   * whose signature verified, or any when no Auth Token is saved to check it against.
   */
  isTrusted(callback: ReceivedCallback): boolean {
    return isVerifiedCallback(callback) || this.#tokens.length === 0;
  }

  /** The local URL, e.g. `http://127.0.0.1:8787`, while running. */
  get url(): string | undefined {
    return this.#listener.url;
  }

  /**
   * Starts on `plivo.listener.port` (or `port`) and resolves the local URL. Rejects with `ListenerPortInUseError`
   * when the port is taken: the caller decides whether to offer another.
   */
  async start(port = settings.listenerPort()): Promise<string | undefined> {
    if (this.running) return this.url;
    await this.#history.load();
    await this.#listener.start({
      port,
      maxBodyBytes: settings.listenerMaxBodyBytes(),
      getAuthTokens: () => this.#tokens.map((t) => t.token),
      getSignedBaseUrls: () => this.#knownBases,
    });
    this.#log.info(`Callback listener running at ${this.url}.`);
    await this.#state.update(WAS_RUNNING_KEY, true);
    this.#onDidChangeState.fire();
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    await this.#listener.stop();
    // Stopping also stops a backlog of forwards to a slow app; the callbacks stay in the history, to replay.
    this.#forwardQueue.cancelWaiting();
    // Only a stop asked for: closing the window (dispose) leaves it to restart after a reload.
    await this.#state.update(WAS_RUNNING_KEY, false);
    this.#log.info('Callback listener stopped.');
    this.#onDidChangeState.fire();
  }

  /** The base URLs the listener was handed out as (public, tunnel, forwarded): signatures are checked against them. */
  setKnownBases(bases: readonly string[]): void {
    this.#knownBases = [...new Set(bases.map((base) => base.replace(/\/+$/, '')))];
  }

  /** Forwards to the user's app running now, and those waiting for a turn (oldest first). */
  get forwarding(): { readonly inFlight: number; readonly waiting: number } {
    return { inFlight: this.#forwardQueue.running, waiting: this.#forwardQueue.waiting };
  }

  /** Restarts the listener after a window reload if it was running when the window closed (`plivo.listener.autoStart`). */
  async restore(): Promise<void> {
    if (!settings.listenerAutoStart() || !this.#state.get<boolean>(WAS_RUNNING_KEY, false) || this.running) return;
    try {
      await this.start();
    } catch (error) {
      // Not a failure of anything the user did now: the next Start Callback Listener offers another port.
      this.#log.warn(
        `The callback listener was running before the reload but could not restart: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async #receive(received: ReceivedCallback, { authToken }: SignedWith): Promise<void> {
    // "Check Public URL" requests prove the tunnel reaches here; they are not the user's callbacks.
    if (isRoundTripCheck(received)) {
      this.#onDidReceiveCheck.fire(received);
      return;
    }
    try {
      const callback = this.#nameSigner(received, authToken);
      // In the history at once; saved within moments (not awaited, so forwarding never waits for the disk). Never
      // rejects: a failed save keeps the callback in memory, and it is still applied and forwarded.
      void this.#history.add(callback);
      this.#log.info(
        `Callback received: ${callback.method} ${callback.path} → ${callback.status} (${callback.kind}, signature ${callback.signature.state}).`,
      );
      await this.#apply(callback);
      this.#onDidReceive.fire(callback);
      markWalkthroughStep('callbackReceived');
      if (this.#cameThroughPublicUrl(callback)) markWalkthroughStep('tunnelCallback');
      if (callback.status < 400) await this.#forward(callback);
    } catch (error) {
      this.#log.error(
        `Could not handle a received callback: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** The forward setting, read once per change (each callback needs it); its problem is logged once. */
  #forwardSetting(): ForwardSetting | undefined {
    if (this.#forwardRead === undefined) {
      this.#forwardRead = settings.listenerForward();
      const { error } = this.#forwardRead;
      if (error) this.#log.warn(`Not forwarding callbacks: ${error}.`);
    }
    return this.#forwardRead.forward;
  }

  /** In arrival order and a few at a time (src/callbacks/forwardQueue.ts), so a burst cannot flood the app. */
  async #forward(callback: ReceivedCallback): Promise<void> {
    const forward = this.#forwardSetting();
    const targetUrl = forward && forwardTargetFor(callback, forward);
    if (targetUrl === undefined) return;
    const running = this.#forwardQueue.run(() => this.#forwardNow(callback));
    this.#onDidChangeForwarding.fire();
    const queued = await running;
    this.#onDidChangeForwarding.fire();
    if (!queued.refused) return;
    let error: string;
    if (queued.refused === 'cancelled') {
      error = 'not forwarded: the callback listener was stopped while this callback waited for your app (replay it)';
    } else {
      const limit = this.#forwardQueue.maxWaiting.toLocaleString('en-US');
      error = `not forwarded: ${limit} callbacks were already waiting for your app, which answers more slowly than they arrive (replay this one once it has caught up)`;
      if (!this.#forwardOverflowing) this.#log.warn(`Forwarding to ${targetUrl}: ${error}.`);
      this.#forwardOverflowing = true;
    }
    await this.#history.update(callback.id, {
      forward: { targetUrl, ok: false, durationMs: 0, responseSnippet: '', error },
    });
  }

  async #forwardNow(callback: ReceivedCallback): Promise<void> {
    if (this.#forwardQueue.waiting === 0) this.#forwardOverflowing = false;
    // Read again: the setting may have changed (or been cleared to stop a flood) while this callback waited.
    const forward = this.#forwardSetting();
    const result = forward && (await forwardToApp(callback, forward, { timeoutMs: FORWARD_TIMEOUT_MS }));
    if (!result) return;
    await this.#history.update(callback.id, { forward: result });
    const unverified = isVerifiedCallback(callback)
      ? ''
      : ' (unverified callback, relayed with the headers it came with)';
    this.#log.info(
      `Forwarded to ${result.targetUrl}: ${result.status ?? result.error} in ${result.durationMs} ms${unverified}.`,
    );
  }

  /**
   * What a callback says about a recording started from here: its URL (async mode) or that it is done.
   * With an Auth Token to check against, only a verified callback changes a recording; another one only marks
   * the recording "unverified callback", so a forged request cannot finish or redirect it.
   */
  async #apply(callback: ReceivedCallback): Promise<void> {
    const { summary } = callback;
    if (callback.kind !== 'async' && callback.kind !== 'record') return;
    const evidence = {
      apiId: summary.apiId,
      recordingId: summary.recordingId ?? str((summary.response as Record<string, unknown> | undefined)?.recording_id),
      url: summary.recordUrl,
    };
    if (!isVerifiedCallback(callback)) {
      await this.#recordings.markUnverified(evidence);
      if (!this.isTrusted(callback)) return;
    }
    if (callback.kind === 'async' && summary.apiId) {
      const response = (summary.response ?? {}) as Record<string, unknown>;
      await this.#recordings.applyAsyncResponse(summary.apiId, str(response.url), str(response.recording_id));
    }
    if (callback.kind === 'record') {
      const recording = await this.#recordings.markDone(
        { apiId: summary.apiId, recordingId: summary.recordingId, url: summary.recordUrl },
        { url: summary.recordUrl, durationSeconds: summary.durationSeconds },
      );
      if (recording && summary.recordUrl) {
        this.#onDidFinishRecording.fire({ recording, recordUrl: summary.recordUrl, callback });
      }
    }
  }

  /** A valid signature also says whose token made it (the listener tells which); the listener's verdict stays. */
  #nameSigner(callback: ReceivedCallback, authToken: string | undefined): ReceivedCallback {
    if (callback.signature.state !== 'valid' || authToken === undefined) return callback;
    const owner = this.#tokens.find((token) => token.token === authToken);
    return owner ? { ...callback, signature: withSigner(callback.signature, owner) } : callback;
  }

  /** Sent by Plivo's cloud through a tunnel or public URL: its Host is one the listener was handed out as, not loopback. */
  #cameThroughPublicUrl(callback: ReceivedCallback): boolean {
    const host = callback.headers.host;
    return this.#knownBases.some((base) => {
      try {
        const url = new URL(base);
        return url.host === host && !/^(127\.|localhost$|\[::1\]$)/.test(url.hostname);
      } catch {
        return false;
      }
    });
  }

  async #loadTokens(): Promise<void> {
    // Without readable accounts (an unusable keychain) signatures are reported as not checkable.
    this.#tokens = await this.#connection.allTokens().catch(() => []);
  }
}
