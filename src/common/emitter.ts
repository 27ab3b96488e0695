// Events of the layers that may not import `vscode`, in the shape of its EventEmitter: `event(listener)` subscribes
// and returns the disposable that unsubscribes, `fire` tells every listener. One listener that throws stops neither
// the others nor the code that fired: a view's mistake must not break a save, a grant or a refresh.
import type { IDisposable } from './lifecycle';

export class Emitter<T> implements IDisposable {
  readonly #listeners = new Set<(value: T) => void>();

  readonly event = (listener: (value: T) => void): IDisposable => {
    this.#listeners.add(listener);
    return { dispose: () => this.#listeners.delete(listener) };
  };

  get hasListeners(): boolean {
    return this.#listeners.size > 0;
  }

  fire(value: T): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch {
        // See above: the others are still told.
      }
    }
  }

  /** Forgets every listener; the emitter can still be subscribed to afterwards. */
  dispose(): void {
    this.#listeners.clear();
  }
}
