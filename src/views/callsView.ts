import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import { ApiHostNotTrustedError } from '../services/connection';
import { liveCallCount } from '../plivo';
import { describeFilter, type CallsModel } from '../services/callsModel';
import type { Services } from '../services/container';
import { CallsTreeProvider, type CallsTreeNode } from './callsTree';

/** The Calls view, for commands that reveal or select in it. */
export interface CallsView extends IDisposable {
  readonly tree: CallsTreeProvider;
  readonly view: vscode.TreeView<CallsTreeNode>;
}

/**
 * The Calls view: the account in its description, load errors as its message, and the context keys its welcome
 * content and menus use. Nothing touches the network until the view is visible: calls poll only while it is.
 */
export function registerCallsView(services: Services): CallsView {
  const { calls, connection, recordings, recordingsList, sandbox } = services;
  const tree = new CallsTreeProvider(calls, recordings, sandbox, recordingsList);
  const view = vscode.window.createTreeView('plivo.calls', { treeDataProvider: tree, showCollapseAll: true });

  const updateAccount = async (): Promise<void> => {
    // A host still to be allowed has an account all the same: the view shows why nothing loads.
    const active = await connection
      .current()
      .catch((error: unknown) => (error instanceof ApiHostNotTrustedError ? error : undefined));
    view.description = active instanceof ApiHostNotTrustedError ? `⚠ ${active.host}` : active?.label;
    await Promise.all([
      vscode.commands.executeCommand('setContext', 'plivo.hasCredentials', active !== undefined),
      vscode.commands.executeCommand('setContext', 'plivo.sandboxActive', sandbox.active !== undefined),
      // The welcome text says where secrets live: the browser's storage in a browser-hosted editor.
      vscode.commands.executeCommand('setContext', 'plivo.secretsInBrowser', vscode.env.uiKind === vscode.UIKind.Web),
    ]);
  };
  const updateStatus = (): void => {
    const status = calls.status;
    view.message = callsMessage(calls);
    void vscode.commands.executeCommand('setContext', 'plivo.callsLoaded', status.kind === 'loaded');
  };

  const disposables: IDisposable[] = [
    tree,
    view,
    connection.onDidChange(() => void updateAccount()),
    calls.onDidChange(updateStatus),
    view.onDidChangeVisibility((e) => calls.setVisible(e.visible)),
  ];
  void updateAccount();
  calls.setVisible(view.visible);
  return { tree, view, dispose: () => disposeAll(disposables) };
}

/** `200 of 5,000 live calls` when the list shows part of them, and what a filter narrows it to; else nothing. */
function callsMessage(calls: CallsModel): string | undefined {
  const { shown, total, complete } = calls.page;
  const filter = calls.filter;
  if (calls.status.kind === 'signed-out' || (complete && !filter)) return undefined;
  const count = liveCallCount(shown, total, complete);
  return filter ? `Filtered, ${describeFilter(filter)}: ${count}` : count;
}
