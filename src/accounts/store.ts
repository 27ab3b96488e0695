import { randomUUID } from 'node:crypto';
import { Emitter } from '../common/emitter';
import type { IDisposable } from '../common/lifecycle';
import type { PlivoCredentials } from '../plivo/types';
import { assertCredentials } from '../plivo/validate';
import { AccountStoreError } from './errors';
import { defaultAccountLabel, isSubaccountAuthId, maskAuthId } from './labels';

/** One secret holds the whole list, so an account and its token are always written together. */
export const ACCOUNTS_SECRET_KEY = 'plivo.accounts.v1';
/** Where version 0.1.0 kept its single credential set; read once to migrate it. */
export const LEGACY_AUTH_ID_KEY = 'plivo.authId';
export const LEGACY_AUTH_TOKEN_KEY = 'plivo.authToken';

export const ENVIRONMENT_ACCOUNT_ID = 'environment';
export const SANDBOX_ACCOUNT_ID = 'sandbox';
export const ENVIRONMENT_ACCOUNT_LABEL = 'Environment';
export const SANDBOX_ACCOUNT_LABEL = 'Sandbox';

/** A subaccount of the sandbox's main account, e.g. `SANDBOX_SUBACCOUNTS` of src/sandbox. */
export interface SandboxSubaccount extends PlivoCredentials {
  readonly name: string;
}

/** The id of a sandbox subaccount's virtual account. */
export function sandboxSubaccountId(authId: string): string {
  return `${SANDBOX_ACCOUNT_ID}:${authId}`;
}

/** The part of VS Code's SecretStorage the store needs; tests pass an in-memory stand-in. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** `saved` accounts live in the secret store; the other two exist only while their source does. */
export type AccountKind = 'saved' | 'environment' | 'sandbox';

/** What the UI may show about an account: never its token. */
export interface AccountSummary {
  readonly id: string;
  readonly kind: AccountKind;
  readonly label: string;
  readonly authId: string;
  /** e.g. `MA…0001` */
  readonly maskedAuthId: string;
  readonly isSubaccount: boolean;
  /** Plivo accepted the credentials when they were saved. */
  readonly verified: boolean;
  /** ISO 8601, when `verified`. */
  readonly verifiedAt?: string;
  readonly active: boolean;
}

export interface AccountInput {
  readonly authId: string;
  readonly authToken: string;
  /** Blank or missing: the account's current label, or the default one for a new account. */
  readonly label?: string;
  readonly verified: boolean;
  /** Also make it the active account, in the same write. */
  readonly activate?: boolean;
}

/** One token a callback signature may have been made with, and whose it is. */
export interface AccountToken {
  readonly accountId: string;
  readonly label: string;
  readonly authId: string;
  readonly token: string;
}

export interface AccountStoreOptions {
  secrets: SecretStore;
  /** `PLIVO_AUTH_ID` / `PLIVO_AUTH_TOKEN`, shown as the Environment account; see `environmentCredentials`. */
  environment?: PlivoCredentials;
  now?: () => Date;
}

interface Entry {
  id: string;
  kind: AccountKind;
  label: string;
  authId: string;
  authToken: string;
  verified: boolean;
  verifiedAt?: string;
}

interface SavedEntry extends Entry {
  kind: 'saved';
}

interface State {
  accounts: SavedEntry[];
  /** A saved account's id or ENVIRONMENT_ACCOUNT_ID; the sandbox is never persisted as active. */
  activeId?: string;
}

interface Change<T> {
  /** The state to write; undefined when nothing persistent changed. */
  next?: State;
  /** Listeners are told even when only in-memory state (the sandbox) changed. */
  changed?: boolean;
  result: T;
}

/** The Environment account's credentials, when both variables are set, as Plivo's SDKs read them. */
export function environmentCredentials(env: NodeJS.ProcessEnv): PlivoCredentials | undefined {
  const authId = env.PLIVO_AUTH_ID?.trim();
  const authToken = env.PLIVO_AUTH_TOKEN?.trim();
  return authId && authToken ? { authId, authToken } : undefined;
}

/**
 * Several Plivo accounts, kept in the secret store (the OS keychain) as one JSON blob, plus two virtual
 * accounts that are never written: Environment and the running offline Sandbox. Writes run one at a
 * time, so quick successive changes never lose each other.
 */
