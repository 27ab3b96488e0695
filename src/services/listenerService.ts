import * as vscode from 'vscode';
import {
  CallbackListener,
  CallbackStore,
  forwardCallback,
  ListenerPortInUseError,
  type ReceivedCallback,
} from '../callbacks';
import type { PlivoConnection } from './connection';
import type { RecordingsStore } from './recordingsStore';
import { settings } from './settings';

const FORWARD_TIMEOUT_MS = 10_000;

/** The listener path handed out for each kind of callback; any path is received, this one reads well in Plivo's logs. */
export function callbackPath(purpose: 'recording' | 'transcription'): string {
  return `/plivo/${purpose}`;
}

/**
 * The local callback listener inside the editor: starts and stops it, keeps the received callbacks in the
 * persisted store, applies what they say to the recordings, forwards them, and shows state in the status bar.
 */
export class ListenerService implements vscode.Disposable {
  readonly store: CallbackStore;
  readonly #listener = new CallbackListener();
  readonly #statusItem: vscode.StatusBarItem;
  readonly #onDidReceive = new vscode.EventEmitter<ReceivedCallback>();
  /** Fires after a callback is stored and applied. */
  readonly onDidReceive = this.#onDidReceive.event;
  readonly #onDidChangeState = new vscode.EventEmitter<void>();
  readonly onDidChangeState = this.#onDidChangeState.event;
  readonly #disposables: vscode.Disposable[] = [];
  #authTokens: string[] = [];
  /** Base URLs given out for callbacks; signatures are checked against the one the sender used. */
  readonly #handedOut = new Set<string>();
  #loaded: Promise<void> | undefined;

