import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { Services } from '../../src/services/container';

export const EXTENSION_ID = 'plivo-community.plivo-call-recording';

/** Activates the extension under test and returns its services and views (exposed outside production mode only). */
export async function activateExtension(): Promise<TestApi> {
  const extension = vscode.extensions.getExtension<TestApi | undefined>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  const api = await extension.activate();
  if (!api) throw new Error('the extension exposes no services: is it running in production mode?');
  return api;
}

export { until } from '../support/until';

/** Forgets every saved account, so a test starts with none (the store has no "forget all" for users). */
export async function removeSavedAccounts(services: Services): Promise<void> {
  for (const account of await services.accounts.list()) {
    if (account.kind === 'saved') await services.accounts.remove(account.id);
  }
}
