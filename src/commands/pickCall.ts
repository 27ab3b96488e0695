import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import { callDuration, callNumbers, callUuidProblem, type LiveCall } from '../plivo';
import type { Services } from '../services/container';
import { showError } from './showError';

interface CallPick extends vscode.QuickPickItem {
  callUuid: string;
}

/**
 * Lets the user pick one of the live calls, or type any call UUID (for a call the list does not show yet).
 * Resolves undefined when cancelled.
 */
export async function pickCall(services: Services, title: string): Promise<string | undefined> {
  const quickPick = vscode.window.createQuickPick<CallPick>();
  quickPick.title = title;
  quickPick.placeholder = 'Pick a live call, or paste a call UUID';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.ignoreFocusOut = true;
  quickPick.busy = true;
  let callItems: CallPick[] = services.calls.calls.map(toPick);
  const render = (): void => {
    const typed = quickPick.value.trim();
    const typedItem: CallPick[] =
      typed && !callItems.some((c) => c.callUuid === typed)
        ? [
            {
              label: `$(edit) Use call UUID ${typed}`,
              callUuid: typed,
              alwaysShow: true,
              detail: callUuidProblem(typed),
            },
          ]
        : [];
    quickPick.items = [...typedItem, ...callItems];
  };
  render();
  const disposables: IDisposable[] = [quickPick, quickPick.onDidChangeValue(render)];
  try {
    void services.calls.refresh().then(() => {
      if (services.calls.status.kind === 'error') {
        const { error } = services.calls.status as { error: unknown };
        quickPick.placeholder = `Could not list live calls (${error instanceof Error ? error.message : String(error)}); paste a call UUID`;
      }
      callItems = services.calls.calls.map(toPick);
      quickPick.busy = false;
      render();
    });
    quickPick.show();
    const picked = await new Promise<CallPick | undefined>((resolve) => {
      disposables.push(
        quickPick.onDidAccept(() => {
          const item = quickPick.selectedItems[0];
          if (item && callUuidProblem(item.callUuid)) {
            void showError(new Error(callUuidProblem(item.callUuid)), services.log);
            return;
          }
          resolve(item);
        }),
        quickPick.onDidHide(() => resolve(undefined)),
      );
    });
    return picked?.callUuid;
  } finally {
    disposeAll(disposables);
  }
}

function toPick(call: LiveCall): CallPick {
  return {
    label: `$(${call.direction === 'inbound' ? 'call-incoming' : 'call-outgoing'}) ${callNumbers(call)}`,
    description: [call.direction, callDuration(call)].filter(Boolean).join(' · '),
    // The numbers as Plivo writes them too, so that typed digits find the call.
    detail: `${call.from} → ${call.to} · ${call.callUuid}`,
    callUuid: call.callUuid,
  };
}
