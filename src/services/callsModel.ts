import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../common/lifecycle';
import {
  LiveCallsPager,
  PlivoError,
  pollDelayMs,
  type LiveCall,
  type LiveCallFilters,
  type LiveCallsSnapshot,
  type LiveCallsSource,
  type PlivoClient,
  type RequestPriority,
} from '../plivo';
import type { PlivoConnection } from './connection';
import { settings } from './settings';

export type CallsStatus =
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly at: number }
  /** `retryAt`: when polling asks again by itself (backing off while refreshes keep failing); unset when it will not. */
  | { readonly kind: 'error'; readonly error: unknown; readonly failures: number; readonly retryAt?: number };

/**
 * What the list is narrowed to: numbers and direction are filtered by Plivo (the list request's `from_number`,
 * `to_number`, `call_direction`); a call UUID is one detail request.
 */
export type CallsFilter =
  | { readonly kind: 'from' | 'to'; readonly number: string }
  | { readonly kind: 'direction'; readonly direction: 'inbound' | 'outbound' }
  | { readonly kind: 'uuid'; readonly callUuid: string };

/** How much of the account's live calls the list shows. */
export interface CallsPage {
  readonly shown: number;
  /** All live calls known to exist (matching the filter); at least `shown`. */
  readonly total: number;
  /** Every live call (matching the filter) is shown. */
  readonly complete: boolean;
}

/**
 * The account's live calls, polled while the Calls view is visible, a page at a time (`LiveCallsPager`: 200 shown,
 * "Load more" adds 200, details fetched only for the calls shown). A failed refresh keeps the last list, so the tree
 * never empties because of a network hiccup. Each refresh leaves one summary line in the log.
 */
export class CallsModel extends Disposable {
  #snapshot: LiveCallsSnapshot | undefined;
  #status: CallsStatus = { kind: 'loading' };
  #filter: CallsFilter | undefined;
  #pager: LiveCallsPager | undefined;
  #inFlight: { readonly generation: number; readonly promise: Promise<void> } | undefined;
  /** Bumped when the account or the filter changes: loads of an older generation are discarded. */
  #generation = 0;
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires, if it is set. */
  #nextRefreshAt: number | undefined;
  /** Refreshes in a row that failed: the background ones wait longer after each (pollDelayMs). */
  #failures = 0;
  #visible = false;
  /** Requests made for the calls list since the refresh began, for its log line. */
  #requests = 0;
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #connection: PlivoConnection;
  readonly #log: vscode.LogOutputChannel;

