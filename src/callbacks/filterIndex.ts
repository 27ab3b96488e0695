// The Callbacks view's filter over a long history. The history keeps callbacks as lines (store.ts), so filtering all
// of them decoded all of them: with 5,000 callbacks some 60 ms on every refresh while a filter was on. The index keeps
// what the filter reads of each callback (grouping.ts `FilterFacts`) by revision, so a refresh decodes only the
// callbacks that arrived or changed since the one before.
import { filterByFacts, filterFacts, type CallbackFilter, type FilterFacts } from './grouping';
import type { ReceivedCallback } from './model';

/** The part of the callback history the index reads. */
export interface FilterableHistory {
  /** Ids, newest first. */
  ids(): readonly string[];
  /** Changes whenever the callback does; undefined once it is gone. */
  revisionOf(id: string): number | undefined;
  get(id: string): ReceivedCallback | undefined;
}

export class CallbackFilterIndex {
  readonly #history: FilterableHistory;
  readonly #facts = new Map<string, { revision: number; facts: FilterFacts }>();

  constructor(history: FilterableHistory) {
    this.#history = history;
  }

  /** Ids of the callbacks that match `filter`, newest first. */
  matching(filter: CallbackFilter): string[] {
    const ids = this.#history.ids();
    const matching = filterByFacts(ids, (id) => this.#factsOf(id), filter);
    if (this.#facts.size > ids.length) this.#keepOnly(ids);
    return matching;
  }

  /** Forgets everything; the next `matching` reads every callback again. */
  clear(): void {
    this.#facts.clear();
  }

  #factsOf(id: string): FilterFacts | undefined {
    const revision = this.#history.revisionOf(id);
    if (revision === undefined) return undefined;
    const known = this.#facts.get(id);
    if (known?.revision === revision) return known.facts;
    const callback = this.#history.get(id);
    if (!callback) return undefined;
    const facts = filterFacts(callback);
    this.#facts.set(id, { revision, facts });
    return facts;
  }

  #keepOnly(ids: readonly string[]): void {
    const kept = new Set(ids);
    for (const id of this.#facts.keys()) if (!kept.has(id)) this.#facts.delete(id);
  }
}
