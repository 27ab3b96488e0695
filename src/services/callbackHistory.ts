import * as vscode from 'vscode';
import { CallbackStore, type ReceivedCallback, type StoreChange } from '../callbacks';
import { Disposable, toDisposable } from '../common/lifecycle';
import { settings } from './settings';

/**
 * The received callbacks, persisted in the extension's global storage and read from disk on first use.
 * The listener pipeline adds to it; views and commands read and clear it.
 */
export class CallbackHistory extends Disposable {
  readonly #store: CallbackStore;
  readonly #log: vscode.LogOutputChannel;
  #loaded: Promise<void> | undefined;
  readonly #onDidChange = this._register(new vscode.EventEmitter<StoreChange>());
  /** What changed: added, updated (same id, new record) and removed entries, or everything (`cleared`). */
  readonly onDidChange = this.#onDidChange.event;
  readonly #onDidWarn = this._register(new vscode.EventEmitter<string>());
  /** Fires when the saved history could not be used (it then starts empty); the message says why. */
  readonly onDidWarn = this.#onDidWarn.event;
  readonly #onDidChangeSaveProblem = this._register(new vscode.EventEmitter<string | undefined>());
  /** Fires when saving starts failing (with why) and when a save succeeds again (undefined). */
  readonly onDidChangeSaveProblem = this.#onDidChangeSaveProblem.event;

  constructor(storageDir: string, log: vscode.LogOutputChannel) {
    super();
    this.#log = log;
    this.#store = new CallbackStore(storageDir, { maxHistory: settings.callbacksMaxHistory() });
    this._register(toDisposable(() => void this.#store.flush()));
    this._register(this.#store.onDidChange((change) => this.#onDidChange.fire(change)));
    this._register(
      this.#store.onDidChangeSaveProblem((problem) => {
        if (problem) this.#log.error(`Received callbacks are not being saved (kept in memory, retrying): ${problem}`);
        else this.#log.info('The callback history is being saved again.');
        this.#onDidChangeSaveProblem.fire(problem);
      }),
    );
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('plivo.callbacks.maxHistory')) {
          this.#store.maxHistory = settings.callbacksMaxHistory();
        }
      }),
    );
  }

  /** Loads the persisted history once; later calls share the first load. */
  load(): Promise<void> {
    this.#loaded ??= this.#store.load().then(({ warning }) => {
      if (!warning) return;
      this.#log.warn(warning);
      this.#onDidWarn.fire(warning);
    });
    return this.#loaded;
  }

  /** Newest first, each decoded anew. Empty until `load()` has resolved. */
  list(): readonly ReceivedCallback[] {
    return this.#store.list();
  }

  /** Callbacks `start` (inclusive) to `end` (exclusive), counted from the newest; only these are decoded. */
  slice(start: number, end?: number): readonly ReceivedCallback[] {
    return this.#store.slice(start, end);
  }

  get size(): number {
    return this.#store.size;
  }

  /** Every callback's id, newest first, without decoding any. */
  ids(): readonly string[] {
    return this.#store.ids();
  }

  /** A new object on every call: compare `revisionOf` to tell whether a callback changed. */
  get(id: string): ReceivedCallback | undefined {
    return this.#store.get(id);
  }

  /** Changes whenever the callback does; undefined once it is gone. */
  revisionOf(id: string): number | undefined {
    return this.#store.revisionOf(id);
  }

  /** Resolves once every received callback is written and fsynced (or failed to be). */
  flush(): Promise<void> {
    return this.#store.flush();
  }

  /** The history file, for the log and for tests. */
  get filePath(): string {
    return this.#store.filePath;
  }

  /** Why received callbacks are not being saved right now; undefined while saves succeed. */
  get saveProblem(): string | undefined {
    return this.#store.saveProblem;
  }

  /**
   * Adds at the top. Never rejects: when saving fails the entry stays in memory (saving is retried), and
   * `saveProblem` says why, so the pipeline still applies and forwards it.
   */
  add(callback: ReceivedCallback): Promise<void> {
    return this.#store.add(callback);
  }

  /** Merges `patch` into one entry; like `add`, a failed save keeps the change in memory. */
  update(id: string, patch: Partial<Omit<ReceivedCallback, 'id'>>): Promise<ReceivedCallback | undefined> {
    return this.#store.update(id, patch);
  }

  clear(): Promise<void> {
    return this.#store.clear();
  }
}
