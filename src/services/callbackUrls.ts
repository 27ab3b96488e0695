import * as vscode from 'vscode';
import {
  CALLBACK_PATHS,
  detectTunnel,
  forwardTargets,
  refreshRememberedUrl,
  resolveCallbackBase,
  type RememberedUrlUpdate,
  type ResolvedBaseUrl,
  type TunnelDetection,
  type TunnelSource,
} from '../callbacks';
import { Disposable } from '../common/lifecycle';
import type { ListenerService } from './listenerService';
import { settings } from './settings';

/** Bases handed out in earlier sessions, to bring remembered URLs up to date; a few are enough. */
const PREVIOUS_BASES_KEY = 'plivo.listener.previousBases';
const MAX_PREVIOUS_BASES = 10;

export interface CallbackUrlState extends ResolvedBaseUrl {
  /** Which tool the URL comes from, when `source` is `tunnel`. */
  tunnel?: TunnelSource;
  /** Every tunnel agent's answer at the last check, to explain why none was used. */
  detections: TunnelDetection[];
}

/** `ngrok tunnel`, `plivo.listener.publicUrl`, `forwarded by the editor`, `local only`. */
export function describeSource(state: Pick<CallbackUrlState, 'source' | 'tunnel'>): string {
  switch (state.source) {
    case 'publicUrl':
      return 'plivo.listener.publicUrl';
    case 'tunnel':
      return `${state.tunnel ?? 'tunnel'} tunnel`;
    case 'forwarded':
      return 'forwarded by the editor';
    case 'local':
      return 'local only';
    default:
      return 'not running';
  }
}

/**
 * The one answer to "which URL do callbacks go to?": `plivo.listener.publicUrl`, else a tunnel found for the
 * listener's port (ngrok's agent API, cloudflared's metrics), else the editor's forwarded URL, else the local
 * one. Everything that shows, offers, copies or sends a callback URL asks here, so they are always the same URL.
 * Tunnels are looked for when the listener starts and on demand (`refresh`); nothing polls.
 */
export class CallbackUrlService extends Disposable {
  readonly #onDidChange = this._register(new vscode.EventEmitter<CallbackUrlState>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #listener: ListenerService;
  readonly #sandboxSelected: () => Promise<boolean>;
  /** The answer of `sandboxSelected` at the last check. */
  #sandboxInUse = false;
  readonly #state: vscode.Memento;
  #current: CallbackUrlState = { warnings: [], errors: [], detections: [] };
  /** A tunnel found (or started) for the listener's current port. */
  #tunnel: { url: string; source: TunnelSource; port: number } | undefined;
  #forwarded: string | undefined;
  #detections: TunnelDetection[] = [];
  /** Every base handed out this session: Plivo may still call one of them for a recording started earlier. */
  readonly #handedOut = new Set<string>();
  #refreshing: Promise<CallbackUrlState> | undefined;

