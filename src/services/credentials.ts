import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import type { PlivoCredentials } from '../plivo';

const AUTH_ID_KEY = 'plivo.authId';
const AUTH_TOKEN_KEY = 'plivo.authToken';
const KEYCHAIN_HELP = 'https://code.visualstudio.com/docs/configure/settings-sync#_troubleshooting-keychain-issues';

export type CredentialSource = 'keychain' | 'environment';

export interface ResolvedCredentials {
  readonly credentials: PlivoCredentials;
  readonly source: CredentialSource;
}

/** Raised when the storage behind SecretStorage (the OS keychain on desktop) cannot be used; never falls back to plain text. */
export class KeychainError extends Error {
  readonly helpUrl = KEYCHAIN_HELP;
}

/**
 * Plivo credentials from VS Code's SecretStorage (the OS keychain), with `PLIVO_AUTH_ID` / `PLIVO_AUTH_TOKEN`
 * from the environment as a fallback when nothing is stored, as Plivo's SDKs do.
 */
export class CredentialStore extends Disposable {
  readonly #secrets: vscode.SecretStorage;
  readonly #env: NodeJS.ProcessEnv;
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;

  constructor(secrets: vscode.SecretStorage, env: NodeJS.ProcessEnv = process.env) {
    super();
    this.#secrets = secrets;
    this.#env = env;
    // Another window of the same profile may change the secrets too.
    this._register(
      secrets.onDidChange((e) => {
        if (e.key === AUTH_ID_KEY || e.key === AUTH_TOKEN_KEY) this.#onDidChange.fire();
      }),
    );
  }

  async get(): Promise<ResolvedCredentials | undefined> {
    const stored = await this.#stored();
    if (stored) return { credentials: stored, source: 'keychain' };
    const authId = this.#env.PLIVO_AUTH_ID?.trim();
    const authToken = this.#env.PLIVO_AUTH_TOKEN?.trim();
    if (authId && authToken) return { credentials: { authId, authToken }, source: 'environment' };
    return undefined;
  }

  async hasStored(): Promise<boolean> {
    return (await this.#stored()) !== undefined;
  }

  async set(credentials: PlivoCredentials): Promise<void> {
    await this.#guard(async () => {
      await this.#secrets.store(AUTH_ID_KEY, credentials.authId);
      await this.#secrets.store(AUTH_TOKEN_KEY, credentials.authToken);
    });
    this.#onDidChange.fire();
  }

  async clear(): Promise<void> {
    await this.#guard(async () => {
      await this.#secrets.delete(AUTH_TOKEN_KEY);
      await this.#secrets.delete(AUTH_ID_KEY);
    });
    this.#onDidChange.fire();
  }

  async #stored(): Promise<PlivoCredentials | undefined> {
    const [authId, authToken] = await this.#guard(() =>
      Promise.all([this.#secrets.get(AUTH_ID_KEY), this.#secrets.get(AUTH_TOKEN_KEY)]),
    );
    return authId && authToken ? { authId, authToken } : undefined;
  }

  async #guard<T>(work: () => Thenable<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new KeychainError(
        `${capitalize(secretsLocation())} could not be used to store Plivo credentials (${error instanceof Error ? error.message : String(error)}). Nothing was saved in plain text.`,
      );
    }
  }
}

/**
 * Where SecretStorage keeps the credentials on this host, for messages: on desktop (also with a remote workspace,
 * whose secrets stay on the desktop) the OS keychain; in a browser-hosted editor (code-server, vscode.dev) the
 * browser's storage, encrypted with a key the server holds half of.
 */
export function secretsLocation(): string {
  return vscode.env.uiKind === vscode.UIKind.Web ? "the browser's encrypted storage" : 'your OS keychain';
}

/** `MAXXXXXXXXXXXXXXXX12` → `MA…XX12`: enough to tell accounts apart without showing the whole ID. */
export function maskAuthId(authId: string): string {
  return authId.length <= 8 ? authId : `${authId.slice(0, 2)}…${authId.slice(-4)}`;
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}
