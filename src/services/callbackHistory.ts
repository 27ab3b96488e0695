import * as vscode from 'vscode';
import { CallbackStore, type ReceivedCallback } from '../callbacks';
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
  readonly #onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.#onDidChange.event;
  readonly #onDidWarn = this._register(new vscode.EventEmitter<string>());
  /** Fires when the saved history could not be used (it then starts empty); the message says why. */
  readonly onDidWarn = this.#onDidWarn.event;

  constructor(storageDir: string, log: vscode.LogOutputChannel) {
    super();
    this.#log = log;
    this.#store = new CallbackStore(storageDir, { maxHistory: settings.callbacksMaxHistory() });
    this._register(toDisposable(() => void this.#store.flush()));
    this._register(this.#store.onDidChange(() => this.#onDidChange.fire()));
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

  /** Newest first. Empty until `load()` has resolved. */
  list(): readonly ReceivedCallback[] {
    return this.#store.list();
  }

  get(id: string): ReceivedCallback | undefined {
    return this.#store.get(id);
  }

  add(callback: ReceivedCallback): Promise<void> {
    return this.#store.add(callback);
  }

  update(id: string, patch: Partial<Omit<ReceivedCallback, 'id'>>): Promise<ReceivedCallback | undefined> {
    return this.#store.update(id, patch);
  }

  clear(): Promise<void> {
    return this.#store.clear();
  }
}
