import * as vscode from 'vscode';
import type { AccountSummary, AccountToken } from '../accounts';
import { maskAuthId } from '../accounts';
import { Disposable } from '../common/lifecycle';
import { DEFAULT_BASE_URL, PlivoClient, RequestLimiter, type PlivoCredentials, type RequestLogEntry } from '../plivo';
import { apiHostTrust } from '../plivo/hostTrust';
import type { Accounts } from './accounts';
import { settings } from './settings';

const TRUSTED_HOSTS_KEY = 'plivo.trustedApiHosts';

export interface ActiveConnection {
  readonly client: PlivoClient;
  readonly account: AccountSummary;
  /** For people: which account, and where when not Plivo, e.g. `Production (MA…0001)` or `Sandbox (offline)`. */
  readonly label: string;
  /** The token this account's callbacks are signed with, for replays and test callbacks. */
  authTokens(): string[];
  /** The account's request budget, which every client of it shares. */
  readonly limiter: RequestLimiter;
}

/**
 * `plivo.apiBaseUrl` points somewhere the Auth Token may not go without the user's consent: another https host
 * (until confirmed once), or plain http to anything but this machine (never).
 */
export class ApiHostNotTrustedError extends Error {
  readonly host: string;
  /** http:// to a host other than loopback: no confirmation can allow it. */
  readonly insecure: boolean;

  constructor(baseUrl: string, host: string, insecure: boolean) {
    super(
      insecure
        ? `plivo.apiBaseUrl (${baseUrl}) uses plain http to ${host}: the Auth Token would cross the network unencrypted. Use https, or http only for a sandbox on this machine.`
        : `plivo.apiBaseUrl points to ${host}, which is not Plivo's API (${new URL(DEFAULT_BASE_URL).host}) or a sandbox on this machine. The Auth Token is sent there only after you allow that host.`,
    );
    this.name = 'ApiHostNotTrustedError';
    this.host = host;
    this.insecure = insecure;
  }
}

/**
 * Which Plivo account the extension talks to, and through which client: the active account of `Accounts`, against
 * the offline sandbox when that is the account, else `plivo.apiBaseUrl`. The Auth Token goes only to Plivo's hosts,
 * to loopback, or to a host the user allowed (kept in global state, so a workspace cannot allow one).
 */
export class PlivoConnection extends Disposable {
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #accounts: Accounts;
  readonly #globalState: vscode.Memento;
  readonly #log: vscode.LogOutputChannel;
  readonly #userAgent: string;
  /** One request budget per account (API host + Auth ID), shared by every client made for it. */
  readonly #limiters = new Map<string, RequestLimiter>();

  constructor(accounts: Accounts, globalState: vscode.Memento, log: vscode.LogOutputChannel, userAgent: string) {
    super();
    this.#accounts = accounts;
    this.#globalState = globalState;
    this.#log = log;
    this.#userAgent = userAgent;
    this._register(accounts.onDidChange(() => this.#onDidChange.fire()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('plivo.apiBaseUrl') || e.affectsConfiguration('plivo.requestTimeoutSeconds')) {
          this.#onDidChange.fire();
        }
        if (e.affectsConfiguration('plivo.api.maxRequestsPer5s')) {
          for (const limiter of this.#limiters.values()) limiter.maxRequests = settings.maxRequestsPer5s();
        }
      }),
    );
  }

  /** Rejects with `ApiHostNotTrustedError` when the active account's token may not go to `plivo.apiBaseUrl`. */
  async current(): Promise<ActiveConnection | undefined> {
    const active = await this.#accounts.activeCredentials();
    if (!active) return undefined;
    const { account, credentials, sandboxUrl } = active;
    const client = this.createClient(credentials, sandboxUrl);
    const host = new URL(client.baseUrl).host;
    const where = sandboxUrl ? ' · offline' : host === new URL(DEFAULT_BASE_URL).host ? '' : ` · ${host}`;
    return {
      client,
      account,
      label: `${account.label}${account.kind === 'sandbox' ? '' : ` (${maskAuthId(account.authId)})`}${where}`,
      authTokens: () => [credentials.authToken],
      limiter: this.limiterFor(client.baseUrl, credentials.authId),
    };
  }

  /** Every saved, environment and sandbox token, for checking received callbacks. */
  allTokens(): Promise<AccountToken[]> {
    return this.#accounts.allTokens();
  }

  /**
   * A client for the given credentials against `baseUrl` (default: the `plivo.apiBaseUrl` setting). Throws
   * `ApiHostNotTrustedError` rather than create a client that would send the token where it may not go.
   */
  createClient(credentials: PlivoCredentials, baseUrl = settings.apiBaseUrl()): PlivoClient {
    this.assertTrusted(baseUrl);
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

  assertTrusted(baseUrl: string): void {
    const trust = apiHostTrust(baseUrl);
    if (trust === 'plivo' || trust === 'loopback') return;
    let host: string;
    try {
      host = new URL(baseUrl.trim()).host;
    } catch {
      // Not a URL at all: the client reports that with its own message.
      return;
    }
    if (trust === 'insecure') throw new ApiHostNotTrustedError(baseUrl, host, true);
    if (!this.trustedHosts().includes(host)) throw new ApiHostNotTrustedError(baseUrl, host, false);
  }

  /** Hosts (with port) the user allowed to receive the Auth Token. */
  trustedHosts(): string[] {
    return this.#globalState.get<string[]>(TRUSTED_HOSTS_KEY, []);
  }

  async trustHost(host: string): Promise<void> {
    if (this.trustedHosts().includes(host)) return;
    await this.#globalState.update(TRUSTED_HOSTS_KEY, [...this.trustedHosts(), host]);
    this.#log.info(`API host ${host} allowed to receive the Auth Token.`);
    this.#onDidChange.fire();
  }

  async resetTrustedHosts(): Promise<string[]> {
    const hosts = this.trustedHosts();
    await this.#globalState.update(TRUSTED_HOSTS_KEY, undefined);
    if (hosts.length) this.#log.info(`API hosts no longer allowed: ${hosts.join(', ')}.`);
    this.#onDidChange.fire();
    return hosts;
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
