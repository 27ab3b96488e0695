// Plivo's account rate limit: 300 API requests per 5 s per account, beyond which it answers 429 (docs/plivo-api.md,
// "Rate limits"). The sandbox enforces it so that an app, or this extension, meets the limit offline before it meets
// it in production.
import type { SandboxRateLimit } from './types';

/** Counts each account's accepted requests over a sliding window; refused requests do not count against it. */
export class AccountRateLimiter {
  readonly #limit: SandboxRateLimit;
  /** Per account, the times (performance.now()) of the requests accepted within the last window, oldest first. */
  readonly #accepted = new Map<string, number[]>();

  constructor(limit: SandboxRateLimit) {
    this.#limit = limit;
  }

  /** Counts a request of `authId` and returns true, or returns false when the account has used its window up. */
  tryAccept(authId: string, now = performance.now()): boolean {
    let times = this.#accepted.get(authId);
    if (!times) this.#accepted.set(authId, (times = []));
    let expired = 0;
    while (expired < times.length && now - times[expired] >= this.#limit.windowMs) expired++;
    if (expired > 0) times.splice(0, expired);
    if (times.length >= this.#limit.requests) return false;
    times.push(now);
    return true;
  }
}
