// Makes the sandbox feel alive for demos: each call ends after a random lifetime and a new
// one arrives a little later, so the number of live calls hovers around where it started.
import { randomInt } from 'node:crypto';
import type { TimerSet } from './timers';
import type { SandboxCall, SandboxChurnOptions } from './types';

export const DEFAULT_CHURN: SandboxChurnOptions = { minSeconds: 30, maxSeconds: 180 };

export interface ChurnDeps {
  timers: TimerSet;
  timeScale: number;
  range: SandboxChurnOptions;
  /** Adds a replacement call (which is then tracked in turn). */
  addCall(): void;
  /** Hangs up; false when the call had already ended. */
  hangup(callUuid: string): boolean;
}

export class CallChurn {
  readonly #lifetimes = new Map<string, NodeJS.Timeout>();

  readonly #deps: ChurnDeps;

  constructor(deps: ChurnDeps) {
    this.#deps = deps;
  }

  track(call: SandboxCall): void {
    const { minSeconds, maxSeconds } = this.#deps.range;
    const timer = this.#deps.timers.schedule(this.#scaled(minSeconds, maxSeconds), () => {
      this.#lifetimes.delete(call.callUuid);
      if (!this.#deps.hangup(call.callUuid)) return;
      this.#deps.timers.schedule(this.#scaled(0, minSeconds / 2), () => this.#deps.addCall());
    });
    this.#lifetimes.set(call.callUuid, timer);
  }

  /** A call hung up by other means is not replaced. */
  forget(callUuid: string): void {
    this.#deps.timers.cancel(this.#lifetimes.get(callUuid));
    this.#lifetimes.delete(callUuid);
  }

  /** A random duration between the bounds, in ms of real time. */
  #scaled(minSeconds: number, maxSeconds: number): number {
    const ms = minSeconds * 1000 + randomInt(Math.max(1, Math.round((maxSeconds - minSeconds) * 1000)));
    return ms * this.#deps.timeScale;
  }
}
