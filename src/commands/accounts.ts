import * as vscode from 'vscode';
import { defaultAccountLabel, maskAuthId, type AccountSummary } from '../accounts';
import { listSubaccountBatch, type Subaccount, type SubaccountBatch } from '../plivo';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import { requireConnection } from './requireConnection';
import { askLabelAndSave, setCredentials } from './setCredentials';
import { showError } from './showError';
import { secretsLocation } from '../services/secretsLocation';

type AccountPick = vscode.QuickPickItem & { run: () => PromiseLike<unknown> };

/** How an account reads in pickers and tooltips: `verified`, `not verified`, or where a virtual account comes from. */
function accountState(account: AccountSummary): string {
  if (account.kind === 'environment') return 'from PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN';
  if (account.kind === 'sandbox') return 'offline sandbox, simulated calls';
  return account.verified ? 'verified' : 'not verified';
}

/**
 * Plivo: Switch Account — every account with its masked Auth ID and whether it was verified, plus the offline
 * sandbox, adding an account, and the active main account's subaccounts.
 */
export async function switchAccount(services: Services): Promise<AccountSummary | undefined> {
  let accounts: AccountSummary[];
  try {
    accounts = await services.accounts.list();
  } catch (error) {
    void showError(error, services.log);
    return undefined;
  }
  const active = accounts.find((a) => a.active);
  const picks: AccountPick[] = accounts.map((account) => ({
    label: `${account.active ? '$(check)' : kindIcon(account)} ${account.label}`,
    description: `${account.kind === 'sandbox' ? '' : `${account.maskedAuthId} · `}${accountState(account)}`,
    detail: account.active ? 'Active account' : undefined,
    run: () => activate(services, account),
  }));
  const sandboxListed = accounts.some((a) => a.kind === 'sandbox');
  const more: AccountPick[] = [
    ...(sandboxListed
      ? []
      : [
          {
            label: '$(beaker) Sandbox',
            description: 'start the offline sandbox, simulated calls',
            run: () => vscode.commands.executeCommand('plivo.startSandbox'),
          },
        ]),
    ...(active && canListSubaccounts(active)
      ? [
          {
            label: '$(organization) Subaccounts…',
            description: `of ${active.label}`,
            run: () => showSubaccounts(services),
          },
        ]
      : []),
    { label: '$(add) Add Account…', run: () => vscode.commands.executeCommand('plivo.addAccount') },
  ];
  const pick = await vscode.window.showQuickPick(
    [...picks, { label: '', kind: vscode.QuickPickItemKind.Separator, run: async () => undefined }, ...more],
    {
      title: 'Plivo: Switch Account',
      placeHolder: active ? `Active: ${active.label}. Pick the account to use` : 'Pick the account to use',
      matchOnDescription: true,
    },
  );
  await pick?.run();
  return services.accounts.active().catch(() => undefined);
}

async function activate(services: Services, account: AccountSummary): Promise<void> {
  if (account.active) return;
  try {
    await services.accounts.setActive(account.id);
  } catch (error) {
    void showError(error, services.log);
    return;
  }
  services.log.info(`Switched to the Plivo account ${account.label} (${account.maskedAuthId}).`);
  vscode.window.setStatusBarMessage(`$(account) Plivo: now using ${account.label}`, 5000);
}

function kindIcon(account: AccountSummary): string {
  if (account.kind === 'sandbox') return '$(beaker)';
  if (account.kind === 'environment') return '$(terminal)';
  return account.isSubaccount ? '$(person)' : '$(account)';
}

/** A main account (saved, Environment or the sandbox's) can list its subaccounts. */
function canListSubaccounts(account: AccountSummary): boolean {
  return !account.isSubaccount;
}

/** Plivo: Remove Account — forgets a saved account and its token, after a modal confirmation. */
export async function removeAccount(services: Services, id?: string): Promise<boolean> {
  let saved: AccountSummary[];
  try {
    saved = (await services.accounts.list()).filter((a) => a.kind === 'saved');
  } catch (error) {
    void showError(error, services.log);
    return false;
  }
  if (saved.length === 0) {
    void vscode.window.showInformationMessage('No Plivo account is saved in the keychain.');
    return false;
  }
  const account =
    saved.find((a) => a.id === id) ??
    (
      await vscode.window.showQuickPick(
        saved.map((a) => ({ label: a.label, description: `${a.maskedAuthId} · ${accountState(a)}`, account: a })),
        { title: 'Plivo: Remove Account', placeHolder: 'Pick the account to forget' },
      )
    )?.account;
  if (!account) return false;
  const choice = await vscode.window.showWarningMessage(
    `Remove the Plivo account ${account.label} (${account.maskedAuthId}) and its Auth Token from ${secretsLocation()}?`,
    { modal: true, detail: 'Other saved accounts are kept. You can add it again with its Auth ID and Auth Token.' },
    'Remove',
  );
  if (choice !== 'Remove') return false;
  try {
    await services.accounts.remove(account.id);
  } catch (error) {
    void showError(error, services.log);
    return false;
  }
  const next = await services.accounts.active().catch(() => undefined);
  services.log.info(`Account ${account.label} (${account.maskedAuthId}) removed from ${secretsLocation()}.`);
  void vscode.window.showInformationMessage(
    `Removed ${account.label}.${next ? ` The active account is now ${next.label}.` : ''}`,
  );
  return true;
}

/** Plivo: Sign Out — removes the active saved account (Remove Account for the one in use). */
export async function signOut(services: Services): Promise<boolean> {
  const active = await services.accounts.active().catch(() => undefined);
  if (active?.kind !== 'saved') {
    void vscode.window.showInformationMessage(
      active
        ? `The active account ${active.label} is not saved in the keychain, so there is nothing to sign out of.`
        : 'No Plivo account is saved in the keychain.',
    );
    return false;
  }
  return removeAccount(services, active.id);
}

