// The Calls view's model of a busy account's live calls, at any scale. Plivo lists live calls as UUIDs only, 20 per
// request, and details cost one request per call, so the pager lists UUIDs only as far as the calls shown (200 by
// default, "Load more" adds 200), fetches details only for calls it has not seen (those it has are refreshed every
// few polls), and counts the rest of the list at that slower cadence so the view can say "200 of 5,000 live calls".
import { Emitter } from '../common/emitter';
import type { IDisposable } from '../common/lifecycle';
import { PlivoError } from './errors';
import type { RequestPriority } from './limiter';
import type { LiveCall, LiveCallFilters, LiveCallIdsPage, ListLiveCallIdsOptions, RequestOptions } from './types';

/** What the pager needs of `PlivoClient`. */
export interface LiveCallsSource {
  listLiveCallIds(options: ListLiveCallIdsOptions): Promise<LiveCallIdsPage>;
  getLiveCalls(uuids: readonly string[], options: RequestOptions & { concurrency?: number }): Promise<LiveCall[]>;
}

export interface LiveCallsPagerOptions {
  /** Calls shown at first and added by each `loadMore()`. Default 200. */
  pageSize?: number;
  /** Details of known calls, and the count of all live calls, are refreshed every this many refreshes. Default 6. */
  slowEvery?: number;
  /** Detail requests in flight at once. Default 4. */
  concurrency?: number;
  filters?: LiveCallFilters;
}

export interface LiveCallsSnapshot {
  /** The calls shown, in Plivo's order. */
  readonly calls: readonly LiveCall[];
  readonly shown: number;
  /** Live calls known to exist: all of them when `complete`, else at least `shown` (counted every few refreshes). */
  readonly totalKnown: number;
  /** Every live call (matching the filters) is shown. */
  readonly complete: boolean;
  readonly filters: LiveCallFilters;
}

const ID_PAGE = 20;

export class LiveCallsPager {
  readonly #source: LiveCallsSource;
  readonly #pageSize: number;
  readonly #slowEvery: number;
  readonly #concurrency: number;
  #filters: LiveCallFilters;
  #shownLimit: number;
  /** Details of the calls shown, by UUID, in Plivo's order. */
  #calls = new Map<string, LiveCall>();
  #totalKnown = 0;
  #complete = false;
  /** All live calls at the last full count; undefined before the first. */
  #counted: number | undefined;
  #runs = 0;
  /** Bumped by `setFilters`/`dispose`: a run of an older generation stops without touching the state. */
  #generation = 0;
  #running: Promise<LiveCallsSnapshot> | undefined;
  #followUp: Promise<LiveCallsSnapshot> | undefined;
  #abort: AbortController | undefined;
  readonly #onDidChange = new Emitter<LiveCallsSnapshot>();

  constructor(source: LiveCallsSource, options: LiveCallsPagerOptions = {}) {
    this.#source = source;
    this.#pageSize = options.pageSize ?? 200;
    this.#slowEvery = Math.max(1, options.slowEvery ?? 6);
    this.#concurrency = options.concurrency ?? 4;
    this.#filters = options.filters ?? {};
    this.#shownLimit = this.#pageSize;
  }

  snapshot(): LiveCallsSnapshot {
    const calls = [...this.#calls.values()];
    return {
      calls,
      shown: calls.length,
      totalKnown: Math.max(this.#totalKnown, calls.length),
      complete: this.#complete,
      filters: this.#filters,
    };
  }

  /**
   * Lists and fetches what changed. While a refresh runs, further calls join it instead of starting another, so
   * repeated Refresh clicks cost one refresh. Rejects with the client's PlivoError; the previous calls stay.
   */
  refresh(priority: RequestPriority = 'background'): Promise<LiveCallsSnapshot> {
    this.#running ??= this.#run(priority).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Shows `pageSize` more calls (fetching their details). */
  loadMore(): Promise<LiveCallsSnapshot> {
    this.#shownLimit += this.#pageSize;
    return this.#refreshAfterCurrent();
  }

  /** Filters on the server (direction, numbers); starts over with the first page. */
  setFilters(filters: LiveCallFilters): Promise<LiveCallsSnapshot> {
    this.#filters = { ...filters };
    this.#reset();
    return this.#refreshAfterCurrent();
  }

  onDidChange(listener: (snapshot: LiveCallsSnapshot) => void): IDisposable {
    return this.#onDidChange.event(listener);
  }

  /** Cancels a running refresh; the pager can be used again afterwards. */
  dispose(): void {
    this.#generation++;
    this.#abort?.abort();
    this.#onDidChange.dispose();
  }

  #reset(): void {
    this.#generation++;
    this.#abort?.abort();
    this.#shownLimit = this.#pageSize;
    this.#calls = new Map();
    this.#totalKnown = 0;
    this.#complete = false;
    this.#counted = undefined;
    this.#runs = 0;
    this.#emit();
  }

  /** A refresh that starts after the running one, shared by every request made meanwhile. */
  #refreshAfterCurrent(): Promise<LiveCallsSnapshot> {
    if (!this.#running) return this.refresh('user');
    this.#followUp ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#followUp = undefined;
        return this.refresh('user');
      });
    return this.#followUp;
  }

