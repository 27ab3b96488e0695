// One request budget per Plivo account. Plivo allows 300 API requests per 5 s per account, shared with the user's
// own application, so the extension keeps to a smaller budget (150 by default) across all its views and commands.
// User actions (Record, Stop, Delete) go ahead of background polling, and a 429 pauses everything queued.
//
// A slot is taken when a request is granted and given back one window after its answer arrived (not after it was
// sent). A request reaches Plivo somewhere between the two, so whatever the network delays, no window at Plivo can
// see more requests than the budget: all requests arriving in one window hold their slots at the same instant.
import { Emitter } from '../common/emitter';
import type { IDisposable } from '../common/lifecycle';

export type RequestPriority = 'user' | 'background';

export interface RequestLimiterOptions {
  /** Requests allowed per window. Default 150. */
  maxRequests?: number;
  /** Length of the sliding window in ms. Default 5000, as Plivo counts. */
  windowMs?: number;
  /** Pause after a 429 that carries no Retry-After. Default 5000 (one window). */
  defaultBackoffMs?: number;
  /** Longest pause a Retry-After can impose, so a wrong header cannot freeze the extension. Default 60000. */
  maxPauseMs?: number;
  /**
   * Slots of each window that background requests may not take, so a Record or Stop clicked during a long refresh
   * is sent at once instead of waiting for the window to turn. Default: a tenth of the budget, at least one.
   */
  userReserve?: number;
}

export interface LimiterStats {
  queued: number;
  queuedUser: number;
  queuedBackground: number;
  /** Slots in use: requests in flight, or answered less than a window ago. */
  sentInWindow: number;
  maxRequests: number;
  windowMs: number;
  /** Epoch ms until which the queue is paused after a 429; undefined when not paused. */
  pausedUntil?: number;
}

interface Waiter {
  grant: (release: () => void) => void;
}

interface Slot {
  /** When the slot frees up; Infinity while its request is in flight. */
  until: number;
}

/** Plivo's own limit per account (docs/plivo-api.md, "Rate limits"): beyond it Plivo answers 429. */
export const PLIVO_RATE_LIMIT = { requests: 300, windowMs: 5000 } as const;
export const DEFAULT_MAX_REQUESTS_PER_WINDOW = 150;
export const DEFAULT_WINDOW_MS = PLIVO_RATE_LIMIT.windowMs;

/** Grants request slots under a sliding-window budget; share one instance among every client of an account. */
export class RequestLimiter {
  #maxRequests: number;
  readonly #windowMs: number;
  readonly #defaultBackoffMs: number;
  readonly #maxPauseMs: number;
  readonly #userReserve: number | undefined;
  /** Times are performance.now(): monotonic and finer than a millisecond, as the budget's edges need. */
  #slots: Slot[] = [];
  readonly #queues: Record<RequestPriority, Waiter[]> = { user: [], background: [] };
  #pausedUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  readonly #onDidChange = new Emitter<void>();
  /** What listeners were last told of: requests waiting, and when a 429 pause ends (0: none). */
  #announced = { queued: 0, pausedUntil: 0 };

  constructor(options: RequestLimiterOptions = {}) {
    this.#maxRequests = positiveInteger(options.maxRequests ?? DEFAULT_MAX_REQUESTS_PER_WINDOW, 'maxRequests');
    this.#windowMs = positiveInteger(options.windowMs ?? DEFAULT_WINDOW_MS, 'windowMs');
    this.#defaultBackoffMs = Math.max(0, options.defaultBackoffMs ?? this.#windowMs);
    this.#maxPauseMs = Math.max(0, options.maxPauseMs ?? 60_000);
    this.#userReserve = options.userReserve;
  }

  get maxRequests(): number {
    return this.#maxRequests;
  }

  /** Changes the budget at once (e.g. when `plivo.api.maxRequestsPer5s` changes). */
  set maxRequests(value: number) {
    this.#maxRequests = positiveInteger(value, 'maxRequests');
    this.#pump();
  }

