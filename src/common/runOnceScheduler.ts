// Coalescing a burst of changes into one later run: the tree, its badge and the status bar are redrawn by messages
// to the window, which a burst of callbacks must not send once per callback.
import type { IDisposable } from './lifecycle';

/** Runs `task` once, `delayMs` after the first `schedule()` since its last run; more requests meanwhile join it. */
export class RunOnceScheduler implements IDisposable {
  readonly #task: () => void;
  readonly #delayMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(task: () => void, delayMs: number) {
    this.#task = task;
    this.#delayMs = delayMs;
  }

  schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#task();
    }, this.#delayMs);
  }

  /** Drops the pending run, if any (e.g. the caller has just done the work itself). */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  dispose(): void {
    this.cancel();
  }
}