interface SubaccountPick extends vscode.QuickPickItem {
  sub?: Subaccount;
  account?: AccountSummary;
}

/**
 * Plivo: Show Subaccounts — the active main account's subaccounts (Plivo's Subaccount API), 100 at a time with
 * "Load more…" at the end, so a reseller's thousands are all reachable. Picking one switches to it when it is saved,
 * else offers to add it with the token Plivo returns to its main account.
 */
export async function showSubaccounts(services: Services): Promise<AccountSummary | undefined> {
  const connection = await requireConnection(services);
  if (!connection) return undefined;
  const main = connection.account;
  if (!canListSubaccounts(main)) {
    void vscode.window.showInformationMessage(
      `${main.label} is a subaccount: subaccounts are listed for a main account (MA…). Switch to its main account first.`,
    );
    return undefined;
  }
  const listBatch = (offset: number) =>
    listSubaccountBatch((options) => connection.client.listSubaccounts(options), offset);
  let first: SubaccountBatch;
  try {
    first = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Listing the subaccounts of ${main.label}…` },
      () => listBatch(0),
    );
  } catch (error) {
    void showError(error, services.log, () => showSubaccounts(services));
    return undefined;
  }
  if (first.subaccounts.length === 0) {
    void vscode.window.showInformationMessage(`${main.label} has no subaccounts.`);
    return undefined;
  }
  // The sandbox's subaccounts are accounts of their own while it runs; a real account's must be saved.
  const known = (await services.accounts.list().catch(() => [])).filter((a) =>
    main.kind === 'sandbox' ? a.kind === 'sandbox' : a.kind === 'saved',
  );
  const pick = await pickSubaccount(main, first, listBatch, known, services);
  if (!pick?.sub) return undefined;
  if (pick.account) {
    await activate(services, pick.account);
    return pick.account;
  }
  return addSubaccount(services, pick.sub);
}

/** The subaccounts listed so far, with "Load more…" while Plivo has more; the typed filter survives each load. */
function pickSubaccount(
  main: AccountSummary,
  first: SubaccountBatch,
  listBatch: (offset: number) => Promise<SubaccountBatch>,
  known: AccountSummary[],
  services: Services,
): Promise<SubaccountPick | undefined> {
  const quickPick = vscode.window.createQuickPick<SubaccountPick>();
  quickPick.title = `Subaccounts of ${main.label}`;
  quickPick.matchOnDescription = true;
  let listed: SubaccountPick[] = [];
  let nextOffset: number | undefined;
  const loadMore: SubaccountPick = { label: '$(ellipsis) Load more subaccounts…', alwaysShow: true };
  const add = (batch: SubaccountBatch): void => {
    listed = [...listed, ...batch.subaccounts.map((sub) => subaccountPick(sub, known))];
    nextOffset = batch.nextOffset;
    loadMore.description = `${listed.length} listed`;
    quickPick.placeholder =
      nextOffset === undefined
        ? 'Pick a subaccount to switch to it'
        : `The first ${listed.length} subaccounts; pick one to switch to it, or load more`;
    quickPick.items = nextOffset === undefined ? listed : [...listed, loadMore];
  };
  add(first);
  const disposables: IDisposable[] = [quickPick];
  let closed = false;
  return new Promise<SubaccountPick | undefined>((resolve) => {
    disposables.push(
      quickPick.onDidAccept(async () => {
        const picked = quickPick.selectedItems[0];
        if (picked !== loadMore) return resolve(picked);
        if (quickPick.busy || nextOffset === undefined) return;
        const shownBefore = listed.length;
        quickPick.busy = true;
        try {
          const batch = await listBatch(nextOffset);
          if (closed) return;
          add(batch);
          // Carry on from the first new row, as in a list that grew.
          quickPick.activeItems = listed.slice(shownBefore, shownBefore + 1);
        } catch (error) {
          void showError(error, services.log);
        } finally {
          quickPick.busy = false;
        }
      }),
      quickPick.onDidHide(() => {
        closed = true;
        resolve(undefined);
      }),
    );
    quickPick.show();
  }).finally(() => disposeAll(disposables));
}

function subaccountPick(sub: Subaccount, known: AccountSummary[]): SubaccountPick {
  const account = known.find((a) => a.authId === sub.authId);
  return {
    label: `${account?.active ? '$(check)' : '$(person)'} ${sub.name || maskAuthId(sub.authId)}`,
    description: `${maskAuthId(sub.authId)} · ${account ? `saved as ${account.label}` : 'not saved'}${sub.enabled ? '' : ' · disabled'}`,
    sub,
    account,
  };
}

async function addSubaccount(services: Services, sub: Subaccount): Promise<AccountSummary | undefined> {
  const label = sub.name || defaultAccountLabel(sub.authId);
  const choice = await vscode.window.showInformationMessage(
    `${label} (${maskAuthId(sub.authId)}) is not saved yet. Add it with the Auth Token Plivo gives its main account, or type its token?`,
    'Add',
    'Type Token…',
  );
  if (choice === 'Type Token…') return setCredentials(services, { authId: sub.authId });
  if (choice !== 'Add') return undefined;
  const connection = await requireConnection(services);
  if (!connection) return undefined;
  try {
    const { authToken } = await connection.client.getSubaccount(sub.authId);
    return await askLabelAndSave(services, { authId: sub.authId, authToken }, true, label);
  } catch (error) {
    void showError(error, services.log, () => addSubaccount(services, sub));
    return undefined;
  }
}
