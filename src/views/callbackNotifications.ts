import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import type { FinishedRecording } from '../services/listenerService';

async function offerRecording({ recordUrl, callback }: FinishedRecording): Promise<void> {
  // Only known-safe text here: request fields could carry markdown links, which notifications render.
  const choice = await vscode.window.showInformationMessage(
    `A recording started from this workspace is done (callback signature ${callback.signature.state}).`,
    'Open Recording',
    'Show Request',
  );
  if (choice === 'Open Recording') await vscode.env.openExternal(vscode.Uri.parse(recordUrl));
  if (choice === 'Show Request') await vscode.commands.executeCommand('plivo.showCallback', callback.id);
}

/** Notifications about received callbacks: a recording from here is done; the saved history was unusable. */
export function registerCallbackNotifications(services: Services): IDisposable {
  const disposables: IDisposable[] = [
    services.listener.onDidFinishRecording((finished) => void offerRecording(finished)),
    services.callbacks.onDidWarn(
      (warning) => void vscode.window.showWarningMessage(`Plivo callback history: ${warning}`),
    ),
  ];
  return { dispose: () => disposeAll(disposables) };
}
