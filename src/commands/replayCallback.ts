import * as vscode from 'vscode';
import {
  callbackDescription,
  callbackLabel,
  kindName,
  oneLine,
  receivedTime,
  replayCallback as relayReplay,
  type ReceivedCallback,
  type RelayResult,
} from '../callbacks';
import type { Services } from '../services/container';
import {
  accountToken,
  displayUrl,
  pickCallbackDestination,
  RELAY_TIMEOUT_MS,
  reportResult,
  type CallbackTarget,
} from './delivery';

/** The path to replay to on the listener: a GET's query is rebuilt from its params. */
function replayPath(callback: ReceivedCallback): string {
  const path = callback.path || '/';
  return callback.method === 'GET' ? path.split('?', 1)[0] || '/' : path;
}

/** Sends a stored callback again, re-signed for where it goes, and reports the outcome. */
export async function deliverReplay(
  services: Services,
  callback: ReceivedCallback,
  target: CallbackTarget,
  token: string | undefined,
): Promise<RelayResult> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Replaying callback to ${displayUrl(target.url)}` },
    () => relayReplay(callback, target.url, token, { timeoutMs: RELAY_TIMEOUT_MS }),
  );
  reportResult(services, result, {
    what: `Replay of the ${kindName(callback.kind)} callback of ${receivedTime(callback)}`,
    target,
    signed: token !== undefined,
    retry: () => deliverReplay(services, callback, target, token),
  });
  return result;
}

interface CallbackPick extends vscode.QuickPickItem {
  id: string;
}

/** Palette use: choose among the stored callbacks, newest first. */
export async function pickStoredCallback(services: Services, title: string): Promise<ReceivedCallback | undefined> {
  await services.callbacks.load();
  const callbacks = services.callbacks.list();
  if (callbacks.length === 0) {
    void vscode.window.showInformationMessage(
      'No callbacks received yet. Start the callback listener, or send a test callback.',
    );
    return undefined;
  }
  const now = new Date();
  const items = callbacks.map((callback): CallbackPick => ({
    label: callbackLabel(callback),
    description: callbackDescription(callback, now),
    detail: `${oneLine(callback.method, 10)} ${oneLine(callback.path, 120)}`,
    id: callback.id,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Which callback?',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked && services.callbacks.get(picked.id);
}

/** `node` is a tree element (the stored record) or an id; absent from the palette. Call after `load()`. */
export function resolveCallback(services: Services, node: unknown): ReceivedCallback | undefined {
  const id = typeof node === 'string' ? node : (node as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? services.callbacks.get(id) : undefined;
}

/** Plivo: Replay Callback — on a Callbacks item, or from the palette. */
export async function replayCallbackCommand(services: Services, node?: unknown): Promise<RelayResult | undefined> {
  await services.callbacks.load();
  const callback =
    node === undefined ? await pickStoredCallback(services, 'Replay Callback') : resolveCallback(services, node);
  if (!callback) {
    if (node !== undefined) void vscode.window.showWarningMessage('That callback is no longer in the history.');
    return undefined;
  }
  const target = await pickCallbackDestination(services, {
    title: 'Replay Callback',
    listenerPath: replayPath(callback),
  });
  if (!target) return undefined;
  return deliverReplay(services, callback, target, await accountToken(services));
}
