import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../common/lifecycle';
import {
  MAX_RECORDINGS_PAGE_SIZE,
  callNumbers,
  recordingTitle,
  filterQuery,
  isEmptyFilter,
  type PlivoClient,
  type Recording,
  type RecordingsFilter,
  type RequestPriority,
} from '../plivo';
import type { CallsModel } from './callsModel';
import type { PlivoConnection } from './connection';
import type { ListenerService } from './listenerService';
import { effectiveState, isActive, type RecordingEntry, type RecordingsStore } from './recordingsStore';

export type RecordingsStatus =
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'idle' }
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly at: number }
  | { readonly kind: 'error'; readonly error: unknown };

const LISTED_KEY = 'plivo.recordings.listed';
/** Ids of recordings from here that Plivo's list has shown; old ones matter least. */
const MAX_LISTED = 500;
/**
 * Plivo lists a recording a little after it ends. After a "record done" or a Stop, missing ones are looked for
 * again at these delays (then on demand): a bounded follow-up, not polling.
 */
const FOLLOW_UP_DELAYS_MS = [3_000, 10_000, 30_000];
/**
 * Recordings that end one after another (a stream of "record done" callbacks) reload the list when the first ends
 * and once more when this long has passed, not once each: each reload is a request to Plivo.
 */
const ENDED_RELOAD_INTERVAL_MS = 2_000;
/** Ended calls looked up per refresh, so a long history costs few requests. */
const MAX_CALL_LOOKUPS = 5;

/**
 * The account's stored recordings as Plivo lists them (newest first, 20 a page, loaded on demand with "Load more"),
 * the filter on that list, and which recordings started from this workspace Plivo's list has shown. It asks Plivo
 * only when told to or when a recording has just ended (a "record done" callback, a Stop, a call that left the
 * live list), and while the view is hidden it only notes that the list is stale.
 */
export class RecordingsList extends Disposable {
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #connection: PlivoConnection;
  readonly #store: RecordingsStore;
  readonly #calls: CallsModel;
  readonly #state: vscode.Memento;
  #recordings: Recording[] = [];
  #total = 0;
  #filter: RecordingsFilter = {};
  #status: RecordingsStatus = { kind: 'idle' };
  #visible = false;
  #stale = true;
  #generation = 0;
  #inFlight: Promise<void> | undefined;
  #loadingMore: Promise<void> | undefined;
  /** Recordings from here that moved to Plivo's list during this session: Calls says where they went. */
  readonly #movedThisSession = new Set<string>();
  #liveCalls = new Set<string>();
  /** `from → to` of calls with recordings from here, seen while they were live (an ended call is not listed). */
  readonly #callTitles = new Map<string, string>();
  #followUps: NodeJS.Timeout[] = [];
  /** Set for ENDED_RELOAD_INTERVAL_MS after a reload for an ended recording; `#endedSince` notes more endings. */
  #endedPause: NodeJS.Timeout | undefined;
  #endedSince = false;

