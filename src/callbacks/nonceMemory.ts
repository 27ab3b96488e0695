// Recently seen signature nonces, to tell a replayed signed request from a fresh one.

/** Plivo's nonces are random; remembering this many covers hours of callbacks at a bounded cost. */
export const DEFAULT_NONCE_MEMORY = 10_000;

/** A bounded least-recently-seen set of nonces. */
export class NonceMemory {
  readonly #seen = new Map<string, string>();
  readonly #limit: number;

  constructor(limit = DEFAULT_NONCE_MEMORY) {
    this.#limit = limit;
  }

  /** When `nonce` was first seen (ISO time), or undefined if it is new; either way it is now the most recent. */
  remember(nonce: string, at: string = new Date().toISOString()): string | undefined {
    const first = this.#seen.get(nonce);
    this.#seen.delete(nonce);
    this.#seen.set(nonce, first ?? at);
    if (this.#seen.size > this.#limit) this.#seen.delete(this.#seen.keys().next().value as string);
    return first;
  }

  get size(): number {
    return this.#seen.size;
  }
}
