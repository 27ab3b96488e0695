import * as vscode from 'vscode';
import {
  ACCOUNTS_SECRET_KEY,
  AccountStore,
  SANDBOX_ACCOUNT_ID,
  environmentCredentials,
  type AccountInput,
  type AccountSummary,
  type AccountToken,
} from '../accounts';
import { Disposable } from '../common/lifecycle';
import type { PlivoCredentials } from '../plivo';
import { SANDBOX_SUBACCOUNTS } from '../sandbox';
import type { SandboxService } from './sandboxService';

/**
 * The Plivo accounts the editor knows (saved ones in SecretStorage, Environment, the running Sandbox) and which
 * one is active, as an editor service with a `vscode` event. The offline sandbox (its main account and its
 * subaccounts) becomes the active account when it starts and stops being one when it stops; saved accounts are
 * never touched by either.
 */
export class Accounts extends Disposable {
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  /** The list or the active account changed. */
  readonly onDidChange = this.#onDidChange.event;
  readonly #store: AccountStore;
  readonly #sandbox: SandboxService;
  /** Following the sandbox's state is asynchronous; reads wait for it so they never see a stale Sandbox. */
  #sandboxSync: Promise<void> = Promise.resolve();
  #sandboxUrl: string | undefined;

  constructor(secrets: vscode.SecretStorage, sandbox: SandboxService, env: NodeJS.ProcessEnv = process.env) {
    super();
    this.#sandbox = sandbox;
    this.#store = new AccountStore({ secrets, environment: environmentCredentials(env) });
    this._register(this.#store.onDidChange(() => this.#onDidChange.fire()));
    // Another window of the same profile may change the accounts too.
    this._register(
      secrets.onDidChange((e) => {
        if (e.key === ACCOUNTS_SECRET_KEY) void this.#store.reload().catch(() => undefined);
      }),
    );
    this._register(sandbox.onDidChange(() => this.#followSandbox()));
  }

  async list(): Promise<AccountSummary[]> {
    await this.#sandboxSync;
    return this.#store.list();
  }

  async active(): Promise<AccountSummary | undefined> {
    await this.#sandboxSync;
    return this.#store.active();
  }

  /** The active account, its credentials, and for the Sandbox the URL it answers on. */
  async activeCredentials(): Promise<
    { account: AccountSummary; credentials: PlivoCredentials; sandboxUrl?: string } | undefined
  > {
    await this.#sandboxSync;
    const active = await this.#store.activeCredentials();
    if (!active) return undefined;
    return active.account.kind === 'sandbox' ? { ...active, sandboxUrl: this.#sandboxUrl } : active;
  }

  async credentialsFor(id: string): Promise<PlivoCredentials | undefined> {
    await this.#sandboxSync;
    return this.#store.credentialsFor(id);
  }

  /** Every token a received callback may be signed with. */
  async allTokens(): Promise<AccountToken[]> {
    await this.#sandboxSync;
    return this.#store.allTokens();
  }

  addOrUpdate(input: AccountInput): Promise<AccountSummary> {
    return this.#store.addOrUpdate(input);
  }

  remove(id: string): Promise<void> {
    return this.#store.remove(id);
  }

  async setActive(id: string): Promise<void> {
    await this.#sandboxSync;
    await this.#store.setActive(id);
  }

  #followSandbox(): void {
    const running = this.#sandbox.active;
    const wasRunning = this.#sandboxUrl !== undefined;
    this.#sandboxUrl = running?.url;
    this.#sandboxSync = this.#sandboxSync.then(async () => {
      if (running && !wasRunning) {
        await this.#store.setSandbox(
          running.credentials,
          SANDBOX_SUBACCOUNTS.map(({ authId, authToken, name }) => ({ authId, authToken, name: name ?? authId })),
        );
        // Use Offline Sandbox means "work in the sandbox now"; the saved choice comes back when it stops.
        await this.#store.setActive(SANDBOX_ACCOUNT_ID);
      } else if (!running && wasRunning) {
        await this.#store.setSandbox(undefined);
      }
    });
    // An unreadable account list is reported by the reads themselves; it must not block every later read.
    this.#sandboxSync = this.#sandboxSync.catch(() => undefined);
  }
}