  constructor(
    storageDir: string,
    private readonly connection: PlivoConnection,
    private readonly recordings: RecordingsStore,
    private readonly log: vscode.LogOutputChannel,
    private readonly sandboxActive: () => boolean,
  ) {
    this.store = new CallbackStore(storageDir, { maxHistory: settings.callbacksMaxHistory() });
    this.#statusItem = vscode.window.createStatusBarItem('plivo.listener', vscode.StatusBarAlignment.Left, 50);
    this.#statusItem.name = 'Plivo Callback Listener';
    this.#listener.on('callback', (callback) => void this.#receive(callback));
    this.#listener.on('warning', (message) => this.log.warn(`Callback listener: ${message}`));
    this.#disposables.push(
      this.#statusItem,
      connection.onDidChange(() => void this.#loadTokens()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('plivo.callbacks.maxHistory')) {
          this.store.maxHistory = settings.callbacksMaxHistory();
        }
        if (e.affectsConfiguration('plivo.listener.publicUrl')) this.#render();
      }),
    );
    void this.#loadTokens();
    this.#render();
  }

  get running(): boolean {
    return this.#listener.running;
  }

  /** The local URL, e.g. `http://127.0.0.1:8787`, while running. */
  get url(): string | undefined {
    return this.#listener.url;
  }

  /** Loads the persisted history once; later calls share the first load. */
  load(): Promise<void> {
    this.#loaded ??= this.store.load().then(({ warning }) => {
      if (warning) {
        this.log.warn(warning);
        void vscode.window.showWarningMessage(`Plivo callback history: ${warning}`);
      }
    });
    return this.#loaded;
  }

  /** Starts on `plivo.listener.port` (or `port`); when it is taken, offers the next free port. Resolves the local URL. */
  async start(port = settings.listenerPort()): Promise<string | undefined> {
    if (this.running) return this.url;
    await this.load();
    try {
      await this.#listener.start({
        port,
        maxBodyBytes: settings.listenerMaxBodyBytes(),
        getAuthTokens: () => this.#authTokens,
        getSignedBaseUrls: () =>
          [settings.listenerPublicUrl(), ...this.#handedOut].filter((u): u is string => u !== undefined),
      });
    } catch (error) {
      if (!(error instanceof ListenerPortInUseError)) throw error;
      return this.#offerOtherPort(error);
    }
    this.log.info(
      `Callback listener running at ${this.url}${settings.listenerPublicUrl() ? ` (public URL ${settings.listenerPublicUrl()})` : ''}.`,
    );
    this.#changed();
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    await this.#listener.stop();
    this.log.info('Callback listener stopped.');
    this.#changed();
  }

  /**
   * The base URL to give the sender of callbacks, starting the listener: the local URL for the offline sandbox
   * (it runs in this extension host), else `plivo.listener.publicUrl` (a tunnel) when set, else the local URL as the
   * editor exposes it (`asExternalUri` forwards the port in remote, Codespaces and code-server sessions).
   */
  async externalBaseUrl(): Promise<string | undefined> {
    const local = await this.start();
    if (!local) return undefined;
    if (this.sandboxActive()) return local;
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

  dispose(): void {
    void this.#listener.stop();
    void this.store.flush();
    this.#disposables.forEach((d) => d.dispose());
    this.#onDidReceive.dispose();
    this.#onDidChangeState.dispose();
  }

  async #receive(callback: ReceivedCallback): Promise<void> {
    try {
      await this.store.add(callback);
      this.log.info(
        `Callback received: ${callback.method} ${callback.path} → ${callback.status} (${callback.kind}, signature ${callback.signature.state}).`,
      );
      await this.#apply(callback);
      this.#onDidReceive.fire(callback);
      const forwardUrl = settings.listenerForwardUrl();
      if (forwardUrl && callback.status < 400) {
        const forward = await forwardCallback(callback, forwardUrl, { timeoutMs: FORWARD_TIMEOUT_MS });
        await this.store.update(callback.id, { forward });
        this.log.info(`Forwarded to ${forwardUrl}: ${forward.status ?? forward.error} in ${forward.durationMs} ms.`);
      }
    } catch (error) {
      this.log.error(`Could not handle a received callback: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** What a callback says about a recording started from here: its URL (async mode) or that it is done. */
  async #apply(callback: ReceivedCallback): Promise<void> {
    const { summary } = callback;
    if (callback.kind === 'async' && summary.apiId) {
      const response = (summary.response ?? {}) as Record<string, unknown>;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      await this.recordings.applyAsyncResponse(summary.apiId, str(response.url), str(response.recording_id));
    }
    if (callback.kind === 'record') {
      const recording = await this.recordings.markDone(
        { apiId: summary.apiId, recordingId: summary.recordingId, url: summary.recordUrl },
        { url: summary.recordUrl, durationSeconds: summary.durationSeconds },
      );
      if (recording && summary.recordUrl) void this.#offerRecording(summary.recordUrl, callback);
    }
  }

  async #offerRecording(recordUrl: string, callback: ReceivedCallback): Promise<void> {
    // Only known-safe text here: request fields could carry markdown links, which notifications render.
    const choice = await vscode.window.showInformationMessage(
      `A recording started from this workspace is done (callback signature ${callback.signature.state}).`,
      'Open Recording',
      'Show Request',
    );
    if (choice === 'Open Recording') await vscode.env.openExternal(vscode.Uri.parse(recordUrl));
    if (choice === 'Show Request') await vscode.commands.executeCommand('plivo.showCallback', callback.id);
  }

  async #offerOtherPort(error: ListenerPortInUseError): Promise<string | undefined> {
    const other = error.suggestedPort;
    const actions = other === undefined ? ['Open Settings'] : [`Use Port ${other}`, 'Open Settings'];
    const choice = await vscode.window.showWarningMessage(
      `The callback listener cannot start: port ${error.port} is already in use (another app, or the listener of another VS Code window).`,
      ...actions,
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'plivo.listener.port');
    }
    if (choice && other !== undefined && choice.endsWith(String(other))) return this.start(other);
    return undefined;
  }

  async #loadTokens(): Promise<void> {
    // Without a usable connection (no credentials, a malformed API URL) signatures are reported as not checkable.
    this.#authTokens = (await this.connection.current().catch(() => undefined))?.authTokens() ?? [];
  }

  #changed(): void {
    void vscode.commands.executeCommand('setContext', 'plivo.listenerRunning', this.running);
    this.#render();
    this.#onDidChangeState.fire();
  }

  #render(): void {
    const item = this.#statusItem;
    if (this.running) {
      const publicUrl = settings.listenerPublicUrl();
      item.text = `$(radio-tower) Plivo ${this.url?.replace('http://', '')}`;
      item.tooltip = new vscode.MarkdownString(
        `Plivo callback listener is running at \`${this.url}\`${publicUrl ? `, public URL \`${publicUrl}\`` : ''}.\n\nClick to copy the callback URL.`,
      );
      item.command = 'plivo.copyListenerUrl';
      item.backgroundColor = undefined;
    } else {
      item.text = '$(debug-disconnect) Plivo listener off';
      item.tooltip = 'Plivo callback listener is stopped. Click to start it.';
      item.command = 'plivo.startListener';
    }
    item.accessibilityInformation = {
      label: this.running ? `Plivo callback listener running at ${this.url}` : 'Plivo callback listener stopped',
    };
    item.show();
  }
}
