import * as vscode from 'vscode';
import { ApiHostNotTrustedError } from '../services/connection';
import type { Services } from '../services/container';
import { settings } from '../services/settings';

const ALLOW = 'Allow and Send';

/**
 * Asks once per host whether the Auth Token may go to the non-Plivo host `plivo.apiBaseUrl` points to (a workspace
 * may have set it). Plain http to another machine is refused without asking. Resolves whether the host is allowed now.
 */
export async function confirmApiHost(services: Services, error: ApiHostNotTrustedError): Promise<boolean> {
  if (error.insecure) {
    void vscode.window.showErrorMessage(error.message, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'plivo.apiBaseUrl');
    });
    return false;
  }
  const choice = await vscode.window.showWarningMessage(
    `Send your Plivo Auth ID and Auth Token to ${error.host}?`,
    {
      modal: true,
      detail: `plivo.apiBaseUrl points to ${error.host}, which is not Plivo's API or a sandbox on this machine. Whoever runs ${error.host} can use your Plivo account with these credentials. Allow it only if you run or trust that server. You can take this back with "Plivo: Reset Allowed API Hosts".`,
    },
    ALLOW,
  );
  if (choice !== ALLOW) return false;
  await services.connection.trustHost(error.host);
  return true;
}

/** Plivo: Allow API Host… — the confirmation for the host `plivo.apiBaseUrl` points to now. */
export async function allowApiHost(services: Services): Promise<boolean> {
  try {
    services.connection.assertTrusted(settings.apiBaseUrl());
  } catch (error) {
    if (error instanceof ApiHostNotTrustedError) return confirmApiHost(services, error);
    throw error;
  }
  void vscode.window.showInformationMessage(
    `The API host of plivo.apiBaseUrl (${settings.apiBaseUrl()}) already receives the Auth Token: it is Plivo's, on this machine, or allowed.`,
  );
  return true;
}

/** Plivo: Reset Allowed API Hosts — the Auth Token goes only to Plivo and loopback again until confirmed anew. */
export async function resetTrustedApiHosts(services: Services): Promise<void> {
  const hosts = await services.connection.resetTrustedHosts();
  void vscode.window.showInformationMessage(
    hosts.length
      ? `The Auth Token is no longer sent to ${hosts.join(', ')} without asking.`
      : 'No API hosts were allowed: the Auth Token goes only to Plivo and to sandboxes on this machine.',
  );
}
