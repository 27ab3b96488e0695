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
  readonly #onDidChangeSaveProblem = this._register(new vscode.EventEmitter<string | undefined>());
  /** Fires when saving starts failing (with why) and when a save succeeds again (undefined). */
  readonly onDidChangeSaveProblem = this.#onDidChangeSaveProblem.event;
  #saveProblem: string | undefined;

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

  /** The history file, for the log and for tests. */
  get filePath(): string {
    return this.#store.filePath;
  }

  /** Why the history could not be saved last time; undefined once a save succeeds. */
  get saveProblem(): string | undefined {
    return this.#saveProblem;
  }

  /**
   * Adds at the top. Never rejects: when saving fails the entry stays in memory (and is saved with the next
   * successful save), and `saveProblem` says why, so the pipeline still applies and forwards it.
   */
  add(callback: ReceivedCallback): Promise<void> {
    return this.#saving(this.#store.add(callback));
  }

  /** Like `add`, never rejects on a failed save: the change is kept in memory. */
  async update(id: string, patch: Partial<Omit<ReceivedCallback, 'id'>>): Promise<ReceivedCallback | undefined> {
    let updated: ReceivedCallback | undefined;
    await this.#saving(
      this.#store.update(id, patch).then((entry) => {
        updated = entry;
      }),
    );
    return updated ?? this.#store.get(id);
  }

  async #saving(save: Promise<unknown>): Promise<void> {
    try {
      await save;
      this.#setSaveProblem(undefined);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      this.#log.error(`Could not save the callback history (kept in memory): ${problem}`);
      this.#setSaveProblem(problem);
    }
  }

  #setSaveProblem(problem: string | undefined): void {
    if (problem === this.#saveProblem) return;
    this.#saveProblem = problem;
    this.#onDidChangeSaveProblem.fire(problem);
  }

  clear(): Promise<void> {
    return this.#store.clear();
  }
}