  /**
   * Resolves when the request may be sent, with a function to call once its answer has arrived (or it failed);
   * every HTTP attempt (retries included) needs its own slot. Rejects with the signal's reason when `signal` aborts
   * first, and the request leaves the queue.
   */
  acquire(priority: RequestPriority = 'background', signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const queue = this.#queues[priority];
      const onAbort = (): void => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(abortReason(signal));
        this.#pump();
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.#pump();
    });
  }

  /** A 429 pauses the whole queue for `retryAfterSeconds`, or for the default backoff when Plivo did not say. */
  reportRateLimited(retryAfterSeconds?: number): void {
    const pauseMs =
      retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0
        ? retryAfterSeconds * 1000
        : this.#defaultBackoffMs;
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + Math.min(pauseMs, this.#maxPauseMs));
    this.#pump();
  }

  /**
   * Fires when requests start or stop waiting for the budget, when the number waiting changes, and when a 429 pause
   * starts or ends; `stats()` says how things stand. A request granted at once fires nothing.
   */
  onDidChange(listener: () => void): IDisposable {
    const subscription = this.#onDidChange.event(listener);
    // A pause that began with nobody listening has no timer for its end yet.
    if (this.#pausedUntil > performance.now()) this.#pump();
    return subscription;
  }

  stats(): LimiterStats {
    const now = performance.now();
    return {
      queued: this.#queues.user.length + this.#queues.background.length,
      queuedUser: this.#queues.user.length,
      queuedBackground: this.#queues.background.length,
      sentInWindow: this.#slots.filter((slot) => slot.until > now).length,
      maxRequests: this.#maxRequests,
      windowMs: this.#windowMs,
      ...(this.#pausedUntil > now ? { pausedUntil: Date.now() + (this.#pausedUntil - now) } : {}),
    };
  }

  /** Grants as many queued requests as the budget allows now, then waits for the next slot to free up. */
  #pump(): void {
    const now = performance.now();
    this.#slots = this.#slots.filter((slot) => slot.until > now);
    let next: Waiter | undefined;
    while (now >= this.#pausedUntil && (next = this.#dequeue(this.#slots.length))) {
      const slot: Slot = { until: Infinity };
      this.#slots.push(slot);
      next.grant(() => {
        if (slot.until !== Infinity) return;
        slot.until = performance.now() + this.#windowMs;
        this.#pump();
      });
    }
    const queued = this.#queues.user.length + this.#queues.background.length;
    const paused = now < this.#pausedUntil;
    this.#announce(queued, paused ? this.#pausedUntil : 0);
    // With nothing queued a pause still ends on a timer when somebody is told of it; else no timer is needed.
    if (queued === 0 && !(paused && this.#onDidChange.hasListeners)) return this.#clearTimer();
    // Slots still in flight free up through their release, which pumps again.
    const at = paused ? this.#pausedUntil : Math.min(...this.#slots.map((slot) => slot.until));
    if (at === Infinity) this.#clearTimer();
    else this.#schedule(at);
  }

  #announce(queued: number, pausedUntil: number): void {
    if (queued === this.#announced.queued && pausedUntil === this.#announced.pausedUntil) return;
    this.#announced = { queued, pausedUntil };
    this.#onDidChange.fire();
  }

  /** The next request that may take a slot when `used` are taken: user requests first, and only they the reserve. */
  #dequeue(used: number): Waiter | undefined {
    if (used >= this.#maxRequests) return undefined;
    const user = this.#queues.user.shift();
    if (user || used >= this.#maxRequests - this.#reserve()) return user;
    return this.#queues.background.shift();
  }

  #reserve(): number {
    // Never the whole budget: background requests always keep at least one slot.
    const wanted = this.#userReserve ?? Math.max(1, Math.floor(this.#maxRequests / 10));
    return Math.min(Math.max(0, wanted), this.#maxRequests - 1);
  }

  #schedule(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(0, Math.ceil(at - performance.now())),
    );
  }

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

const shared = new Map<string, RequestLimiter>();

/** The limiter clients of one account share when none is injected (keyed by API base URL and Auth ID). */
export function sharedLimiter(baseUrl: string, authId: string): RequestLimiter {
  const key = `${baseUrl} ${authId}`;
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = new RequestLimiter();
    shared.set(key, limiter);
  }
  return limiter;
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new Error('The request was cancelled.');
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}
