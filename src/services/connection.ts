import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { PlivoClient, RequestLimiter, type RequestLogEntry } from '../plivo';
import { CredentialStore, maskAuthId, type CredentialSource } from './credentials';
import type { SandboxService } from './sandboxService';
import { settings } from './settings';

export interface ActiveConnection {
  readonly client: PlivoClient;
  readonly source: CredentialSource | 'sandbox';
  /** For people: which account, and where, e.g. `MA…WZ12 · api.plivo.com` or `offline sandbox`. */
  readonly label: string;
  /** The tokens Plivo signs this account's callbacks with. */
  authTokens(): string[];
}

/**
 * Which Plivo account the extension talks to, and through which client: the running offline sandbox first,
 * else the stored (or environment) credentials with `plivo.apiBaseUrl`.
 */
export class PlivoConnection extends Disposable {
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #credentials: CredentialStore;
  readonly #sandbox: SandboxService;
  readonly #log: vscode.LogOutputChannel;
  readonly #userAgent: string;
  /** One request budget per account (API host + Auth ID), shared by every client made for it. */
  readonly #limiters = new Map<string, RequestLimiter>();

  constructor(credentials: CredentialStore, sandbox: SandboxService, log: vscode.LogOutputChannel, userAgent: string) {
    super();
    this.#credentials = credentials;
    this.#sandbox = sandbox;
    this.#log = log;
    this.#userAgent = userAgent;
    this._register(credentials.onDidChange(() => this.#changed()));
    this._register(sandbox.onDidChange(() => this.#changed()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('plivo.apiBaseUrl') || e.affectsConfiguration('plivo.requestTimeoutSeconds')) {
          this.#changed();
        }
        if (e.affectsConfiguration('plivo.api.maxRequestsPer5s')) {
          for (const limiter of this.#limiters.values()) limiter.maxRequests = settings.maxRequestsPer5s();
        }
      }),
    );
  }

  async current(): Promise<ActiveConnection | undefined> {
    const sandbox = this.#sandbox.active;
    if (sandbox) {
      const { authToken } = sandbox.credentials;
      return {
        client: this.createClient(sandbox.credentials, sandbox.url),
        source: 'sandbox',
        label: 'offline sandbox',
        authTokens: () => [authToken],
      };
    }
    const resolved = await this.#credentials.get();
    if (!resolved) return undefined;
    const client = this.createClient(resolved.credentials);
    const { authToken } = resolved.credentials;
    const host = new URL(client.baseUrl).host;
    const suffix = resolved.source === 'environment' ? ' (from environment)' : '';
    return {
      client,
      source: resolved.source,
      label: `${maskAuthId(client.authId)} · ${host}${suffix}`,
      authTokens: () => [authToken],
    };
  }

  /** A client for the given credentials against `baseUrl` (default: the `plivo.apiBaseUrl` setting). */
  createClient(credentials: { authId: string; authToken: string }, baseUrl = settings.apiBaseUrl()): PlivoClient {
    return new PlivoClient({
      credentials,
      baseUrl,
      timeoutMs: settings.requestTimeoutSeconds() * 1000,
      userAgent: this.#userAgent,
      onRequest: (entry) => this.#logRequest(entry),
      limiter: this.limiterFor(baseUrl, credentials.authId),
    });
  }

  /**
   * The account's request budget (`plivo.api.maxRequestsPer5s` per 5 s): Plivo counts requests per account, so
   * every view and command of this window shares it, and user actions go ahead of polling.
   */
  limiterFor(baseUrl: string, authId: string): RequestLimiter {
    const key = `${baseUrl.replace(/\/+$/, '')} ${authId}`;
    let limiter = this.#limiters.get(key);
    if (!limiter) {
      limiter = new RequestLimiter({ maxRequests: settings.maxRequestsPer5s() });
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }

  #changed(): void {
    this.#onDidChange.fire();
  }

  #logRequest(entry: RequestLogEntry): void {
    const outcome = entry.status !== undefined ? String(entry.status) : 'no answer';
    const apiId = entry.apiId ? ` api_id=${entry.apiId}` : '';
    const line = `${entry.method} ${entry.path} → ${outcome} in ${entry.durationMs} ms${apiId}`;
    if (entry.error) this.#log.warn(`${line}: ${entry.error}`);
    // Reads are mostly polling, summed up once per refresh by the Calls model; each one is kept at trace level.
    else if (entry.method === 'GET') this.#log.trace(line);
    else this.#log.info(line);
  }
}
