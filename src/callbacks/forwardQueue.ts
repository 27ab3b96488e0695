// Forwarding to the user's app under load. Each received callback is forwarded as it arrives; without a bound, a
// burst opens one connection per callback (500 callbacks: 500 requests at the app at once), which a development
// server cannot take, and a slow or hanging app holds them all until they time out.

/** Defaults: a few requests at a time keep a fast app busy; the waiting ones stay in memory, so they are capped. */
export const FORWARD_MAX_IN_FLIGHT = 8;
const FORWARD_MAX_WAITING = 1000;

export interface ForwardQueueOptions {
  maxInFlight?: number;
  maxWaiting?: number;
}

/** Why a forward did not run: too many were waiting already, or the waiting ones were cancelled. */
export type ForwardRefusal = 'full' | 'cancelled';

/**
 * Runs forwards in arrival order, at most `maxInFlight` at once; while `maxWaiting` wait for a slot, a new one is
 * refused at once rather than queued without end.
 */
export class ForwardQueue {
  readonly #maxInFlight: number;
  readonly #maxWaiting: number;
  #running = 0;
  /** Wake-ups of the waiting forwards, oldest first: true hands over a finished forward's slot, false cancels. */
  #waiting: ((go: boolean) => void)[] = [];

  constructor(options: ForwardQueueOptions = {}) {
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? FORWARD_MAX_IN_FLIGHT);
    this.#maxWaiting = Math.max(0, options.maxWaiting ?? FORWARD_MAX_WAITING);
  }

  get maxWaiting(): number {
    return this.#maxWaiting;
  }

  /** Forwards running now (at most `maxInFlight`). */
  get running(): number {
    return this.#running;
  }

  /** Forwards waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** `forward`'s result once it ran, or why it was not run: the queue was full, or it was cancelled waiting. */
  async run<T>(forward: () => Promise<T>): Promise<{ refused: false; result: T } | { refused: ForwardRefusal }> {
    if (this.#running < this.#maxInFlight) this.#running++;
    else if (this.#waiting.length >= this.#maxWaiting) return { refused: 'full' };
    else if (!(await new Promise<boolean>((resolve) => this.#waiting.push(resolve)))) return { refused: 'cancelled' };
    try {
      return { refused: false, result: await forward() };
    } finally {
      const next = this.#waiting.shift();
      if (next) next(true);
      else this.#running--;
    }
  }

  /** Refuses every forward still waiting (`cancelled`); those already running finish. */
  cancelWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake(false);
  }
}