export class AccountStore {
  readonly #secrets: SecretStore;
  readonly #environment?: PlivoCredentials;
  readonly #now: () => Date;
  readonly #onDidChange = new Emitter<void>();
  #state: Promise<State> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #sandbox: Entry[] = [];
  /** The selected sandbox account; memory only. */
  #sandboxSelectedId: string | undefined;

  constructor(options: AccountStoreOptions) {
    this.#secrets = options.secrets;
    this.#environment = options.environment;
    this.#now = options.now ?? (() => new Date());
  }

  /** Called after every change of the list or of the active account. */
  onDidChange(listener: () => void): IDisposable {
    return this.#onDidChange.event(listener);
  }

  /** Saved accounts in the order they were added, then Environment and Sandbox when present. */
  async list(): Promise<AccountSummary[]> {
    const state = await this.#load();
    const activeId = this.#activeEntry(state)?.id;
    return this.#entries(state).map((e) => summarize(e, activeId));
  }

  async active(): Promise<AccountSummary | undefined> {
    const entry = this.#activeEntry(await this.#load());
    return entry && summarize(entry, entry.id);
  }

  /** The active account and its credentials: what Calls, Recordings, Record and Stop use. */
  async activeCredentials(): Promise<{ account: AccountSummary; credentials: PlivoCredentials } | undefined> {
    const entry = this.#activeEntry(await this.#load());
    return entry && { account: summarize(entry, entry.id), credentials: credentialsOf(entry) };
  }

  /** The only way to read a token of a listed account. */
  async credentialsFor(id: string): Promise<PlivoCredentials | undefined> {
    const entry = this.#entries(await this.#load()).find((e) => e.id === id);
    return entry && credentialsOf(entry);
  }

