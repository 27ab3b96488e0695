import * as vscode from 'vscode';
import type { Services } from '../services/container';
import { secretsLocation } from '../services/credentials';
import { showError } from './showError';

/** Plivo: Sign Out — removes the stored credentials from SecretStorage. */
export async function signOut(services: Services): Promise<boolean> {
  if (!(await services.credentials.hasStored())) {
    void vscode.window.showInformationMessage(`No Plivo credentials are stored in ${secretsLocation()}.`);
    return false;
  }
  const choice = await vscode.window.showWarningMessage(
    `Remove the Plivo Auth ID and Auth Token from ${secretsLocation()}?`,
    { modal: true },
    'Sign Out',
  );
  if (choice !== 'Sign Out') return false;
  try {
    await services.credentials.clear();
  } catch (error) {
    void showError(error, services.log);
    return false;
  }
  const fallback = await services.credentials.get();
  services.log.info(`Credentials removed from ${secretsLocation()}.`);
  void vscode.window.showInformationMessage(
    fallback
      ? 'Signed out. PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN from the environment are still used.'
      : `Signed out of Plivo: the credentials were removed from ${secretsLocation()}.`,
  );
  return true;
}
