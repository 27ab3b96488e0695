import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import { RunOnceScheduler } from '../common/runOnceScheduler';
import { describeSource } from '../services/callbackUrls';
import type { Services } from '../services/container';

/** `abc.ngrok-free.app`, `127.0.0.1:8787`: a base URL as few characters as still tell it apart. */
export function shortBase(url: string): string {
  return url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

/** A burst changes the forwarding backlog with every callback; the item is redrawn at most this often meanwhile. */
const FORWARDING_REDRAW_MS = 250;

/** The listener's status-bar item, for tests to read (VS Code has no getter for it). */
export interface ListenerStatusBar extends IDisposable {
  readonly item: vscode.StatusBarItem;
}

/**
 * The callback listener's status-bar item: the URL callbacks go to and where it comes from (click copies it),
 * or that the listener is off (click starts it). Turns into a warning while the history cannot be saved, and counts
 * the callbacks waiting to be forwarded while the user's app answers more slowly than they arrive.
 */
export function registerListenerStatusBar(services: Services): ListenerStatusBar {
  const { listener, urls, callbacks } = services;
  const item = vscode.window.createStatusBarItem('plivo.listener', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Plivo Callback Listener';

  const render = (): void => {
    const { url, source, tunnel, warnings, errors } = urls.current;
    const saveProblem = callbacks.saveProblem;
    const tooltip = new vscode.MarkdownString();
    const { inFlight, waiting } = listener.forwarding;
    const backlog = waiting > 0 ? ` $(sync~spin) ${waiting.toLocaleString('en-US')}` : '';
    if (listener.running) {
      item.text = `$(${saveProblem ? 'warning' : 'radio-tower'}) Plivo ${shortBase(url ?? listener.url ?? '')}${backlog}`;
      tooltip.appendMarkdown('Plivo callback listener is running at ').appendText(listener.url ?? '');
      tooltip.appendMarkdown('.\n\nCallbacks go to ').appendText(url ?? '?');
      tooltip.appendMarkdown(` (${describeSource({ source, tunnel })}).`);
      for (const problem of [...errors, ...warnings]) tooltip.appendMarkdown('\n\n$(warning) ').appendText(problem);
      if (waiting > 0) tooltip.appendMarkdown('\n\n$(sync) ').appendText(forwardingText(inFlight, waiting));
      tooltip.appendMarkdown('\n\nClick to copy the callback URL.');
      item.command = 'plivo.copyListenerUrl';
    } else {
      item.text = `$(${saveProblem ? 'warning' : 'debug-disconnect'}) Plivo listener off`;
      tooltip.appendText('Plivo callback listener is stopped. Click to start it.');
      item.command = 'plivo.startListener';
    }
    if (saveProblem) {
      tooltip.appendMarkdown('\n\n$(warning) **Received callbacks are not being saved:** ').appendText(saveProblem);
      tooltip.appendMarkdown(
        '\n\nThey are kept in memory, applied and forwarded; saving is retried with each callback.',
      );
    }
    tooltip.supportThemeIcons = true;
    item.tooltip = tooltip;
    item.backgroundColor = saveProblem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.accessibilityInformation = {
      label: [
        listener.running
          ? `Plivo callback listener running, callbacks go to ${url ?? listener.url} (${describeSource({ source, tunnel })})`
          : 'Plivo callback listener stopped',
        waiting > 0 ? forwardingText(inFlight, waiting) : undefined,
        saveProblem ? `callbacks are not being saved: ${saveProblem}` : undefined,
      ]
        .filter(Boolean)
        .join('; '),
    };
    item.show();
  };

  const forwardingRedraw = new RunOnceScheduler(render, FORWARDING_REDRAW_MS);
  const disposables: IDisposable[] = [
    item,
    listener.onDidChangeState(render),
    urls.onDidChange(render),
    callbacks.onDidChangeSaveProblem(render),
    listener.onDidChangeForwarding(() => forwardingRedraw.schedule()),
    forwardingRedraw,
  ];
  render();
  return { item, dispose: () => disposeAll(disposables) };
}

function forwardingText(inFlight: number, waiting: number): string {
  return (
    `Forwarding to your app: ${inFlight} in flight, ${waiting.toLocaleString('en-US')} waiting. It answers more ` +
    'slowly than callbacks arrive; they go on oldest first.'
  );
}
