import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import { callUuidProblem, formatPhoneNumber } from '../plivo';
import { describeFilter, type CallsFilter } from '../services/callsModel';
import type { Services } from '../services/container';

interface FilterPick extends vscode.QuickPickItem {
  filter: CallsFilter | undefined;
}

/** Load More Calls (the "Load more…" row): the next page of live calls; a failure shows as the view's error row. */
export async function loadMoreCalls(services: Services): Promise<void> {
  await vscode.window.withProgress({ location: { viewId: 'plivo.calls' } }, () => services.calls.loadMore());
}

/**
 * Plivo: Filter Calls — by a number (from or to: Plivo filters the list), by direction, or by call UUID (one detail
 * request). Resolves to the filter applied, or undefined when cancelled.
 */
export async function filterCalls(services: Services): Promise<CallsFilter | 'cleared' | undefined> {
  const picked = await pickFilter(services.calls.filter);
  if (!picked) return undefined;
  await vscode.window.withProgress({ location: { viewId: 'plivo.calls' } }, () =>
    services.calls.setFilter(picked.filter),
  );
  return picked.filter ?? 'cleared';
}

function pickFilter(current: CallsFilter | undefined): Promise<FilterPick | undefined> {
  const quickPick = vscode.window.createQuickPick<FilterPick>();
  quickPick.title = 'Filter Calls';
  quickPick.placeholder = 'Type a phone number or a call UUID, or pick a direction';
  const fixed: FilterPick[] = [
    { label: '$(call-incoming) Inbound calls only', filter: { kind: 'direction', direction: 'inbound' } },
    { label: '$(call-outgoing) Outbound calls only', filter: { kind: 'direction', direction: 'outbound' } },
    ...(current
      ? [
          {
            label: '$(clear-all) Show all live calls',
            description: `now: ${describeFilter(current)}`,
            filter: undefined,
          },
        ]
      : []),
  ];
  const render = (): void => {
    quickPick.items = [...typedPicks(quickPick.value), ...fixed];
  };
  render();
  const disposables: IDisposable[] = [quickPick, quickPick.onDidChangeValue(render)];
  return new Promise<FilterPick | undefined>((resolve) => {
    disposables.push(
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0])),
      quickPick.onDidHide(() => resolve(undefined)),
    );
    quickPick.show();
  }).finally(() => disposeAll(disposables));
}

/** What the typed text can filter by: a number (from or to), or a call UUID. */
function typedPicks(typed: string): FilterPick[] {
  const text = typed.trim();
  if (!text) return [];
  if (!callUuidProblem(text)) {
    return [{ label: `$(search) Call ${text}`, alwaysShow: true, filter: { kind: 'uuid', callUuid: text } }];
  }
  // Plivo writes numbers as digits (E.164 without the plus); people type them with spaces, dashes, brackets.
  const digits = text.replace(/[\s\-().]/g, '').replace(/^\+/, '');
  if (!/^\d{3,15}$/.test(digits)) return [];
  const shown = formatPhoneNumber(digits);
  return [
    { label: `$(arrow-right) Calls from ${shown}`, alwaysShow: true, filter: { kind: 'from', number: digits } },
    { label: `$(arrow-left) Calls to ${shown}`, alwaysShow: true, filter: { kind: 'to', number: digits } },
  ];
}
