import * as vscode from 'vscode';
import {
  forwardTargetFor,
  oneLine,
  sendSignedCallback,
  type CallbackKind,
  type OutgoingCallback,
  type ReceivedCallback,
  type RelayResult,
} from '../callbacks';
import { httpUrlProblem } from '../plivo';
import type { Services } from '../services/container';
import { isVerifiedCallback } from '../services/listenerService';
import { settings } from '../services/settings';
import { ensureListener } from './listener';
import { showError } from './showError';

// Where replayed and test callbacks go, how they are signed and sent, and how the outcome is reported.

/** Same patience as forwarding: a local app that needs longer is stuck. */
export const RELAY_TIMEOUT_MS = 10_000;
const LAST_URL_KEY = 'plivo.callbacks.lastTargetUrl';

/** Where a replayed or test callback goes. */
export interface CallbackTarget {
  /** Also the URL the signature covers; the listener accepts its local URL as well as its public one. */
  url: string;
  /** For messages: `the listener`, `plivo.listener.forwardUrl`, or the URL. */
  name: string;
  listener: boolean;
}

interface TargetPick extends vscode.QuickPickItem {
  choice: 'listener' | 'forward' | 'other';
}

/** Brackets would let a URL read as a link in a notification. */
export function displayUrl(url: string): string {
  return oneLine(url, 200).replace(/\[/g, '%5B').replace(/\]/g, '%5D');
}

/** The local listener as a target for `path`, started first if needed; undefined if it could not start. */
export async function listenerTarget(services: Services, path: string): Promise<CallbackTarget | undefined> {
  const local = await ensureListener(services);
  if (!local) return undefined;
  return { url: local + path, name: 'the listener', listener: true };
}

/** The last "Another URL…" typed, brought up to date if it pointed at an earlier listener, dropped if stale. */
async function rememberedTargetUrl(services: Services): Promise<string | undefined> {
  const stored = services.context.workspaceState.get<string>(LAST_URL_KEY);
  if (!stored) return undefined;
  const update = services.urls.refreshRemembered(stored);
  if (update.action === 'kept') return update.url;
  services.log.info(
    update.action === 'rewritten'
      ? `Last used callback URL ${update.from} now points at ${update.url}.`
      : `Last used callback URL dropped: ${update.reason}.`,
  );
  const url = update.action === 'rewritten' ? update.url : undefined;
  await services.context.workspaceState.update(LAST_URL_KEY, url);
  return url;
}

/** What is being sent, so that the forward choice can name where `plivo.listener.forwardUrl` sends it. */
export interface DestinationOptions {
  title: string;
  /** The path the listener receives it at (and that a forward base URL keeps). */
  listenerPath: string;
  kind: CallbackKind;
  method?: string;
}

/** Asks where to send: the listener (default), the forward URL, or another URL (remembered per workspace). */
export async function pickCallbackDestination(
  services: Services,
  options: DestinationOptions,
): Promise<CallbackTarget | undefined> {
  const { forward } = settings.listenerForward();
  const forwardUrl =
    forward &&
    forwardTargetFor({ kind: options.kind, method: options.method ?? 'POST', path: options.listenerPath }, forward);
  const lastUrl = await rememberedTargetUrl(services);
  const listenerWhere = services.listener.running
    ? services.listener.url
    : `starts it on port ${settings.listenerPort()}`;
  const items: TargetPick[] = [
    {
      label: `$(radio-tower) The listener (${listenerWhere})`,
      detail: 'Appears in the Callbacks view, and updates recordings started from here.',
      choice: 'listener',
    },
    ...(forwardUrl
      ? [
          {
            label: `$(arrow-right) plivo.listener.forwardUrl (${forwardUrl})`,
            detail: 'Your app, as set for forwarding.',
            choice: 'forward' as const,
          },
        ]
      : []),
    {
      label: '$(link) Another URL…',
      description: lastUrl,
      detail: 'Your app or any other http(s) endpoint.',
      choice: 'other',
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: 'Where should the callback go?',
  });
  switch (picked?.choice) {
    case undefined:
      return undefined;
    case 'listener':
      return listenerTarget(services, options.listenerPath);
    case 'forward':
      return forwardUrl ? { url: forwardUrl, name: 'plivo.listener.forwardUrl', listener: false } : undefined;
    case 'other': {
      const url = await vscode.window.showInputBox({
        title: options.title,
        prompt: 'URL to send the callback to',
        placeHolder: 'http://localhost:3000/plivo/recording',
        value: lastUrl,
        ignoreFocusOut: true,
        validateInput: (value) => httpUrlProblem(value.trim()),
      });
      if (url === undefined) return undefined;
      const trimmed = url.trim();
      await services.context.workspaceState.update(LAST_URL_KEY, trimmed);
      return { url: trimmed, name: trimmed, listener: false };
    }
  }
}

