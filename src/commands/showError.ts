import * as vscode from 'vscode';
import { DownloadError, PlivoError } from '../plivo';
import { KeychainError } from '../services/credentials';

const SET_CREDENTIALS = 'Set Credentials';
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
  } else if (error instanceof KeychainError) {
    actions.push(LEARN_MORE);
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
      if (error instanceof KeychainError) await vscode.env.openExternal(vscode.Uri.parse(error.helpUrl));
      break;
    case SHOW_LOG:
      log.show(true);
      break;
  }
}
