import * as vscode from 'vscode';
import type { CallbackFilter } from '../callbacks';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import { RunOnceScheduler } from '../common/runOnceScheduler';
import { describeSource, type CallbackUrlState } from '../services/callbackUrls';
import type { Services } from '../services/container';
import { CALLBACK_SCHEME, CallbackDocumentProvider } from './callbacksDocument';
import { CallbacksTreeProvider, type CallbacksTreeNode } from './callbacksTree';
import { shortBase } from './listenerStatusBar';

const GROUPED_KEY = 'plivo.callbacks.groupByCall';
/** How long a new callback's count waits for more before the badge shows it. */
const BADGE_DELAY_MS = 250;

/** `abc.ngrok-free.app (ngrok tunnel)`, `127.0.0.1:8787 (local only)`, or `listener stopped`. */
export function listenerDescription(
  running: boolean,
  state: Pick<CallbackUrlState, 'url' | 'source' | 'tunnel'>,
): string {
  if (!running || !state.url) return 'listener stopped';
  return `${shortBase(state.url)} (${describeSource(state)})`;
}

/** The Callbacks view, for commands that change what it shows. */
export interface CallbacksView extends IDisposable {
  readonly tree: CallbacksTreeProvider;
  readonly view: vscode.TreeView<CallbacksTreeNode>;
  setGrouped(grouped: boolean): void;
  setFilter(query: string | undefined, filter?: CallbackFilter): void;
}

/**
 * The Callbacks view and its read-only request documents. Its description is the URL callbacks go to (and any
 * filter); its message says when received callbacks cannot be saved. Nothing is read from disk here: the
 * history loads when the view (or a request document) is first shown.
 */
export function registerCallbacksView(services: Services): CallbacksView {
  const { callbacks, listener, urls, context } = services;
  const tree = new CallbacksTreeProvider(callbacks);
  tree.grouped = context.workspaceState.get<boolean>(GROUPED_KEY, true);
  const view = vscode.window.createTreeView('plivo.callbacks', { treeDataProvider: tree, showCollapseAll: true });
  const documents = new CallbackDocumentProvider(callbacks);

  let unseen = 0;
  const describe = (): void => {
    const where = listenerDescription(listener.running, urls.current);
    view.description = tree.filterQuery ? `${where} · filter: ${tree.filterQuery}` : where;
  };
  const showSaveProblem = (): void => {
    const problem = callbacks.saveProblem;
    view.message = problem
      ? `⚠ Received callbacks are not being saved (${problem}). They are kept in memory, applied and forwarded; saving is retried with each callback.`
      : undefined;
  };
  const setBadge = (): void => {
    badgeUpdate.cancel();
    view.badge =
      unseen > 0 ? { value: unseen, tooltip: `${unseen} new callback${unseen === 1 ? '' : 's'}` } : undefined;
  };
  const badgeUpdate = new RunOnceScheduler(setBadge, BADGE_DELAY_MS);
  const setContext = (key: string, value: unknown): void =>
    void vscode.commands.executeCommand('setContext', key, value);

  const disposables: IDisposable[] = [
    tree,
    view,
    documents,
    vscode.workspace.registerTextDocumentContentProvider(CALLBACK_SCHEME, documents),
    listener.onDidChangeState(() => {
      describe();
      setContext('plivo.listenerRunning', listener.running);
    }),
    urls.onDidChange(describe),
    callbacks.onDidChangeSaveProblem(showSaveProblem),
    // Callbacks that arrive while the view is hidden are counted on its badge until it is shown. Each badge is a
    // message to the window: a burst updates it once per BADGE_DELAY_MS, not once per callback.
    listener.onDidReceive(() => {
      if (view.visible) return;
      unseen++;
      badgeUpdate.schedule();
    }),
    badgeUpdate,
    view.onDidChangeVisibility((e) => {
      if (!e.visible) return;
      unseen = 0;
      setBadge();
    }),
  ];
  describe();
  showSaveProblem();
  setContext(GROUPED_KEY, tree.grouped);
  setContext('plivo.callbacks.filtered', false);
  return {
    tree,
    view,
    setGrouped: (grouped) => {
      tree.grouped = grouped;
      setContext(GROUPED_KEY, grouped);
      void context.workspaceState.update(GROUPED_KEY, grouped);
    },
    setFilter: (query, filter) => {
      tree.setFilter(query, filter);
      setContext('plivo.callbacks.filtered', tree.filterQuery !== undefined);
      describe();
    },
    dispose: () => disposeAll(disposables),
  };
}
