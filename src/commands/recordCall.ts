import * as vscode from 'vscode';
import { callNumbers, isLoopbackUrl, safeExternalUrl, type RecordOptions, type StartRecordingResult } from '../plivo';
import type { Services } from '../services/container';
import { settings } from '../services/settings';
import { markWalkthroughStep } from '../services/walkthrough';
import type { Views } from '../views';
import type { CallsTreeNode } from '../views/callsTree';
import { askRecordOptions, describeRecordOptions, refreshOptionUrls, rememberRecordOptions } from './askRecordOptions';
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
  via?: 'row',
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
  const call = services.calls.find(callUuid);
  const name = call ? callNumbers(call) : undefined;
  const asked =
    given ??
    (settings.askForRecordOptions()
      ? await askRecordOptions(services, name)
      : await confirmDefaults(via === 'row', name));
  if (!asked) return undefined;
  const options = await refreshOptionUrls(services, asked);
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
  const call = services.calls.find(callUuid);
  const onWhat = call ? `on ${callNumbers(call)}` : 'on the call';
  let result: StartRecordingResult;
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Starting a recording ${onWhat}…`,
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
  const entry = await services.recordings.addStarted(callUuid, options, result, {
    from: call?.from,
    to: call?.to,
    sandbox: connection.account.kind === 'sandbox',
  });
  markWalkthroughStep('recorded');
  services.log.info(
    `Recording ${result.kind === 'started' ? `started at ${result.url}` : 'requested in asynchronous mode'} on call ${callUuid} (api_id ${result.apiId}).`,
  );
  void revealRecording(services, views, entry.id);
  void announce(onWhat, callUuid, result);
  return result;
}

/** One notification per recording, naming the call by its numbers; identifiers only behind Copy. */
async function announce(onWhat: string, callUuid: string, result: StartRecordingResult): Promise<void> {
  if (result.kind === 'async') {
    const choice = await vscode.window.showInformationMessage(
      `Recording requested ${onWhat}. Plivo sends the result to the callback URL.`,
      'Show Callbacks',
      'Copy Call UUID',
    );
    if (choice === 'Show Callbacks') await vscode.commands.executeCommand('plivo.callbacks.focus');
    if (choice === 'Copy Call UUID') await vscode.env.clipboard.writeText(callUuid);
    return;
  }
  // A loopback URL (the offline sandbox) cannot open in a browser elsewhere; it plays in the editor once it ends.
  const choice = await vscode.window.showInformationMessage(
    `Recording started ${onWhat}.`,
    ...(isLoopbackUrl(result.url) ? ['Copy URL'] : ['Open', 'Copy URL']),
  );
  if (choice === 'Copy URL') await vscode.env.clipboard.writeText(result.url);
  const safe = safeExternalUrl(result.url);
  if (choice === 'Open' && safe) await vscode.env.openExternal(vscode.Uri.parse(safe, true));
}

/**
 * Without the options question, a click (or Enter) on a call row asks once before recording: a stray click must not
 * record someone. The palette, menus and other code record at once, as asked.
 */
async function confirmDefaults(fromRow: boolean, name: string | undefined): Promise<RecordOptions | undefined> {
  const defaults = settings.recordDefaults();
  if (!fromRow) return defaults;
  const choice = await vscode.window.showQuickPick(
    [{ label: '$(record) Record', description: describeRecordOptions(defaults) }, { label: 'Cancel' }],
    { title: `Record ${name ?? 'the call'}?` },
  );
  return choice?.label === '$(record) Record' ? defaults : undefined;
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