  /**
   * `sandboxSelected`: whether callbacks come from the offline sandbox (it runs in this extension host and calls
   * the local URL directly); `onDidChangeAccount` fires when that may have changed.
   */
  constructor(
    listener: ListenerService,
    sandboxSelected: () => Promise<boolean>,
    onDidChangeAccount: vscode.Event<void>,
    state: vscode.Memento,
  ) {
    super();
    this.#listener = listener;
    this.#sandboxSelected = sandboxSelected;
    this.#state = state;
    this._register(
      listener.onDidChangeState(() => {
        if (listener.running) void this.refresh();
        else this.#recompute();
      }),
    );
    // The offline sandbox calls the local URL directly; with another account, the public URL applies again.
    this._register(onDidChangeAccount(() => void this.refresh()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('plivo.tunnel') || e.affectsConfiguration('plivo.listener.publicUrl')) {
          void this.refresh();
        }
        if (e.affectsConfiguration('plivo.listener.forwardUrl')) this.#feedListener();
      }),
    );
  }

  /** What is in use now (no network); `url` is undefined while the listener is stopped. */
  get current(): CallbackUrlState {
    return this.#current;
  }

  /** Looks for a tunnel and the editor's forwarded URL again, then resolves. Concurrent calls share one check. */
  refresh(): Promise<CallbackUrlState> {
    this.#refreshing ??= this.#check().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** The base URL to hand out, starting the listener (may reject with `ListenerPortInUseError`). */
  async base(): Promise<string | undefined> {
    await this.#listener.start();
    const { url } = await this.refresh();
    if (url) this.#handOut(url);
    return url;
  }

  /** A URL for Plivo's callback_url / transcription_url that lands in the Callbacks view. */
  async callbackUrl(purpose: 'recording' | 'transcription' = 'recording'): Promise<string | undefined> {
    const base = await this.base();
    return base && base + CALLBACK_PATHS[purpose];
  }

  /** Uses a tunnel just started from the editor for the listener's port. */
  useTunnel(found: { url: string; source: TunnelSource }, port: number): void {
    this.#tunnel = { ...found, port };
    this.#recompute();
  }

  /** A remembered ("last used") URL brought up to date: moved onto the current base, or dropped when stale. */
  refreshRemembered(remembered: string): RememberedUrlUpdate {
    const { forward } = settings.listenerForward();
    return refreshRememberedUrl(remembered, {
      base: this.#current.url,
      localUrl: this.#listener.url,
      previousBases: [...this.#handedOut, ...this.#state.get<string[]>(PREVIOUS_BASES_KEY, [])],
      appOrigins: forward ? forwardTargets(forward) : [],
    });
  }

  async #check(): Promise<CallbackUrlState> {
    const local = this.#listener.url;
    const port = local ? Number(new URL(local).port) : undefined;
    this.#sandboxInUse = await this.#sandboxSelected();
    if (local && port !== undefined && !this.#sandboxInUse) {
      const [detected, forwarded] = await Promise.all([
        detectTunnel(port, {
          ngrokApiUrl: settings.tunnelNgrokApiUrl(),
          cloudflaredMetricsUrl: settings.tunnelCloudflaredMetricsUrl(),
        }),
        vscode.env.asExternalUri(vscode.Uri.parse(local)).then(
          (uri) => uri.toString(true),
          () => undefined,
        ),
      ]);
      this.#detections = detected.results;
      this.#tunnel = detected.found ? { url: detected.found.url, source: detected.found.source, port } : undefined;
      this.#forwarded = forwarded;
    }
    this.#recompute();
    return this.#current;
  }

  #recompute(): void {
    const local = this.#listener.url;
    let state: CallbackUrlState;
    if (!local) {
      state = { warnings: [], errors: [], detections: this.#detections };
    } else if (this.#sandboxInUse) {
      // The offline sandbox runs in this extension host: it reaches the listener directly.
      state = { url: local, source: 'local', warnings: [], errors: [], detections: [] };
    } else {
      const port = Number(new URL(local).port);
      const tunnel = this.#tunnel?.port === port ? this.#tunnel : undefined;
      const resolved = resolveCallbackBase({
        configuredPublicUrl: settings.listenerPublicUrl(),
        detectedTunnelUrl: tunnel?.url,
        forwardedUrl: this.#forwarded,
        localUrl: local,
      });
      state = {
        ...resolved,
        ...(resolved.source === 'tunnel' && tunnel ? { tunnel: tunnel.source } : {}),
        detections: this.#detections,
      };
    }
    this.#current = state;
    this.#feedListener();
    this.#onDidChange.fire(state);
  }

  /** The listener checks signatures against, and accepts requests for, every base it is known by. */
  #feedListener(): void {
    const current = this.#current;
    const bases = [current.url, this.#tunnel?.url, this.#forwarded, ...this.#handedOut];
    this.#listener.setKnownBases(bases.filter((b): b is string => b !== undefined));
  }

  #handOut(base: string): void {
    if (this.#handedOut.has(base)) return;
    this.#handedOut.add(base);
    this.#feedListener();
    const previous = this.#state.get<string[]>(PREVIOUS_BASES_KEY, []).filter((b) => b !== base);
    void this.#state.update(PREVIOUS_BASES_KEY, [base, ...previous].slice(0, MAX_PREVIOUS_BASES));
  }
}