  async #run(priority: RequestPriority): Promise<LiveCallsSnapshot> {
    const generation = this.#generation;
    const abort = new AbortController();
    this.#abort = abort;
    const current = (): boolean => generation === this.#generation;
    const slow = this.#runs++ % this.#slowEvery === 0;
    const request = { signal: abort.signal, priority };
    const previouslyShown = this.#calls.size;
    const listed: string[] = [];
    const seen = new Set<string>();
    const next = new Map<string, LiveCall>();
    let hasMore = true;
    let offset = 0;
    try {
      while (hasMore && listed.length < this.#shownLimit) {
        const page = await this.#source.listLiveCallIds({
          ...request,
          offset,
          limit: Math.min(ID_PAGE, this.#shownLimit - listed.length),
          filters: this.#filters,
        });
        if (!current()) return this.snapshot();
        hasMore = page.hasMore;
        offset += page.uuids.length;
        const fresh = page.uuids.filter((uuid) => !seen.has(uuid));
        if (fresh.length === 0) break; // a server ignoring `offset` would repeat its page forever
        fresh.forEach((uuid) => seen.add(uuid));
        listed.push(...fresh);
        const toFetch = slow ? fresh : fresh.filter((uuid) => !this.#calls.has(uuid));
        const details = await this.#source.getLiveCalls(toFetch, { ...request, concurrency: this.#concurrency });
        if (!current()) return this.snapshot();
        const byUuid = new Map(details.map((call) => [call.callUuid, call]));
        for (const uuid of fresh) {
          const call = byUuid.get(uuid) ?? (toFetch.includes(uuid) ? undefined : this.#calls.get(uuid));
          if (call) next.set(uuid, call); // calls whose details 404 have ended since the list
        }
        // Growing past what was shown (first load, Load more): show each page as it arrives.
        if (next.size > previouslyShown) this.#commit(next, hasMore, undefined);
      }
      let total: number | undefined;
      if (hasMore) {
        if (slow) total = await this.#countFrom(offset, seen, request);
        else hasMore = await this.#anyFrom(offset, request);
        if (!current()) return this.snapshot();
      }
      if (total !== undefined) hasMore = total > listed.length;
      this.#commit(next, hasMore, total);
      return this.snapshot();
    } catch (error) {
      if (!current() && error instanceof PlivoError && error.code === 'network') return this.snapshot();
      throw error;
    }
  }

  /** Whether a live call exists beyond the shown ones: a one-UUID page. */
  async #anyFrom(offset: number, request: RequestOptions): Promise<boolean> {
    const page = await this.#source.listLiveCallIds({ ...request, offset, limit: 1, filters: this.#filters });
    return page.uuids.length > 0;
  }

  /** Lists UUIDs beyond the shown ones, only to count them. */
  async #countFrom(offset: number, seen: Set<string>, request: RequestOptions): Promise<number> {
    const all = new Set(seen);
    for (let more = true; more; offset += ID_PAGE) {
      const page = await this.#source.listLiveCallIds({ ...request, offset, limit: ID_PAGE, filters: this.#filters });
      const before = all.size;
      page.uuids.forEach((uuid) => all.add(uuid));
      more = page.hasMore && all.size > before;
    }
    return all.size;
  }

  #commit(calls: Map<string, LiveCall>, hasMore: boolean, counted: number | undefined): void {
    this.#calls = new Map(calls);
    if (counted !== undefined) this.#counted = counted;
    this.#complete = !hasMore;
    this.#totalKnown = this.#complete ? calls.size : Math.max(this.#counted ?? 0, calls.size);
    this.#emit();
  }

  #emit(): void {
    this.#onDidChange.fire(this.snapshot());
  }
}