  /** Every token a callback signature may be made with: the callback listener checks against all of them. */
  async allTokens(): Promise<AccountToken[]> {
    return this.#entries(await this.#load()).map((e) => ({
      accountId: e.id,
      label: e.label,
      authId: e.authId,
      token: e.authToken,
    }));
  }

  /** Saves an account; a saved account with the same Auth ID is updated in place and keeps its id. */
  async addOrUpdate(input: AccountInput): Promise<AccountSummary> {
    const authId = input.authId.trim();
    const authToken = input.authToken.trim();
    assertCredentials({ authId, authToken });
    return this.#change(async () => {
      const state = await this.#load();
      const existing = state.accounts.find((a) => a.authId === authId);
      const account: SavedEntry = {
        id: existing?.id ?? randomUUID(),
        kind: 'saved',
        label: input.label?.trim() || existing?.label || defaultAccountLabel(authId),
        authId,
        authToken,
        verified: input.verified,
        verifiedAt: input.verified ? this.#now().toISOString() : undefined,
      };
      const accounts = existing
        ? state.accounts.map((a) => (a === existing ? account : a))
        : [...state.accounts, account];
      if (input.activate) this.#sandboxSelectedId = undefined;
      const next: State = { accounts, activeId: input.activate ? account.id : state.activeId };
      return { next, result: summarize(account, this.#activeEntry(next)?.id) };
    });
  }

  /** Forgets a saved account and its token. */
  remove(id: string): Promise<void> {
    return this.#change(async () => {
      const state = await this.#load();
      this.#assertSaved(state, id, 'removed');
      const accounts = state.accounts.filter((a) => a.id !== id);
      return { next: { accounts, activeId: state.activeId === id ? undefined : state.activeId }, result: undefined };
    });
  }

  /**
   * Makes an account active. Selecting the Sandbox is remembered only in memory, so selecting another
   * account (or the sandbox stopping) brings back the saved choice untouched.
   */
  setActive(id: string): Promise<void> {
    return this.#change(async () => {
      const state = await this.#load();
      const entry = this.#entries(state).find((e) => e.id === id);
      if (!entry) throw unknownAccount(id);
      const wasSelected = this.#sandboxSelectedId;
      this.#sandboxSelectedId = entry.kind === 'sandbox' ? id : undefined;
      const persist = entry.kind !== 'sandbox' && state.activeId !== id;
      return {
        next: persist ? { ...state, activeId: id } : undefined,
        changed: wasSelected !== this.#sandboxSelectedId,
        result: undefined,
      };
    });
  }

  /**
   * The running offline sandbox's main account and subaccounts, or undefined once it stops. An account
   * that goes away is deselected, which brings back the saved choice.
   */
  setSandbox(main: PlivoCredentials | undefined, subaccounts: readonly SandboxSubaccount[] = []): Promise<void> {
    return this.#change(async () => {
      this.#sandbox = main
        ? [
            virtualEntry(SANDBOX_ACCOUNT_ID, 'sandbox', SANDBOX_ACCOUNT_LABEL, main),
            ...subaccounts.map((s) =>
              virtualEntry(sandboxSubaccountId(s.authId), 'sandbox', `${SANDBOX_ACCOUNT_LABEL} · ${s.name}`, s),
            ),
          ]
        : [];
      if (!this.#sandbox.some((e) => e.id === this.#sandboxSelectedId)) this.#sandboxSelectedId = undefined;
      return { changed: true, result: undefined };
    });
  }

  /** Deletes every saved account (and any 0.1.0 leftovers) from the secret store. */
  forgetAll(): Promise<void> {
    return this.#change(async () => {
      await this.#guard(async () => {
        await this.#secrets.delete(ACCOUNTS_SECRET_KEY);
        await this.#deleteLegacy();
      });
      this.#state = Promise.resolve({ accounts: [] });
      return { changed: true, result: undefined };
    });
  }

  /** Drops what was read, e.g. when another window changed ACCOUNTS_SECRET_KEY; listeners are told. */
  reload(): Promise<void> {
    return this.#change(async () => {
      this.#state = undefined;
      return { changed: true, result: undefined };
    });
  }

  #entries(state: State): Entry[] {
    const environment = this.#environment
      ? [virtualEntry(ENVIRONMENT_ACCOUNT_ID, 'environment', ENVIRONMENT_ACCOUNT_LABEL, this.#environment)]
      : [];
    return [...state.accounts, ...environment, ...this.#sandbox];
  }

  /** Sandbox when selected, else the saved choice, else the first saved account, else Environment. */
  #activeEntry(state: State): Entry | undefined {
    const entries = this.#entries(state);
    const sandbox = entries.find((e) => e.id === this.#sandboxSelectedId);
    if (sandbox) return sandbox;
    return (
      entries.find((e) => e.id === state.activeId && e.kind !== 'sandbox') ??
      entries.find((e) => e.kind === 'saved') ??
      entries.find((e) => e.kind === 'environment')
    );
  }

  #assertSaved(state: State, id: string, verb: string): void {
    if (state.accounts.some((a) => a.id === id)) return;
    const virtual = this.#entries(state).find((e) => e.id === id);
    if (virtual) {
      throw new AccountStoreError(
        'not-allowed',
        `The ${virtual.label} account is not saved, so it cannot be ${verb}; it comes from ${
          virtual.kind === 'environment' ? 'PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN' : 'the running offline sandbox'
        }.`,
      );
    }
    throw unknownAccount(id);
  }

  /**
   * Runs `work` after every earlier change, writes its result, then tells the listeners. A failed write
   * undoes the sandbox selection `work` made, so memory and keychain agree.
   */
  #change<T>(work: () => Promise<Change<T>>): Promise<T> {
    const run = this.#queue.then(async () => {
      const sandboxSelected = this.#sandboxSelectedId;
      const change = await work();
      if (change.next) {
        try {
          await this.#write(change.next);
        } catch (error) {
          this.#sandboxSelectedId = sandboxSelected;
          throw error;
        }
        this.#state = Promise.resolve(change.next);
      }
      if (change.next || change.changed) this.#onDidChange.fire();
      return change.result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #load(): Promise<State> {
    if (!this.#state) {
      const loading = this.#read();
      this.#state = loading;
      // A keychain that failed once may work on the next try.
      loading.catch(() => {
        if (this.#state === loading) this.#state = undefined;
      });
    }
    return this.#state;
  }

  async #read(): Promise<State> {
    const text = await this.#guard(() => this.#secrets.get(ACCOUNTS_SECRET_KEY));
    if (text !== undefined) return parseState(text);
    return this.#migrateLegacy();
  }

  /** 0.1.0's credential set becomes the first account; its keys go only once the new list is written. */
  async #migrateLegacy(): Promise<State> {
    const [authId, authToken] = await this.#guard(() =>
      Promise.all([this.#secrets.get(LEGACY_AUTH_ID_KEY), this.#secrets.get(LEGACY_AUTH_TOKEN_KEY)]),
    );
    if (!authId || !authToken) return { accounts: [] };
    // 0.1.0 could save credentials without checking them, so they count as unverified.
    const account: SavedEntry = {
      id: randomUUID(),
      kind: 'saved',
      label: defaultAccountLabel(authId),
      authId,
      authToken,
      verified: false,
    };
    const state: State = { accounts: [account], activeId: account.id };
    await this.#write(state);
    try {
      await this.#deleteLegacy();
    } catch {
      // The list is what is read from now on; leftovers are removed by forgetAll().
    }
    return state;
  }

  async #deleteLegacy(): Promise<void> {
    await this.#secrets.delete(LEGACY_AUTH_TOKEN_KEY);
    await this.#secrets.delete(LEGACY_AUTH_ID_KEY);
  }

  #write(state: State): Promise<void> {
    const blob = { version: 1, activeId: state.activeId, accounts: state.accounts };
    return this.#guard(() => this.#secrets.store(ACCOUNTS_SECRET_KEY, JSON.stringify(blob)));
  }

  async #guard<T>(work: () => PromiseLike<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new AccountStoreError(
        'keychain',
        `The editor's secret storage (the OS keychain on desktop) could not be used for the Plivo accounts (${error instanceof Error ? error.message : String(error)}). Nothing was saved in plain text.`,
      );
    }
  }
}

