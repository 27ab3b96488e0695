import * as vscode from 'vscode';
import { isLoopbackUrl, type RecordOptions, type StartRecordingResult } from '../plivo';
import type { Services } from '../services/container';
import { settings } from '../services/settings';
import { markWalkthroughStep } from '../services/walkthrough';
import type { Views } from '../views';
import type { CallsTreeNode } from '../views/callsTree';
import { askRecordOptions, rememberRecordOptions } from './askRecordOptions';
import { pickCall } from './pickCall';
import { requireConnection } from './requireConnection';
import { showError } from './showError';

/**
 * Plivo: Record Call — from the palette (picks a call), the call's menu (node), or a keybinding / other code
 * (a call UUID, and optionally the options, which skips the questions).
 */
export async function recordCall(
  services: Services,
  views: Views,
  target?: CallsTreeNode | string,
  given?: RecordOptions,
): Promise<StartRecordingResult | undefined> {
  const connection = await requireConnection(services);
  if (!connection) return undefined;
  const callUuid =
    typeof target === 'string'
      ? target
      : target?.kind === 'call'
        ? target.call.callUuid
        : await pickCall(services, 'Record Call');
  if (!callUuid) return undefined;
  const options =
    given ?? (settings.askForRecordOptions() ? await askRecordOptions(services, callUuid) : settings.recordDefaults());
  if (!options) return undefined;
  // Remembered before the request, so a failure never loses what was typed.
  await rememberRecordOptions(services, options);
  return start(services, views, callUuid, options);
}

async function start(
  services: Services,
  views: Views,
  callUuid: string,
  options: RecordOptions,
): Promise<StartRecordingResult | undefined> {
  const connection = await requireConnection(services);
  if (!connection) return undefined;
  let result: StartRecordingResult;
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Starting a recording on call ${callUuid}…`,
        cancellable: true,
      },
      (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return connection.client.startRecording(callUuid, options, abort.signal);
      },
    );
  } catch (error) {
    void showError(error, services.log, () => start(services, views, callUuid, options));
    return undefined;
  }
  const entry = await services.recordings.addStarted(callUuid, options, result);
  markWalkthroughStep('recorded');
  services.log.info(
    `Recording ${result.kind === 'started' ? `started at ${result.url}` : 'requested in asynchronous mode'} (api_id ${result.apiId}).`,
  );
  void revealRecording(services, views, entry.id);
  void announce(callUuid, result);
  return result;
}

async function announce(callUuid: string, result: StartRecordingResult): Promise<void> {
  if (result.kind === 'async') {
    const choice = await vscode.window.showInformationMessage(
      `Recording requested on call ${callUuid} in asynchronous mode (api_id ${result.apiId}). Plivo sends the result to the callback URL.`,
      'Show Callbacks',
    );
    if (choice) await vscode.commands.executeCommand('plivo.callbacks.focus');
    return;
  }
  // A loopback URL (the offline sandbox) cannot open in a browser elsewhere; it plays in the editor once it ends.
  const choice = await vscode.window.showInformationMessage(
    `Recording started on call ${callUuid}: ${result.url} (api_id ${result.apiId}).`,
    ...(isLoopbackUrl(result.url) ? ['Copy URL'] : ['Copy URL', 'Open']),
  );
  if (choice === 'Copy URL') await vscode.env.clipboard.writeText(result.url);
  if (choice === 'Open') await vscode.env.openExternal(vscode.Uri.parse(result.url));
}

async function revealRecording(services: Services, views: Views, id: string): Promise<void> {
  const recording = services.recordings.get(id);
  const { view } = views.calls;
  if (!recording || !view.visible || !services.calls.find(recording.callUuid)) return;
  try {
    await view.reveal({ kind: 'recording', recording }, { select: false, expand: true });
  } catch {
    // The call may have left the tree between the request and now; nothing to show then.
  }
}
