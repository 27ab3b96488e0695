/**
 * Timers the sandbox owns: unref'd so they never keep a process alive on their own,
 * and all cleared by close().
 */
export class TimerSet {
  // setTimeout fires after 1 ms when given more than this, instead of waiting.
  static readonly #MAX_DELAY_MS = 2 ** 31 - 1;
  readonly #timers = new Set<NodeJS.Timeout>();

  schedule(delayMs: number, run: () => void): NodeJS.Timeout {
    const delay = Math.min(Math.max(0, delayMs), TimerSet.#MAX_DELAY_MS);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, delay);
    timer.unref();
    this.#timers.add(timer);
    return timer;
  }

  delay(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
