import * as vscode from 'vscode';
import { authIdProblem, authTokenProblem, PlivoError, type PlivoCredentials } from '../plivo';
import type { Services } from '../services/container';
import { maskAuthId, secretsLocation } from '../services/credentials';
import { showError } from './showError';

/**
 * Plivo: Set Credentials — asks for the Auth ID and (masked) Auth Token, checks them with Plivo, and only
 * then stores them in SecretStorage (`secretsLocation()`). A rejected pair leaves the previous credentials in place.
 */
export async function setCredentials(services: Services, typed?: Partial<PlivoCredentials>): Promise<boolean> {
  const current = (await services.credentials.get())?.credentials;
  const authId = await vscode.window.showInputBox({
    title: 'Plivo Credentials (1/2)',
    prompt: 'Auth ID, from the overview page of the Plivo console',
    placeHolder: 'MAXXXXXXXXXXXXXXXXXX',
    value: typed?.authId ?? current?.authId,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? authIdProblem(v.trim()) : 'Enter the Auth ID.'),
  });
  if (authId === undefined) return false;
  const authToken = await vscode.window.showInputBox({
    title: 'Plivo Credentials (2/2)',
    prompt: `Auth Token of ${authId.trim()}; it is kept in ${secretsLocation()}`,
    password: true,
    value: typed?.authToken,
    ignoreFocusOut: true,
    validateInput: (v) => authTokenProblem(v.trim()),
  });
  if (authToken === undefined) return false;
  return verifyAndSave(services, { authId: authId.trim(), authToken: authToken.trim() });
}

async function verifyAndSave(services: Services, credentials: PlivoCredentials): Promise<boolean> {
  try {
    const client = services.connection.createClient(credentials);
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Checking the credentials with ${new URL(client.baseUrl).host}…`,
      },
      () => client.verifyCredentials(),
    );
  } catch (error) {
    if (error instanceof PlivoError && error.code === 'unauthorized') {
      const choice = await vscode.window.showErrorMessage(
        `${error.message} Your previous credentials are unchanged.`,
        'Edit Credentials',
      );
      // The Auth ID is kept for editing; the rejected token is not offered again.
      if (choice) return setCredentials(services, { authId: credentials.authId });
      return false;
    }
    // Offline or Plivo down: the pair may still be right, so let the user decide.
    if (error instanceof PlivoError && error.retryable) {
      const choice = await vscode.window.showWarningMessage(
        `The credentials could not be checked: ${error.message}`,
        'Retry',
        'Save Without Checking',
      );
      if (choice === 'Retry') return verifyAndSave(services, credentials);
      if (choice === 'Save Without Checking') return save(services, credentials);
      return false;
    }
    void showError(error, services.log);
    return false;
  }
  return save(services, credentials);
}

async function save(services: Services, credentials: PlivoCredentials): Promise<boolean> {
  try {
    await services.credentials.set(credentials);
  } catch (error) {
    void showError(error, services.log);
    return false;
  }
  // Real credentials were just given on purpose: the sandbox would hide them.
  if (services.sandbox.active) await services.sandbox.stop();
  services.log.info(`Credentials for ${maskAuthId(credentials.authId)} stored in ${secretsLocation()}.`);
  void vscode.window.showInformationMessage(
    `Plivo credentials for ${maskAuthId(credentials.authId)} saved in ${secretsLocation()}.`,
  );
  return true;
}
