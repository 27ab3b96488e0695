import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox, type SandboxOptions } from '../../src/sandbox';
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

/** A tooltip's text as the user reads it: `appendText` escapes markdown punctuation and turns spaces into &nbsp;. */
export function tooltipText(tooltip: vscode.TreeItem['tooltip']): string {
  const value = tooltip instanceof vscode.MarkdownString ? tooltip.value : String(tooltip ?? '');
  return value.replace(/\\/g, '').replace(/&nbsp;/g, ' ');
}

/** Forgets every saved account, so a test starts with none (the store has no "forget all" for users). */
export async function removeSavedAccounts(services: Services): Promise<void> {
  for (const account of await services.accounts.list()) {
    if (account.kind === 'saved') await services.accounts.remove(account.id);
  }
}

/**
 * A sandbox of the test's own with the extension pointed at it and polling off (tests refresh when they need to).
 * Undo it with `releaseSandboxAccount`.
 */
export async function pointAtSandbox(options: SandboxOptions = { timeScale: 1 }): Promise<Sandbox> {
  const sandbox = await Sandbox.start(options);
  await plivoSettings().update('apiBaseUrl', sandbox.url, vscode.ConfigurationTarget.Global);
  await plivoSettings().update('calls.refreshIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
  return sandbox;
}

/** `pointAtSandbox`, with the sandbox's demo account saved and active. */
export async function useSandboxAccount(services: Services, options?: SandboxOptions): Promise<Sandbox> {
  const sandbox = await pointAtSandbox(options);
  await services.accounts.addOrUpdate({
    authId: SANDBOX_AUTH_ID,
    authToken: SANDBOX_AUTH_TOKEN,
    verified: true,
    activate: true,
  });
  return sandbox;
}

export async function releaseSandboxAccount(services: Services, sandbox: Sandbox): Promise<void> {
  await removeSavedAccounts(services);
  await plivoSettings().update('apiBaseUrl', undefined, vscode.ConfigurationTarget.Global);
  await plivoSettings().update('calls.refreshIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
  await sandbox.close();
}

function plivoSettings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('plivo');
}
