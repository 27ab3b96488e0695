import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import type { FinishedRecording } from '../services/listenerService';

async function offerRecording(services: Services, { recordUrl, callback }: FinishedRecording): Promise<void> {
  // Only known-safe text here: request fields could carry markdown links, which notifications render.
  const choice = await vscode.window.showInformationMessage(
    `A recording started from this workspace is done (callback signature ${callback.signature.state}).`,
    'Play Recording',
    'Show Request',
  );
  const recording = services.recordings.all().find((r) => r.url === recordUrl);
  if (choice === 'Play Recording' && recording) {
    await vscode.commands.executeCommand('plivo.playRecording', { kind: 'recording', recording });
  }
  if (choice === 'Show Request') await vscode.commands.executeCommand('plivo.showCallback', callback.id);
}

/** Notifications about received callbacks: a recording from here is done; the saved history was unusable. */
export function registerCallbackNotifications(services: Services): IDisposable {
  const disposables: IDisposable[] = [
    services.listener.onDidFinishRecording((finished) => void offerRecording(services, finished)),
    services.callbacks.onDidWarn(
      (warning) => void vscode.window.showWarningMessage(`Plivo callback history: ${warning}`),
    ),
  ];
  return { dispose: () => disposeAll(disposables) };
}