  constructor(connection: PlivoConnection, log: vscode.LogOutputChannel) {
    super();
    this.#connection = connection;
    this.#log = log;
    this._register(
      toDisposable(() => {
        // A refresh still running when the model goes schedules no next one (#schedule polls only while visible).
        this.#visible = false;
        clearTimeout(this.#timer);
      }),
    );
    this._register(toDisposable(() => this.#pager?.dispose()));
    this._register(
      connection.onDidChange(() => {
        this.#startOver();
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
    return this.#snapshot?.calls ?? [];
  }

  get status(): CallsStatus {
    return this.#status;
  }

  get page(): CallsPage {
    const shown = this.calls.length;
    return {
      shown,
      total: Math.max(shown, this.#snapshot?.totalKnown ?? 0),
      complete: this.#snapshot?.complete ?? true,
    };
  }

  get filter(): CallsFilter | undefined {
    return this.#filter;
  }

  find(callUuid: string): LiveCall | undefined {
    return this.calls.find((c) => c.callUuid === callUuid);
  }

  /** Polls only while the view is visible, so a hidden sidebar costs no requests. */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible) void this.refresh();
    this.#schedule();
  }

  /** Clicks while a refresh runs join it, so repeated Refresh clicks cost one refresh. */
  refresh(priority: RequestPriority = 'background'): Promise<void> {
    if (this.#inFlight?.generation !== this.#generation) {
      const inFlight = {
        generation: this.#generation,
        promise: this.#load(priority, (pager) => pager.refresh(priority)).finally(() => {
          if (this.#inFlight === inFlight) this.#inFlight = undefined;
        }),
      };
      this.#inFlight = inFlight;
    }
    return this.#inFlight.promise;
  }

  /** Shows the next page of calls. */
  loadMore(): Promise<void> {
    return this.#load('user', (pager) => pager.loadMore());
  }

  /** Narrows the list (undefined: every live call) and loads its first page. */
  setFilter(filter: CallsFilter | undefined): Promise<void> {
    this.#filter = filter;
    this.#startOver();
    return this.refresh('user');
  }

  #startOver(): void {
    this.#generation++;
    this.#failures = 0;
    this.#dropPager();
    this.#snapshot = undefined;
    this.#status = { kind: 'loading' };
    this.#onDidChange.fire();
  }

  async #load(priority: RequestPriority, step: (pager: LiveCallsPager) => Promise<LiveCallsSnapshot>): Promise<void> {
    const started = performance.now();
    const generation = this.#generation;
    const current = (): boolean => generation === this.#generation;
    this.#requests = 0;
    try {
      // Inside the try: a malformed plivo.apiBaseUrl or an unusable keychain fails here, and shows in the view.
      const active = await this.#connection.current();
      if (!current()) return;
      if (!active) {
        this.#set(undefined, { kind: 'signed-out' });
        return;
      }
      const filter = this.#filter;
      const snapshot =
        filter?.kind === 'uuid'
          ? await this.#loadOne(active.client, filter.callUuid, priority)
          : await step(this.#pagerFor(active.client));
      if (!current()) return;
      this.#failures = 0;
      this.#schedule();
      this.#set(snapshot, { kind: 'loaded', at: Date.now() });
      const { shown, total, complete } = this.page;
      this.#log.info(
        `Calls refreshed: ${complete ? shown : `${shown} of ${total}`} live call${total === 1 ? '' : 's'}` +
          `${filter ? ` (${describeFilter(filter)})` : ''}, ${this.#requests} request${this.#requests === 1 ? '' : 's'}, ` +
          `${Math.round(performance.now() - started)} ms.`,
      );
    } catch (error) {
      if (!current()) return;
      this.#failures++;
      this.#schedule();
      const retryAt = this.#nextRefreshAt;
      this.#set(this.#snapshot, { kind: 'error', error, failures: this.#failures, retryAt });
      const next = retryAt === undefined ? '' : `; next try in ${Math.round((retryAt - Date.now()) / 1000)} s`;
      this.#log.warn(`Calls refresh failed after ${this.#requests} requests: ${errorText(error)}${next}.`);
    }
  }

  /** A call UUID filter: that call's details, or nothing when it is not live. */
  async #loadOne(client: PlivoClient, callUuid: string, priority: RequestPriority): Promise<LiveCallsSnapshot> {
    this.#requests++;
    let calls: LiveCall[] = [];
    try {
      calls = [await client.getLiveCall(callUuid, { priority })];
    } catch (error) {
      if (!(error instanceof PlivoError && error.code === 'not-found')) throw error;
    }
    return { calls, shown: calls.length, totalKnown: calls.length, complete: true, filters: {} };
  }

  /** One pager per connection and filter; it keeps the calls it has details of between refreshes. */
  #pagerFor(client: PlivoClient): LiveCallsPager {
    if (!this.#pager) {
      const source: LiveCallsSource = {
        listLiveCallIds: (options) => {
          this.#requests++;
          return client.listLiveCallIds(options);
        },
        getLiveCalls: (uuids, options) => {
          this.#requests += uuids.length;
          return client.getLiveCalls(uuids, options);
        },
      };
      this.#pager = new LiveCallsPager(source, { filters: serverFilters(this.#filter) });
      // Pages arriving during a long first load show at once.
      const generation = this.#generation;
      this.#pager.onDidChange((snapshot) => {
        if (generation !== this.#generation) return;
        this.#snapshot = snapshot;
        this.#onDidChange.fire();
      });
    }
    return this.#pager;
  }

  #dropPager(): void {
    this.#pager?.dispose();
    this.#pager = undefined;
  }

  #set(snapshot: LiveCallsSnapshot | undefined, status: CallsStatus): void {
    this.#snapshot = snapshot;
    this.#status = status;
    // Fired on every load, so durations tick; items keep stable ids, so the tree updates in place.
    this.#onDidChange.fire();
  }

  /** The next background refresh, counted from the last one's end: a slow or failing API is never asked twice at once. */
  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextRefreshAt = undefined;
    const seconds = settings.refreshIntervalSeconds();
    if (!this.#visible || seconds <= 0) return;
    const delay = pollDelayMs(seconds * 1000, this.#failures);
    this.#nextRefreshAt = Date.now() + delay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // A refresh that ends early (signed out, an account change) schedules no next one itself.
      void this.refresh().finally(() => this.#timer ?? this.#schedule());
    }, delay);
  }
}

function serverFilters(filter: CallsFilter | undefined): LiveCallFilters {
  switch (filter?.kind) {
    case 'from':
      return { fromNumber: filter.number };
    case 'to':
      return { toNumber: filter.number };
    case 'direction':
      return { callDirection: filter.direction };
    default:
      return {};
  }
}

/** For the view and the log: `from 14155550100`, `inbound only`, `call 3f2a…`. */
export function describeFilter(filter: CallsFilter): string {
  switch (filter.kind) {
    case 'from':
    case 'to':
      return `${filter.kind} ${filter.number}`;
    case 'direction':
      return `${filter.direction} only`;
    case 'uuid':
      return `call ${filter.callUuid.slice(0, 8)}…`;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