  constructor(
    connection: PlivoConnection,
    store: RecordingsStore,
    calls: CallsModel,
    listener: ListenerService,
    state: vscode.Memento,
  ) {
    super();
    this.#connection = connection;
    this.#store = store;
    this.#calls = calls;
    this.#state = state;
    this._register(
      toDisposable(() => {
        this.#cancelFollowUps();
        clearTimeout(this.#endedPause);
      }),
    );
    this._register(
      connection.onDidChange(() => {
        this.#generation++;
        this.#recordings = [];
        this.#total = 0;
        this.#status = { kind: 'idle' };
        this.#fire();
        this.invalidate();
      }),
    );
    this._register(
      listener.onDidReceive((callback) => {
        if (callback.kind === 'record' && callback.status < 400) this.recordingEnded();
      }),
    );
    this._register(calls.onDidChange(() => void this.#noticeEndedCalls()));
    this._register(store.onDidChange(() => this.#fire()));
  }

  /** The loaded recordings, newest first. */
  get recordings(): readonly Recording[] {
    return this.#recordings;
  }

  /** How many recordings match the filter at Plivo (`meta.total_count`). */
  get total(): number {
    return this.#total;
  }

  get hasMore(): boolean {
    return this.#recordings.length < this.#total;
  }

  get status(): RecordingsStatus {
    return this.#status;
  }

  get filter(): RecordingsFilter {
    return this.#filter;
  }

  get loadingMore(): boolean {
    return this.#loadingMore !== undefined;
  }

  find(recordingId: string): Recording | undefined {
    return this.#recordings.find((r) => r.recordingId === recordingId);
  }

  /** The recording started from this workspace that `recording` is, if any. */
  startedHere(recording: Pick<Recording, 'recordingId' | 'url' | 'callUuid'>): RecordingEntry | undefined {
    return this.#store
      .forCall(recording.callUuid)
      .find((e) => e.recordingId === recording.recordingId || (e.url !== undefined && e.url === recording.url));
  }

  /**
   * Recordings started here whose call is no longer live and which Plivo's list has not shown yet (plus those
   * that moved to the list during this session, so Calls can say where they went), by call UUID.
   */
  endedCallRecordings(liveCallUuids: ReadonlySet<string>): Map<string, RecordingEntry[]> {
    const listed = this.#listedIds();
    const byCall = new Map<string, RecordingEntry[]>();
    for (const entry of this.#store.all()) {
      if (liveCallUuids.has(entry.callUuid) || isActive(entry)) continue;
      if (listed.has(entry.id) && !this.#movedThisSession.has(entry.id)) continue;
      byCall.set(entry.callUuid, [...(byCall.get(entry.callUuid) ?? []), entry]);
    }
    return byCall;
  }

  /** `from → to` of an ended call, when it was seen live in this session or a listed recording names it. */
  callTitle(callUuid: string): string | undefined {
    const listed = this.#recordings.find((r) => r.callUuid === callUuid && (r.fromNumber || r.toNumber));
    return this.#callTitles.get(callUuid) ?? (listed && recordingTitle(listed));
  }

  /** True once Plivo's list has shown this recording from here. */
  isListed(entry: RecordingEntry): boolean {
    return this.#listedIds().has(entry.id);
  }

  /** Loads only while the view is visible; a change while hidden is loaded when it is shown. */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible && this.#stale) void this.refresh();
  }

  /** Marks the list out of date: reloads now if the view is visible, else when it is shown. */
  invalidate(): void {
    this.#stale = true;
    if (this.#visible) void this.refresh();
  }

  /**
   * A recording ended (a "record done" callback, a Stop): reload, and look again shortly for what is missing. More
   * endings within ENDED_RELOAD_INTERVAL_MS share one more reload at its end.
   */
  recordingEnded(): void {
    if (this.#endedPause !== undefined) {
      this.#endedSince = true;
      return;
    }
    this.#endedPause = setTimeout(() => {
      this.#endedPause = undefined;
      if (!this.#endedSince) return;
      this.#endedSince = false;
      this.recordingEnded();
    }, ENDED_RELOAD_INTERVAL_MS);
    this.invalidate();
    this.#cancelFollowUps();
    for (const delay of FOLLOW_UP_DELAYS_MS) {
      this.#followUps.push(
        setTimeout(() => {
          if (!this.#waitingForList().length) return;
          if (this.#visible) void this.refresh();
          else void this.#confirmHidden();
        }, delay),
      );
    }
  }

  async setFilter(filter: RecordingsFilter): Promise<void> {
    this.#filter = { ...filter };
    this.#recordings = [];
    this.#total = 0;
    this.#fire();
    await this.refresh('user');
  }

  clearFilter(): Promise<void> {
    return this.setFilter({});
  }

  get filtered(): boolean {
    return !isEmptyFilter(this.#filter);
  }

  /**
   * Reloads the first page (or as many pages as were shown). Concurrent calls share one load. `user` when someone
   * asked for it: its requests then go ahead of background polling in the account's request budget.
   */
  refresh(priority: RequestPriority = 'background'): Promise<void> {
    this.#inFlight ??= this.#load(priority).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** The next page, appended. */
  loadMore(): Promise<void> {
    if (!this.hasMore) return Promise.resolve();
    this.#loadingMore ??= this.#loadMore().finally(() => {
      this.#loadingMore = undefined;
      this.#fire();
    });
    this.#fire();
    return this.#loadingMore;
  }

  /** After a successful (or already done) delete: the row goes. */
  removeLocally(recordingId: string): void {
    const before = this.#recordings.length;
    this.#recordings = this.#recordings.filter((r) => r.recordingId !== recordingId);
    if (this.#recordings.length < before) this.#total = Math.max(0, this.#total - 1);
    this.#fire();
  }

  async #load(priority: RequestPriority): Promise<void> {
    const generation = this.#generation;
    this.#stale = false;
    this.#status = { kind: 'loading' };
    this.#fire();
    try {
      const active = await this.#connection.current();
      if (!active) {
        this.#set(generation, [], 0, { kind: 'signed-out' });
        return;
      }
      const shown = Math.max(MAX_RECORDINGS_PAGE_SIZE, this.#recordings.length);
      const query = filterQuery(this.#filter);
      const recordings: Recording[] = [];
      let total = 0;
      do {
        const page = await active.client.listRecordings({ ...query, offset: recordings.length, priority });
        recordings.push(...page.recordings);
        total = page.meta.totalCount;
        if (page.recordings.length === 0) break;
      } while (recordings.length < Math.min(shown, total));
      await this.#noteListed(recordings);
      await this.#confirmEnded(active.client);
      this.#set(generation, recordings, total, { kind: 'loaded', at: Date.now() });
    } catch (error) {
      this.#set(generation, this.#recordings, this.#total, { kind: 'error', error });
    }
  }

  async #loadMore(): Promise<void> {
    const generation = this.#generation;
    try {
      const active = await this.#connection.current();
      if (!active) return;
      const page = await active.client.listRecordings({
        ...filterQuery(this.#filter),
        offset: this.#recordings.length,
        priority: 'user',
      });
      if (generation !== this.#generation) return;
      const known = new Set(this.#recordings.map((r) => r.recordingId));
      // A recording added since the first page shifts the offsets; skip what is already shown.
      await this.#noteListed(page.recordings);
      this.#recordings = [...this.#recordings, ...page.recordings.filter((r) => !known.has(r.recordingId))];
      this.#total = page.meta.totalCount;
      this.#status = { kind: 'loaded', at: Date.now() };
    } catch (error) {
      this.#status = { kind: 'error', error };
      throw error;
    }
  }

  /** While the view is hidden only the recordings from here are looked up, so Calls can let them go. */
  async #confirmHidden(): Promise<void> {
    this.#stale = true;
    const active = await this.#connection.current().catch(() => undefined);
    if (!active) return;
    await this.#confirmEnded(active.client);
    this.#fire();
  }

  /** Hides the recordings from here of an ended call from Calls without waiting for Plivo's list. */
  async dismiss(entries: readonly RecordingEntry[]): Promise<void> {
    for (const entry of entries) this.#movedThisSession.delete(entry.id);
    const listed = this.#listedIds();
    await this.#state.update(
      LISTED_KEY,
      [...listed, ...entries.map((e) => e.id).filter((id) => !listed.has(id))].slice(-MAX_LISTED),
    );
    this.#fire();
  }

  #set(generation: number, recordings: Recording[], total: number, status: RecordingsStatus): void {
    if (generation !== this.#generation) return;
    this.#recordings = recordings;
    this.#total = total;
    this.#status = status;
    this.#fire();
  }

  /** Ended recordings from here that Plivo's list has not shown yet. */
  #waitingForList(): RecordingEntry[] {
    const listed = this.#listedIds();
    return this.#store.all().filter((e) => !listed.has(e.id) && !isActive(e) && effectiveState(e) !== 'pending');
  }

  /** Asks Plivo for the recordings of a few ended calls whose recordings from here are not listed yet. */
  async #confirmEnded(client: PlivoClient): Promise<void> {
    const calls = [...new Set(this.#waitingForList().map((e) => e.callUuid))]
      .filter((uuid) => !this.#liveCalls.has(uuid))
      .slice(0, MAX_CALL_LOOKUPS);
    for (const callUuid of calls) {
      try {
        const { recordings } = await client.listRecordings({ callUuid });
        await this.#noteListed(recordings);
      } catch {
        // The view's own list said what is wrong; the rows simply stay under their call.
      }
    }
  }

  /** Remembers which recordings from here Plivo now lists (matched by id, URL, or the call for id-less ones). */
  async #noteListed(recordings: readonly Recording[]): Promise<void> {
    const listed = this.#listedIds();
    const added: string[] = [];
    for (const entry of this.#store.all()) {
      if (listed.has(entry.id)) continue;
      const match = recordings.some(
        (r) =>
          r.recordingId === entry.recordingId ||
          (entry.url !== undefined && r.url === entry.url) ||
          (entry.recordingId === undefined &&
            entry.url === undefined &&
            r.callUuid === entry.callUuid &&
            (r.addedAt?.getTime() ?? 0) >= entry.startedAt),
      );
      if (match) added.push(entry.id);
    }
    if (!added.length) return;
    for (const id of added) this.#movedThisSession.add(id);
    await this.#state.update(LISTED_KEY, [...listed, ...added].slice(-MAX_LISTED));
  }

  #listedIds(): Set<string> {
    return new Set(this.#state.get<string[]>(LISTED_KEY, []));
  }

  /** A call that had recordings from here left the live list: they have ended, and Plivo will list them. */
  async #noticeEndedCalls(): Promise<void> {
    if (this.#calls.status.kind !== 'loaded') return;
    // Only a complete, unfiltered list proves a call ended: otherwise it may just be past "Load more…" or filtered out.
    if (!this.#calls.page.complete || this.#calls.filter) return;
    const live = new Set(this.#calls.calls.map((c) => c.callUuid));
    for (const call of this.#calls.calls) {
      if (this.#store.forCall(call.callUuid).length) {
        this.#callTitles.set(call.callUuid, callNumbers(call));
      }
    }
    const ended = [...this.#liveCalls].filter((uuid) => !live.has(uuid) && this.#store.forCall(uuid).length > 0);
    this.#liveCalls = live;
    if (!ended.length) return;
    for (const callUuid of ended) await this.#store.markCallEnded(callUuid);
    this.recordingEnded();
  }

  #cancelFollowUps(): void {
    for (const timer of this.#followUps) clearTimeout(timer);
    this.#followUps = [];
  }

  #fire(): void {
    this.#onDidChange.fire();
  }
}
