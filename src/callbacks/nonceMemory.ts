// Recently seen signature nonces, to tell a replayed signed request from a fresh one.

/** Plivo's nonces are random; remembering this many covers hours of callbacks at a bounded cost. */
export const DEFAULT_NONCE_MEMORY = 10_000;

/**
 * A bounded set of recently seen nonces, in two generations of at most half the limit each: a nonce seen again
 * moves to the current generation, and when that fills up the older one is dropped whole. Every call costs the
 * same; a single Map trimmed one oldest key at a time gets slower as its deleted slots pile up at the front.
 */
export class NonceMemory {
  #current = new Map<string, string>();
  #previous = new Map<string, string>();
  readonly #generation: number;

  constructor(limit = DEFAULT_NONCE_MEMORY) {
    this.#generation = Math.max(1, Math.ceil(limit / 2));
  }

  /** When `nonce` was first seen (ISO time), or undefined if it is new; either way it is now among the newest. */
  remember(nonce: string, at: string = new Date().toISOString()): string | undefined {
    const current = this.#current.get(nonce);
    if (current !== undefined) return current;
    const first = this.#previous.get(nonce);
    this.#previous.delete(nonce);
    this.#current.set(nonce, first ?? at);
    if (this.#current.size >= this.#generation) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    return first;
  }

  get size(): number {
    return this.#current.size + this.#previous.size;
  }
}
