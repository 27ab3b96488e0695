import * as vscode from 'vscode';
import type { AccountSummary } from '../accounts';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import { RunOnceScheduler } from '../common/runOnceScheduler';
import { PLIVO_RATE_LIMIT, type LimiterStats, type RequestLimiter } from '../plivo';
import type { Services } from '../services/container';
import { markWalkthroughStep } from '../services/walkthrough';

/** A wait shorter than this never shows, so a refresh that only brushes the budget does not make the item flicker. */
const BUDGET_REDRAW_MS = 500;

/** The account status-bar item and the context keys last set, for tests to read (VS Code has no getter for either). */
export interface AccountStatusBar extends IDisposable {
  readonly item: vscode.StatusBarItem;
  readonly contextKeys: ReadonlyMap<string, boolean>;
  /** Resolves once what the accounts said at the last change is shown; renders run one after another. */
  rendered(): Promise<void>;
}

/**
 * The active account, always in sight: a status-bar item (click → Switch Account), and the context keys that the
 * account commands' menus use. Completes the walkthrough's first step once any account is active. While requests
 * wait for the account's request budget, or Plivo's rate limit (a 429) has paused them, the item says so.
 */
export function registerAccountStatusBar(services: Services): AccountStatusBar {
  const { accounts, connection } = services;
  const item = vscode.window.createStatusBarItem('plivo.account', vscode.StatusBarAlignment.Left, 51);
  item.name = 'Plivo Account';
  item.command = 'plivo.switchAccount';
  const contextKeys = new Map<string, boolean>();
  const setContext = (key: string, value: boolean): Thenable<unknown> => {
    contextKeys.set(key, value);
    return vscode.commands.executeCommand('setContext', key, value);
  };

  /** What the account part of the item says (unset until the accounts are read); the budget's state is added to it. */
  let shown: Shown | undefined;
  let limiter: RequestLimiter | undefined;
  const draw = (): void => {
    if (!shown) return;
    const budget = limiter && budgetNote(limiter.stats());
    item.text = budget ? `${shown.text} ${budget.text}` : shown.text;
    item.tooltip = budget ? `${shown.tooltip}\n\n${budget.tooltip}` : shown.tooltip;
    item.accessibilityInformation = { label: budget ? `${shown.label}; ${budget.label}` : shown.label };
    item.backgroundColor = budget?.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.show();
  };
  const budgetRedraw = new RunOnceScheduler(draw, BUDGET_REDRAW_MS);
  let limiterSubscription: IDisposable | undefined;
  /** Follows the request budget of the account requests now go to. */
  const watchBudget = async (): Promise<void> => {
    const active = await connection.current().catch(() => undefined);
    if (active?.limiter === limiter) return;
    limiterSubscription?.dispose();
    limiter = active?.limiter;
    limiterSubscription = limiter?.onDidChange(() => budgetRedraw.schedule());
    draw();
  };

  const render = async (): Promise<void> => {
    let list: AccountSummary[];
    try {
      list = await accounts.list();
    } catch (error) {
      shown = {
        text: '$(account) Plivo: accounts unreadable',
        tooltip: `${error instanceof Error ? error.message : String(error)}\n\nClick to switch or add an account.`,
        label: 'Plivo accounts unreadable, click to switch or add an account',
      };
      draw();
      return;
    }
    const active = list.find((a) => a.active);
    shown = {
      text: active
        ? `${active.kind === 'sandbox' ? '$(beaker)' : '$(account)'} ${active.label}`
        : '$(account) Plivo: no account',
      tooltip: active ? tooltipFor(active) : 'No Plivo account is set up. Click to add one or use the sandbox.',
      label: active ? `Plivo account ${active.label}, click to switch` : 'No Plivo account, click to add one',
    };
    draw();
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

  const renderAll = (): Promise<void> => Promise.all([render(), watchBudget()]).then(() => undefined);
  let rendering = renderAll();
  const disposables: IDisposable[] = [
    item,
    budgetRedraw,
    { dispose: () => limiterSubscription?.dispose() },
    // The connection changes with the account, and with the API host: either can mean another budget.
    connection.onDidChange(() => (rendering = rendering.then(renderAll))),
  ];
  return { item, contextKeys, rendered: () => rendering, dispose: () => disposeAll(disposables) };
}

interface Shown {
  text: string;
  tooltip: string;
  label: string;
}

/** What the item adds while requests wait for the budget or a 429 pause lasts; undefined when neither. */
function budgetNote(stats: LimiterStats): (Shown & { warning: boolean }) | undefined {
  const { queued, pausedUntil, maxRequests, windowMs } = stats;
  const waiting = `${queued.toLocaleString('en-US')} request${queued === 1 ? '' : 's'}`;
  if (pausedUntil !== undefined) {
    const until = new Date(pausedUntil).toLocaleTimeString();
    return {
      text: '$(debug-pause) 429',
      tooltip:
        `Plivo answered 429 Too Many Requests: nothing more is sent to this account until ${until}` +
        `${queued > 0 ? `, then the ${waiting} waiting go, Record and Stop first` : ''}. Plivo allows ` +
        `${PLIVO_RATE_LIMIT.requests} requests per ${PLIVO_RATE_LIMIT.windowMs / 1000} s per account, shared by ` +
        'your own app and every tool using these credentials.',
      label: `paused by Plivo's rate limit until ${until}`,
      warning: true,
    };
  }
  if (queued === 0) return undefined;
  return {
    text: `$(watch) ${queued.toLocaleString('en-US')}`,
    tooltip:
      `${waiting} ${queued === 1 ? 'waits' : 'wait'} for the request budget: the extension sends at most ` +
      `${maxRequests} per ${windowMs / 1000} s to this account (setting plivo.api.maxRequestsPer5s), so your own app ` +
      `keeps the rest of Plivo's ${PLIVO_RATE_LIMIT.requests}. Record and Stop go ahead of refreshes.`,
    label: `${waiting} waiting for the request budget`,
    warning: false,
  };
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
