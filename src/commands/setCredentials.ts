import * as vscode from 'vscode';
import { defaultAccountLabel, maskAuthId, type AccountSummary } from '../accounts';
import { authIdProblem, authTokenProblem, PlivoError, type PlivoCredentials } from '../plivo';
import { ApiHostNotTrustedError } from '../services/connection';
import type { Services } from '../services/container';
import { confirmApiHost } from './apiHost';
import { showError } from './showError';

/** What the questions start from: an Auth ID to update, or what the user typed before a failed check. */
export interface CredentialsDraft {
  readonly authId?: string;
  readonly authToken?: string;
}

/**
 * Plivo: Set Credentials (add or update an account) — asks for the Auth ID and the (masked) Auth Token, checks them
 * with Plivo, and only then asks for the account's label and saves it as the active account. A rejected pair saves
 * nothing: every saved account stays as it was. Without a draft, the active saved account's Auth ID is offered.
 */
export async function setCredentials(
  services: Services,
  draft?: CredentialsDraft,
): Promise<AccountSummary | undefined> {
  const active = draft ? undefined : await services.accounts.active().catch(() => undefined);
  return askAndSave(services, draft ?? { authId: active?.kind === 'saved' ? active.authId : undefined });
}

/** Plivo: Add Account — the same questions, starting empty. */
export function addAccount(services: Services): Promise<AccountSummary | undefined> {
  return askAndSave(services, {});
}

async function askAndSave(services: Services, draft: CredentialsDraft): Promise<AccountSummary | undefined> {
  const authId = await vscode.window.showInputBox({
    title: 'Plivo Account (1/3)',
    prompt: 'Auth ID of the account or subaccount, from the overview page of the Plivo console',
    placeHolder: 'MAXXXXXXXXXXXXXXXXXX',
    value: draft.authId,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? authIdProblem(v.trim()) : 'Enter the Auth ID.'),
  });
  if (authId === undefined) return undefined;
  const authToken = await vscode.window.showInputBox({
    title: 'Plivo Account (2/3)',
    prompt: `Auth Token of ${authId.trim()}; it is kept in your OS keychain`,
    password: true,
    value: draft.authToken,
    ignoreFocusOut: true,
    validateInput: (v) => authTokenProblem(v.trim()),
  });
  if (authToken === undefined) return undefined;
  return verifyThenSave(services, { authId: authId.trim(), authToken: authToken.trim() });
}

async function verifyThenSave(services: Services, credentials: PlivoCredentials): Promise<AccountSummary | undefined> {
  let host = '';
  try {
    const client = services.connection.createClient(credentials);
    host = new URL(client.baseUrl).host;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking the credentials with ${host}…` },
      () => client.verifyCredentials(),
    );
  } catch (error) {
    if (error instanceof ApiHostNotTrustedError) {
      return (await confirmApiHost(services, error)) ? verifyThenSave(services, credentials) : undefined;
    }
    if (error instanceof PlivoError && error.code === 'unauthorized') {
      const choice = await vscode.window.showErrorMessage(
        `${error.message} Nothing was saved: your accounts are unchanged.`,
        'Edit',
      );
      // The Auth ID was probably right; the token is asked again, never shown.
      return choice ? askAndSave(services, { authId: credentials.authId }) : undefined;
    }
    // Offline or Plivo down: the pair may still be right, so let the user decide.
    if (error instanceof PlivoError && error.retryable) {
      const choice = await vscode.window.showWarningMessage(
        `The credentials could not be checked: ${error.message}`,
        'Retry',
        'Save Without Checking',
      );
      if (choice === 'Retry') return verifyThenSave(services, credentials);
      if (choice === 'Save Without Checking') return askLabelAndSave(services, credentials, false);
      return undefined;
    }
    void showError(error, services.log);
    return undefined;
  }
  services.log.info(`Credentials for ${maskAuthId(credentials.authId)} accepted by ${host}.`);
  return askLabelAndSave(services, credentials, true);
}

/** Saves a verified (or knowingly unverified) account under a label the user picks, and makes it active. */
export async function askLabelAndSave(
  services: Services,
  credentials: PlivoCredentials,
  verified: boolean,
  suggested?: string,
): Promise<AccountSummary | undefined> {
  const existing = (await services.accounts.list().catch(() => [])).find(
    (a) => a.kind === 'saved' && a.authId === credentials.authId,
  );
  const label = await vscode.window.showInputBox({
    title: 'Plivo Account (3/3)',
    prompt: `A name for ${maskAuthId(credentials.authId)} in the status bar and Switch Account (press Enter to accept)`,
    value: existing?.label ?? suggested ?? defaultAccountLabel(credentials.authId),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter a name, for example Production or Customer A.'),
  });
  if (label === undefined) return undefined;
  let account: AccountSummary;
  try {
    account = await services.accounts.addOrUpdate({ ...credentials, label, verified, activate: true });
  } catch (error) {
    void showError(error, services.log);
    return undefined;
  }
  services.log.info(`Account ${account.label} (${account.maskedAuthId}) saved in the OS keychain and made active.`);
  void vscode.window.showInformationMessage(
    `Plivo account ${account.label} (${account.maskedAuthId}) saved in the OS keychain${verified ? '' : ' without being checked'}; it is the active account.`,
  );
  return account;
}
