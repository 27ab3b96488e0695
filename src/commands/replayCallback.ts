import * as vscode from 'vscode';
import {
  callbackDescription,
  callbackLabel,
  kindName,
  oneLine,
  outgoingRequestFor,
  receivedTime,
  type OutgoingCallback,
  type ReceivedCallback,
  type ReplayResult,
} from '../callbacks';
import type { Services } from '../services/container';
import { isVerifiedCallback } from '../services/listenerService';
import {
  accountToken,
  confirmUnverified,
  displayUrl,
  pickCallbackDestination,
  reportResult,
  sendToTarget,
  type CallbackTarget,
  type DestinationOptions,
} from './delivery';

/** The path to replay to on the listener: a GET's query is rebuilt from its params. */
function replayPath(callback: ReceivedCallback): string {
  const path = callback.path || '/';
  return callback.method === 'GET' ? path.split('?', 1)[0] || '/' : path;
}

/** The destination question for sending `callback` again. */
export function destinationFor(callback: ReceivedCallback, title: string): DestinationOptions {
  return { title, listenerPath: replayPath(callback), kind: callback.kind, method: callback.method };
}

/**
 * Sends a stored callback again (or `request`, its edited form), re-signed for where it goes, keeps the
 * target's answer on the callback (its document shows it), and reports the outcome. Callers go through
 * `replayIfConfirmed`, which asks before an unverified callback is signed.
 */
export async function deliverReplay(
  services: Services,
  callback: ReceivedCallback,
  target: CallbackTarget,
  token: string | undefined,
  request: Omit<OutgoingCallback, 'headers'> = outgoingRequestFor(callback),
  edited = false,
): Promise<ReplayResult> {
  const sent = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Replaying callback to ${displayUrl(target.url)}` },
    () => sendToTarget(target, request, token),
  );
  const unverified = !isVerifiedCallback(callback);
  const result: ReplayResult = {
    ...sent,
    sentAt: new Date().toISOString(),
    ...(edited ? { edited } : {}),
    ...(unverified ? { unverified } : {}),
  };
  await services.callbacks.update(callback.id, { replay: result });
  reportResult(services, result, {
    what: `${edited ? 'Edited replay' : 'Replay'} of the ${kindName(callback.kind)} callback of ${receivedTime(callback)}`,
    target,
    signed: token !== undefined,
    unverified,
    retry: () => deliverReplay(services, callback, target, token, request, edited),
  });
  return result;
}

export interface ReplayOptions {
  /** The edited form of the callback's request (Replay with Edits). */
  request?: Omit<OutgoingCallback, 'headers'>;
  edited?: boolean;
  /** Asks before an unverified callback is signed and sent; replaceable for tests. */
  confirm?: (callback: ReceivedCallback, action: string) => Promise<boolean>;
}

/** Replays to `target` once an unverified callback is confirmed; undefined when the user declines. */
export async function replayIfConfirmed(
  services: Services,
  callback: ReceivedCallback,
  target: CallbackTarget,
  options: ReplayOptions = {},
): Promise<ReplayResult | undefined> {
  const confirm = options.confirm ?? confirmUnverified;
  if (!(await confirm(callback, options.edited ? 'Send' : 'Replay'))) return undefined;
  const token = await accountToken(services);
  return deliverReplay(services, callback, target, token, options.request, options.edited);
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
export async function replayCallbackCommand(services: Services, node?: unknown): Promise<ReplayResult | undefined> {
  await services.callbacks.load();
  const callback =
    node === undefined ? await pickStoredCallback(services, 'Replay Callback') : resolveCallback(services, node);
  if (!callback) {
    if (node !== undefined) void vscode.window.showWarningMessage('That callback is no longer in the history.');
    return undefined;
  }
  const target = await pickCallbackDestination(services, destinationFor(callback, 'Replay Callback'));
  if (!target) return undefined;
  return replayIfConfirmed(services, callback, target);
}
