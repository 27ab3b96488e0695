import * as vscode from 'vscode';
import type { Services } from '../services/container';
import { callbackUri } from '../views/callbacksDocument';
import type { Handler } from '.';
import { pickStoredCallback, replayCallbackCommand, resolveCallback } from './replayCallback';
import { sendTestCallback } from './sendTestCallback';

/** Plivo: Show Callback Request — the whole request, read-only, as JSON. `node` is an id or a Callbacks item. */
export async function showCallback(services: Services, node?: unknown): Promise<vscode.TextEditor | undefined> {
  await services.callbacks.load();
  const callback =
    node === undefined ? await pickStoredCallback(services, 'Show Callback Request') : resolveCallback(services, node);
  if (!callback) {
    if (node !== undefined) void vscode.window.showWarningMessage('That callback is no longer in the history.');
    return undefined;
  }
  let document = await vscode.workspace.openTextDocument(callbackUri(callback));
  if (document.languageId !== 'json') document = await vscode.languages.setTextDocumentLanguage(document, 'json');
  return vscode.window.showTextDocument(document, { preview: true });
}

async function confirmClear(count: number): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    `Clear ${count} received callback${count === 1 ? '' : 's'}?`,
    { modal: true, detail: 'They are removed from the Callbacks view and from the saved history.' },
    'Clear',
  );
  return choice === 'Clear';
}

/** Plivo: Clear Callbacks — after a modal confirmation (`confirm` is replaceable for tests). */
export async function clearCallbacks(
  services: Services,
  confirm: (count: number) => Promise<boolean> = confirmClear,
): Promise<boolean> {
  await services.callbacks.load();
  const count = services.callbacks.size;
  if (count === 0) {
    vscode.window.setStatusBarMessage('Plivo: there are no callbacks to clear', 4000);
    return false;
  }
  if (!(await confirm(count))) return false;
  await services.callbacks.clear();
  services.log.info(`Cleared ${count} received callback${count === 1 ? '' : 's'}.`);
  return true;
}

/** Commands of the Callbacks view. */
export const callbackCommands: Record<string, Handler> = {
  'plivo.sendTestCallback': (s) => sendTestCallback(s),
  'plivo.replayCallback': (s, _v, node) => replayCallbackCommand(s, node),
  'plivo.showCallback': (s, _v, node) => showCallback(s, node),
  'plivo.clearCallbacks': (s) => clearCallbacks(s),
};
