import * as vscode from 'vscode';
import { ApiHostNotTrustedError, type ActiveConnection } from '../services/connection';
import type { Services } from '../services/container';
import { confirmApiHost } from './apiHost';

/**
 * The active connection, or undefined after telling the user how to get one. Asks before the Auth Token goes to a
 * host other than Plivo's; other failures (keychain, malformed URL) reject.
 */
export async function requireConnection(services: Services): Promise<ActiveConnection | undefined> {
  let connection: ActiveConnection | undefined;
  try {
    connection = await services.connection.current();
  } catch (error) {
    if (!(error instanceof ApiHostNotTrustedError)) throw error;
    if (!(await confirmApiHost(services, error))) return undefined;
    connection = await services.connection.current();
  }
  if (connection) return connection;
  const choice = await vscode.window.showWarningMessage(
    'No Plivo account is set up. Add your Auth ID and Auth Token, or try the offline sandbox.',
    'Add Account',
    'Use Offline Sandbox',
  );
  if (choice === 'Add Account') await vscode.commands.executeCommand('plivo.addAccount');
  if (choice === 'Use Offline Sandbox') await vscode.commands.executeCommand('plivo.startSandbox');
  return undefined;
}
