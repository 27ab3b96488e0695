import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import { settings } from '../services/settings';

/** The callback listener's status-bar item: where it listens (click copies the URL), or that it is off (click starts it). */
export function registerListenerStatusBar(services: Services): IDisposable {
  const { listener } = services;
  const item = vscode.window.createStatusBarItem('plivo.listener', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Plivo Callback Listener';

  const render = (): void => {
    if (listener.running) {
      const publicUrl = settings.listenerPublicUrl();
      item.text = `$(radio-tower) Plivo ${listener.url?.replace('http://', '')}`;
      item.tooltip = new vscode.MarkdownString(
        `Plivo callback listener is running at \`${listener.url}\`${publicUrl ? `, public URL \`${publicUrl}\`` : ''}.\n\nClick to copy the callback URL.`,
      );
      item.command = 'plivo.copyListenerUrl';
      item.backgroundColor = undefined;
    } else {
      item.text = '$(debug-disconnect) Plivo listener off';
      item.tooltip = 'Plivo callback listener is stopped. Click to start it.';
      item.command = 'plivo.startListener';
    }
    item.accessibilityInformation = {
      label: listener.running
        ? `Plivo callback listener running at ${listener.url}`
        : 'Plivo callback listener stopped',
    };
    item.show();
  };

  const disposables: IDisposable[] = [
    item,
    listener.onDidChangeState(render),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('plivo.listener.publicUrl')) render();
    }),
  ];
  render();
  return { dispose: () => disposeAll(disposables) };
}
