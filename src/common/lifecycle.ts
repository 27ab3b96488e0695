// The one lifecycle idiom of the extension: everything that holds a resource is disposable, and whatever
// an object creates or subscribes to is registered with it, so one `dispose()` releases it all.
// No `vscode` import: `vscode.Disposable` fits the `Disposable` interface below, and pure code can use it too.

export interface IDisposable {
  dispose(): void;
}

/** Disposes each item once, newest first (what was created last may depend on what came before). */
export function disposeAll(disposables: IDisposable[]): void {
  while (disposables.length) disposables.pop()?.dispose();
}

export function toDisposable(dispose: () => void): IDisposable {
  return { dispose };
}

/** Base class for owners of resources: `_register` what you create or subscribe to; `dispose()` releases it all. */
export abstract class Disposable implements IDisposable {
  #disposed = false;
  readonly #disposables: IDisposable[] = [];

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    disposeAll(this.#disposables);
  }

  /** Registered after `dispose()`, a resource is released at once: nothing outlives its owner. */
  protected _register<T extends IDisposable>(value: T): T {
    if (this.#disposed) value.dispose();
    else this.#disposables.push(value);
    return value;
  }
}
