import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import type { ListenerService } from '../services/listenerService';
import { settings } from '../services/settings';
import { CALLBACK_SCHEME, CallbackDocumentProvider } from './callbacksDocument';
import { CallbacksTreeProvider } from './callbacksTree';

/** `listening on 127.0.0.1:8787` (with the public URL when set), or `listener stopped`. */
export function listenerDescription(listener: Pick<ListenerService, 'running' | 'url'>): string {
  if (!listener.running) return 'listener stopped';
  const local = listener.url?.replace(/^http:\/\//, '') ?? '';
  const publicUrl = settings.listenerPublicUrl();
  return publicUrl
    ? `listening on ${local} via ${publicUrl.replace(/^https?:\/\//, '').replace(/\/+$/, '')}`
    : `listening on ${local}`;
}

/**
 * The Callbacks view and its read-only request documents. Nothing is read from disk here: the history
 * loads when the view (or a request document) is first shown.
 */
export function registerCallbacksView(services: Services): IDisposable {
  const { callbacks, listener } = services;
  const tree = new CallbacksTreeProvider(callbacks);
  const view = vscode.window.createTreeView('plivo.callbacks', { treeDataProvider: tree });
  const documents = new CallbackDocumentProvider(callbacks);

  let unseen = 0;
  const describe = (): void => {
    view.description = listenerDescription(listener);
  };
  const setBadge = (): void => {
    view.badge =
      unseen > 0 ? { value: unseen, tooltip: `${unseen} new callback${unseen === 1 ? '' : 's'}` } : undefined;
  };

  const disposables: IDisposable[] = [
    tree,
    view,
    documents,
    vscode.workspace.registerTextDocumentContentProvider(CALLBACK_SCHEME, documents),
    listener.onDidChangeState(() => {
      describe();
      void vscode.commands.executeCommand('setContext', 'plivo.listenerRunning', listener.running);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('plivo.listener.publicUrl')) describe();
    }),
    // Callbacks that arrive while the view is hidden are counted on its badge until it is shown.
    listener.onDidReceive(() => {
      if (view.visible) return;
      unseen++;
      setBadge();
    }),
    view.onDidChangeVisibility((e) => {
      if (!e.visible) return;
      unseen = 0;
      setBadge();
    }),
  ];
  describe();
  return { dispose: () => disposeAll(disposables) };
}
