import * as vscode from 'vscode';
import { callbackFileName, renderCallbackDocument, type ReceivedCallback } from '../callbacks';
import { Disposable } from '../common/lifecycle';
import type { CallbackHistory } from '../services/callbackHistory';

/** Read-only documents `plivo-callback:/<id>/<kind>-<time>.json` showing one whole request as JSON. */
export const CALLBACK_SCHEME = 'plivo-callback';

export function callbackUri(callback: ReceivedCallback): vscode.Uri {
  return vscode.Uri.from({
    scheme: CALLBACK_SCHEME,
    path: `/${encodeURIComponent(callback.id)}/${callbackFileName(callback)}`,
  });
}

export function callbackIdOf(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== CALLBACK_SCHEME) return undefined;
  const segment = uri.path.split('/')[1];
  if (!segment) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const GONE = `${JSON.stringify({ error: 'This callback is no longer in the history: it was cleared, or dropped beyond plivo.callbacks.maxHistory.' }, null, 2)}\n`;

/**
 * Renders stored callbacks as text, never as HTML. Open documents follow the store: a forward result
 * that arrives later shows up, a cleared callback says it is gone.
 */
export class CallbackDocumentProvider extends Disposable implements vscode.TextDocumentContentProvider {
  readonly #onDidChange = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.#onDidChange.event;
  /** The revision each open document shows (undefined: gone), to re-render only those whose record changed. */
  readonly #shown = new Map<string, { uri: vscode.Uri; revision: number | undefined }>();
  readonly #history: CallbackHistory;

  constructor(history: CallbackHistory) {
    super();
    this.#history = history;
    this._register(history.onDidChange(() => this.#refreshOpen()));
    this._register(vscode.workspace.onDidCloseTextDocument((document) => this.#shown.delete(document.uri.toString())));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    await this.#history.load();
    const id = callbackIdOf(uri);
    const callback = id === undefined ? undefined : this.#history.get(id);
    const revision = id === undefined ? undefined : this.#history.revisionOf(id);
    this.#shown.set(uri.toString(), { uri, revision });
    return callback ? renderCallbackDocument(callback) : GONE;
  }

  #refreshOpen(): void {
    for (const { uri, revision } of this.#shown.values()) {
      const id = callbackIdOf(uri);
      if (id !== undefined && this.#history.revisionOf(id) !== revision) this.#onDidChange.fire(uri);
    }
  }
}
