import * as vscode from 'vscode';
import { disposeAll, type IDisposable } from '../common/lifecycle';
import type { Services } from '../services/container';
import type { FinishedRecording } from '../services/listenerService';
import { describeRecording } from '../services/recordingsStore';

async function offerRecording({ recording, recordUrl, callback }: FinishedRecording): Promise<void> {
  // Only known-safe text here: request fields could carry markdown links, which notifications render. The numbers
  // were formatted when the recording started, from the live call's details.
  const what = describeRecording(recording);
  const duration = recording.durationSeconds !== undefined ? `, ${recording.durationSeconds} s` : '';
  const choice = await vscode.window.showInformationMessage(
    `${what[0].toUpperCase()}${what.slice(1)} is done${duration} (callback signature ${callback.signature.state}).`,
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
