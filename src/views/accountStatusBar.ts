import * as vscode from 'vscode';
import type { AccountSummary } from '../accounts';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import { markWalkthroughStep } from '../services/walkthrough';

/** The account status-bar item and the context keys last set, for tests to read (VS Code has no getter for either). */
export interface AccountStatusBar extends IDisposable {
  readonly item: vscode.StatusBarItem;
  readonly contextKeys: ReadonlyMap<string, boolean>;
  /** Resolves once what the accounts said at the last change is shown; renders run one after another. */
  rendered(): Promise<void>;
}

/**
 * The active account, always in sight: a status-bar item (click → Switch Account), and the context keys that the
 * account commands' menus use. Completes the walkthrough's first step once any account is active.
 */
export function registerAccountStatusBar(services: Services): AccountStatusBar {
  const { accounts } = services;
  const item = vscode.window.createStatusBarItem('plivo.account', vscode.StatusBarAlignment.Left, 51);
  item.name = 'Plivo Account';
  item.command = 'plivo.switchAccount';
  const contextKeys = new Map<string, boolean>();
  const setContext = (key: string, value: boolean): Thenable<unknown> => {
    contextKeys.set(key, value);
    return vscode.commands.executeCommand('setContext', key, value);
  };

  const render = async (): Promise<void> => {
    let list: AccountSummary[];
    try {
      list = await accounts.list();
    } catch (error) {
      item.text = '$(account) Plivo: accounts unreadable';
      item.tooltip = `${error instanceof Error ? error.message : String(error)}\n\nClick to switch or add an account.`;
      item.show();
      return;
    }
    const active = list.find((a) => a.active);
    item.text = active
      ? `${active.kind === 'sandbox' ? '$(beaker)' : '$(account)'} ${active.label}`
      : '$(account) Plivo: no account';
    item.tooltip = active ? tooltipFor(active) : 'No Plivo account is set up. Click to add one or use the sandbox.';
    item.accessibilityInformation = {
      label: active ? `Plivo account ${active.label}, click to switch` : 'No Plivo account, click to add one',
    };
    item.show();
    if (active) markWalkthroughStep('accountReady');
    await Promise.all([
      setContext(
        'plivo.hasSavedAccounts',
        list.some((a) => a.kind === 'saved'),
      ),
      setContext('plivo.hasStoredCredentials', active?.kind === 'saved'),
      setContext('plivo.mainAccountActive', active !== undefined && !active.isSubaccount),
    ]);
  };

  let rendering = render();
  const disposables: IDisposable[] = [item, accounts.onDidChange(() => (rendering = rendering.then(render)))];
  return { item, contextKeys, rendered: () => rendering, dispose: () => disposeAll(disposables) };
}

function tooltipFor(account: AccountSummary): string {
  const where =
    account.kind === 'sandbox'
      ? 'the offline sandbox (simulated calls)'
      : account.kind === 'environment'
        ? `${account.maskedAuthId}, from PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN`
        : `${account.maskedAuthId}, ${account.isSubaccount ? 'subaccount' : 'main account'}, ${
            account.verified ? `verified ${account.verifiedAt?.slice(0, 10) ?? ''}`.trim() : 'not verified'
          }`;
  return `Plivo account: ${account.label} (${where}). Calls, recordings and signature checks use it.\n\nClick to switch accounts.`;
}