/** The Auth Token callbacks are signed with (sandbox or account); undefined without credentials. */
export async function accountToken(services: Services): Promise<string | undefined> {
  try {
    return (await services.connection.current())?.authTokens()[0];
  } catch (error) {
    services.log.warn(`No Auth Token to sign with: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** Sends `request` signed for the target's URL (when a token is given). Never rejects. */
export function sendToTarget(
  target: CallbackTarget,
  request: Omit<OutgoingCallback, 'headers'>,
  token: string | undefined,
): Promise<RelayResult> {
  return sendSignedCallback(target.url, request, token, { timeoutMs: RELAY_TIMEOUT_MS });
}

/** The listener answers `{"received":true,"id":…}`: the id of what it stored. */
function receivedId(result: RelayResult): string | undefined {
  try {
    const id = (JSON.parse(result.responseSnippet) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaying signs the request with the account's Auth Token, so the receiving app will trust it. A callback whose
 * own signature did not verify (missing, invalid, a replay) could be forged: ask first, in a modal.
 */
export async function confirmUnverified(callback: ReceivedCallback, action: string): Promise<boolean> {
  if (isVerifiedCallback(callback)) return true;
  const choice = await vscode.window.showWarningMessage(
    `This callback's signature was not verified (${signatureReason(callback)}).`,
    {
      modal: true,
      detail: `Anyone can send a request to the listener. ${action} signs it with your Auth Token, so the receiving app will trust it. Continue only if you know where it came from.`,
    },
    `${action} Anyway`,
  );
  return choice === `${action} Anyway`;
}

function signatureReason(callback: ReceivedCallback): string {
  const state = callback.signature?.state ?? 'unsigned';
  return state === 'unsigned' ? 'it had no signature' : oneLine(callback.signature.detail || state, 120);
}

export interface ResultContext {
  /** `Replay of the record done callback of 14:30:22`, `Test record done callback`: no request content. */
  what: string;
  target: CallbackTarget;
  signed: boolean;
  /** The source callback's own signature did not verify; the user confirmed sending it anyway. */
  unverified?: boolean;
  retry: () => unknown;
}

/** Logs the outcome and shows it in a notification (not awaited: tests and callers need not dismiss it). */
export function reportResult(services: Services, result: RelayResult, context: ResultContext): void {
  const { what, target } = context;
  const where = target.listener ? `the listener (${displayUrl(result.targetUrl)})` : displayUrl(result.targetUrl);
  const timing = `${result.durationMs} ms`;
  const unsigned =
    (context.signed ? '' : ' It was sent unsigned: no Plivo credentials are set.') +
    (context.unverified ? ' Unverified: the original callback had no valid signature.' : '');
  const logLine = `${what} → ${oneLine(result.targetUrl, 300)}: ${result.error ?? result.status} in ${timing}${context.signed ? '' : ' (unsigned)'}${context.unverified ? ' (unverified)' : ''}.`;
  if (result.responseSnippet) services.log.trace(`Response: ${oneLine(result.responseSnippet, 500)}`);

  const handle = async (choice: string | undefined): Promise<void> => {
    try {
      if (choice === 'Retry') await context.retry();
      if (choice === 'Show Log') services.log.show(true);
      const id = receivedId(result);
      if (choice === 'Show Request' && id) await vscode.commands.executeCommand('plivo.showCallback', id);
    } catch (error) {
      void showError(error, services.log);
    }
  };
  if (result.error !== undefined || result.status === undefined) {
    services.log.warn(logLine);
    void vscode.window
      .showErrorMessage(`${what} to ${where} failed: ${result.error ?? 'no answer'}.`, 'Retry', 'Show Log')
      .then(handle);
  } else if (!result.ok) {
    services.log.warn(logLine);
    const redirect = result.status >= 300 && result.status < 400 ? ' (redirects are not followed)' : '';
    void vscode.window
      .showWarningMessage(
        `${what}: ${where} answered ${result.status}${redirect} in ${timing}.${unsigned}`,
        'Retry',
        'Show Log',
      )
      .then(handle);
  } else {
    services.log.info(logLine);
    const actions = target.listener && receivedId(result) ? ['Show Request'] : ['Show Log'];
    void vscode.window
      .showInformationMessage(`${what}: ${where} answered ${result.status} in ${timing}.${unsigned}`, ...actions)
      .then(handle);
  }
}
