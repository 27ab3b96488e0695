import * as vscode from 'vscode';
import { AccountStoreError } from '../accounts';
import { DownloadError, PlivoError } from '../plivo';
import { ApiHostNotTrustedError } from '../services/connection';

const SET_CREDENTIALS = 'Set Credentials';
const ALLOW_HOST = 'Allow Host…';
const RETRY = 'Retry';
const SHOW_LOG = 'Show Log';
const LEARN_MORE = 'Learn More';
const REFRESH = 'Refresh Calls';

/**
 * Shows an error with the buttons that help with it. `retry` re-runs the failed step with what the user
 * already entered, so nothing typed is lost.
 */
export async function showError(error: unknown, log: vscode.LogOutputChannel, retry?: () => unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  log.error(message);
  const actions: string[] = [];
  if (error instanceof PlivoError) {
    if (error.code === 'unauthorized' || error.code === 'forbidden') actions.push(SET_CREDENTIALS);
    if (error.code === 'not-found') actions.push(REFRESH);
    if (retry && (error.retryable || error.code === 'unexpected-status' || error.code === 'bad-response')) {
      actions.push(RETRY);
    }
  } else if (error instanceof DownloadError) {
    if (error.code === 'unauthorized' || error.code === 'forbidden') actions.push(SET_CREDENTIALS);
    if (retry && error.retryable) actions.push(RETRY);
  } else if (error instanceof AccountStoreError && error.helpUrl) {
    actions.push(LEARN_MORE);
  } else if (error instanceof ApiHostNotTrustedError && !error.insecure) {
    actions.push(ALLOW_HOST);
  }
  actions.push(SHOW_LOG);
  const choice = await vscode.window.showErrorMessage(message, ...actions);
  switch (choice) {
    case SET_CREDENTIALS:
      await vscode.commands.executeCommand('plivo.setCredentials');
      break;
    case REFRESH:
      await vscode.commands.executeCommand('plivo.refreshCalls');
      break;
    case RETRY:
      await retry?.();
      break;
    case LEARN_MORE:
      if (error instanceof AccountStoreError && error.helpUrl) {
        await vscode.env.openExternal(vscode.Uri.parse(error.helpUrl));
      }
      break;
    case ALLOW_HOST:
      if (await vscode.commands.executeCommand<boolean>('plivo.allowApiHost')) await retry?.();
      break;
    case SHOW_LOG:
      log.show(true);
      break;
  }
}