function summarize(entry: Entry, activeId: string | undefined): AccountSummary {
  return {
    id: entry.id,
    kind: entry.kind,
    label: entry.label,
    authId: entry.authId,
    maskedAuthId: maskAuthId(entry.authId),
    isSubaccount: isSubaccountAuthId(entry.authId),
    verified: entry.verified,
    verifiedAt: entry.verifiedAt,
    active: entry.id === activeId,
  };
}

/** The sandbox always accepts its own credentials; the environment's were never checked. */
function virtualEntry(id: string, kind: AccountKind, label: string, credentials: PlivoCredentials): Entry {
  return { id, kind, label, ...credentialsOf(credentials), verified: kind === 'sandbox' };
}

function credentialsOf(entry: PlivoCredentials): PlivoCredentials {
  return { authId: entry.authId, authToken: entry.authToken };
}

function unknownAccount(id: string): AccountStoreError {
  return new AccountStoreError('unknown-account', `There is no Plivo account with id ${id}; it may have been removed.`);
}

/** Anything unexpected is reported, never repaired: rewriting it could lose accounts. */
function parseState(text: string): State {
  const unreadable = (why: string): AccountStoreError =>
    new AccountStoreError(
      'unreadable',
      `The saved Plivo accounts (secret ${ACCOUNTS_SECRET_KEY}) cannot be read: ${why}. They were left unchanged.`,
    );
  let blob: unknown;
  try {
    blob = JSON.parse(text);
  } catch {
    throw unreadable('not JSON');
  }
  if (!isRecord(blob) || blob.version !== 1 || !Array.isArray(blob.accounts)) {
    throw unreadable('not a version 1 account list');
  }
  const accounts = blob.accounts.map((value: unknown, index): SavedEntry => {
    if (
      !isRecord(value) ||
      typeof value.id !== 'string' ||
      typeof value.label !== 'string' ||
      typeof value.authId !== 'string' ||
      typeof value.authToken !== 'string' ||
      typeof value.verified !== 'boolean'
    ) {
      throw unreadable(`account ${index + 1} lacks its id, label, authId, authToken or verified field`);
    }
    return {
      id: value.id,
      kind: 'saved',
      label: value.label,
      authId: value.authId,
      authToken: value.authToken,
      verified: value.verified,
      verifiedAt: typeof value.verifiedAt === 'string' ? value.verifiedAt : undefined,
    };
  });
  return { accounts, activeId: typeof blob.activeId === 'string' ? blob.activeId : undefined };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
