import * as vscode from 'vscode';
import type { ActiveConnection } from '../services/connection';
import type { Services } from '../services/container';

/** The active connection, or undefined after telling the user how to get one. */
export async function requireConnection(services: Services): Promise<ActiveConnection | undefined> {
  const connection = await services.connection.current();
  if (connection) return connection;
  const choice = await vscode.window.showWarningMessage(
    'No Plivo credentials are set. Set your Auth ID and Auth Token, or try the offline sandbox.',
    'Set Credentials',
    'Use Offline Sandbox',
  );
  if (choice === 'Set Credentials') await vscode.commands.executeCommand('plivo.setCredentials');
  if (choice === 'Use Offline Sandbox') await vscode.commands.executeCommand('plivo.startSandbox');
  return undefined;
}
