import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../common/lifecycle';
import type { LiveCall } from '../plivo';
import type { PlivoConnection } from './connection';
import { settings } from './settings';

export type CallsStatus =
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly at: number }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * The account's live calls, polled while the Calls view is visible. A failed refresh keeps the last list,
 * so the tree never empties because of a network hiccup.
 */
export class CallsModel extends Disposable {
  #calls: readonly LiveCall[] = [];
  #status: CallsStatus = { kind: 'loading' };
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #visible = false;
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #connection: PlivoConnection;

  constructor(connection: PlivoConnection) {
    super();
    this.#connection = connection;
    this._register(toDisposable(() => clearInterval(this.#timer)));
    this._register(
      connection.onDidChange(() => {
        this.#calls = [];
        this.#status = { kind: 'loading' };
        this.#onDidChange.fire();
        if (this.#visible) void this.refresh();
      }),
    );
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('plivo.calls.refreshIntervalSeconds')) this.#schedule();
      }),
    );
  }

  get calls(): readonly LiveCall[] {
    return this.#calls;
  }

  get status(): CallsStatus {
    return this.#status;
  }

  find(callUuid: string): LiveCall | undefined {
    return this.#calls.find((c) => c.callUuid === callUuid);
  }

  /** Polls only while the view is visible, so a hidden sidebar costs no requests. */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible) void this.refresh();
    this.#schedule();
  }

  /** Concurrent calls share one request. */
  refresh(): Promise<void> {
    this.#inFlight ??= this.#load().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #load(): Promise<void> {
    try {
      // Inside the try: a malformed plivo.apiBaseUrl or an unusable keychain fails here, and shows in the view.
      const active = await this.#connection.current();
      if (!active) {
        this.#set([], { kind: 'signed-out' });
        return;
      }
      const calls = await active.client.listLiveCalls();
      this.#set(calls, { kind: 'loaded', at: Date.now() });
    } catch (error) {
      this.#set(this.#calls, { kind: 'error', error });
    }
  }

  #set(calls: readonly LiveCall[], status: CallsStatus): void {
    this.#calls = calls;
    this.#status = status;
    // Fired on every load, so durations tick; items keep stable ids, so the tree updates in place.
    this.#onDidChange.fire();
  }

  #schedule(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const seconds = settings.refreshIntervalSeconds();
    if (this.#visible && seconds > 0) this.#timer = setInterval(() => void this.refresh(), seconds * 1000);
  }
}
