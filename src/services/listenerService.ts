import * as vscode from 'vscode';
import { maskAuthId, matchSignature, type AccountSignatureCheck, type AccountToken } from '../accounts';
import { CallbackListener, forwardCallback, signedUrlFor, type ReceivedCallback } from '../callbacks';
import { Disposable, toDisposable } from '../common/lifecycle';
import type { CallbackHistory } from './callbackHistory';
import type { PlivoConnection } from './connection';
import type { RecordingsStore } from './recordingsStore';
import { settings } from './settings';
import { markWalkthroughStep } from './walkthrough';

const FORWARD_TIMEOUT_MS = 10_000;

/** The listener path handed out for each kind of callback; any path is received, this one reads well in Plivo's logs. */
export function callbackPath(purpose: 'recording' | 'transcription'): string {
  return `/plivo/${purpose}`;
}

/** A record-done callback that finished a recording started from this workspace. */
export interface FinishedRecording {
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
  readonly #history: CallbackHistory;
  readonly #connection: PlivoConnection;
  readonly #recordings: RecordingsStore;
  readonly #log: vscode.LogOutputChannel;
  readonly #sandboxActive: () => Promise<boolean>;
  #tokens: AccountToken[] = [];
  /** Base URLs given out for callbacks; signatures are checked against the one the sender used. */
  readonly #handedOut = new Set<string>();

  constructor(
    history: CallbackHistory,
    connection: PlivoConnection,
    recordings: RecordingsStore,
    log: vscode.LogOutputChannel,
    sandboxActive: () => Promise<boolean>,
  ) {
    super();
    this.#history = history;
    this.#connection = connection;
    this.#recordings = recordings;
    this.#log = log;
    this.#sandboxActive = sandboxActive;
    this.#listener.on('callback', (callback) => void this.#receive(callback));
    this.#listener.on('warning', (message) => this.#log.warn(`Callback listener: ${message}`));
    this._register(toDisposable(() => void this.#listener.stop()));
    this._register(connection.onDidChange(() => void this.#loadTokens()));
    void this.#loadTokens();
  }

  get running(): boolean {
    return this.#listener.running;
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
      getSignedBaseUrls: () => this.#signedBaseUrls(),
    });
    this.#log.info(
      `Callback listener running at ${this.url}${settings.listenerPublicUrl() ? ` (public URL ${settings.listenerPublicUrl()})` : ''}.`,
    );
    this.#onDidChangeState.fire();
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    await this.#listener.stop();
    this.#log.info('Callback listener stopped.');
    this.#onDidChangeState.fire();
  }

  /**
   * The base URL to give the sender of callbacks, starting the listener: the local URL for the offline sandbox
   * (it runs in this extension host), else `plivo.listener.publicUrl` (a tunnel) when set, else the local URL as the
   * editor exposes it (`asExternalUri` forwards the port in remote, Codespaces and code-server sessions).
   */
  async externalBaseUrl(): Promise<string | undefined> {
    const local = await this.start();
    if (!local) return undefined;
    if (await this.#sandboxActive()) return local;
    const publicUrl = settings.listenerPublicUrl();
    if (publicUrl) return publicUrl.replace(/\/+$/, '');
    const external = (await vscode.env.asExternalUri(vscode.Uri.parse(local))).toString(true).replace(/\/+$/, '');
    this.#handedOut.add(external);
    return external;
  }

  /** A URL for Plivo's callback_url / transcription_url that lands in the Callbacks view. */
  async callbackUrl(purpose: 'recording' | 'transcription' = 'recording'): Promise<string | undefined> {
    const base = await this.externalBaseUrl();
    return base && `${base}${callbackPath(purpose)}`;
  }

  async #receive(received: ReceivedCallback): Promise<void> {
    try {
      const callback = this.#nameSigner(received);
      await this.#history.add(callback);
      this.#log.info(
        `Callback received: ${callback.method} ${callback.path} → ${callback.status} (${callback.kind}, signature ${callback.signature.state}).`,
      );
      await this.#apply(callback);
      this.#onDidReceive.fire(callback);
      markWalkthroughStep('callbackReceived');
      if (this.#cameThroughPublicUrl(callback)) markWalkthroughStep('tunnelCallback');
      const forwardUrl = settings.listenerForwardUrl();
      if (forwardUrl && callback.status < 400) {
        const forward = await forwardCallback(callback, forwardUrl, { timeoutMs: FORWARD_TIMEOUT_MS });
        await this.#history.update(callback.id, { forward });
        this.#log.info(`Forwarded to ${forwardUrl}: ${forward.status ?? forward.error} in ${forward.durationMs} ms.`);
      }
    } catch (error) {
      this.#log.error(
        `Could not handle a received callback: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** What a callback says about a recording started from here: its URL (async mode) or that it is done. */
  async #apply(callback: ReceivedCallback): Promise<void> {
    const { summary } = callback;
    if (callback.kind === 'async' && summary.apiId) {
      const response = (summary.response ?? {}) as Record<string, unknown>;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      await this.#recordings.applyAsyncResponse(summary.apiId, str(response.url), str(response.recording_id));
    }
    if (callback.kind === 'record') {
      const recording = await this.#recordings.markDone(
        { apiId: summary.apiId, recordingId: summary.recordingId, url: summary.recordUrl },
        { url: summary.recordUrl, durationSeconds: summary.durationSeconds },
      );
      if (recording && summary.recordUrl) this.#onDidFinishRecording.fire({ recordUrl: summary.recordUrl, callback });
    }
  }

  #signedBaseUrls(): string[] {
    return [settings.listenerPublicUrl(), ...this.#handedOut].filter((u): u is string => u !== undefined);
  }

  /** With several accounts saved, a valid signature also says whose token made it; the listener's verdict stays. */
  #nameSigner(callback: ReceivedCallback): ReceivedCallback {
    if (callback.signature.state !== 'valid') return callback;
    const urls = [...this.#signedBaseUrls(), this.url ?? ''].map((base) => signedUrlFor(base, callback.path));
    const { method, params, headers } = callback;
    const { account } = matchSignature({ method, params, headers }, urls, this.#tokens);
    if (!account) return callback;
    const signature: AccountSignatureCheck = {
      ...callback.signature,
      account,
      detail: `${callback.signature.detail}; made with the Auth Token of ${account.label} (${maskAuthId(account.authId)})`,
    };
    return { ...callback, signature };
  }

  /** Sent by Plivo's cloud through the tunnel: the Host is the public URL's, not the listener's loopback address. */
  #cameThroughPublicUrl(callback: ReceivedCallback): boolean {
    const publicUrl = settings.listenerPublicUrl();
    if (!publicUrl) return false;
    try {
      return new URL(publicUrl).host === callback.headers.host;
    } catch {
      return false;
    }
  }

  async #loadTokens(): Promise<void> {
    // Without readable accounts (an unusable keychain) signatures are reported as not checkable.
    this.#tokens = await this.#connection.allTokens().catch(() => []);
  }
}
