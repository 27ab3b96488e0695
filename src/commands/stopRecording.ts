import * as vscode from 'vscode';
import { isActive, type RecordingEntry } from '../services/recordingsStore';
import type { Services } from '../services/container';
import { markWalkthroughStep } from '../services/walkthrough';
import type { CallsTreeNode } from '../views/callsTree';
import { requireConnection } from './requireConnection';
import { showError } from './showError';

interface StopTarget {
  callUuid: string;
  /** Only this recording; all of the call's recordings when absent. */
  url?: string;
}

interface StopPick extends vscode.QuickPickItem {
  target: StopTarget;
}

/** Plivo: Stop Recording — on a call (all its recordings), on one recording (just that one), or from the palette. */
export async function stopRecording(services: Services, node?: CallsTreeNode): Promise<boolean> {
  const target = node ? targetOf(node) : await pickRecordingToStop(services);
  if (!target) return false;
  return stop(services, target);
}

async function stop(services: Services, target: StopTarget): Promise<boolean> {
  const connection = await requireConnection(services);
  if (!connection) return false;
  const what = target.url ? `the recording ${target.url}` : `all recordings on call ${target.callUuid}`;
  try {
    await vscode.window.withProgress({ location: { viewId: 'plivo.calls' }, title: `Stopping ${what}…` }, () =>
      connection.client.stopRecording(target.callUuid, { url: target.url }),
    );
  } catch (error) {
    void showError(error, services.log, () => stop(services, target));
    return false;
  }
  await services.recordings.markStopped(target.callUuid, target.url);
  services.recordingsList.recordingEnded();
  markWalkthroughStep('stopped');
  services.log.info(`Stopped ${what} (204).`);
  vscode.window.setStatusBarMessage(`$(debug-stop) Plivo: stopped ${what}`, 8000);
  return true;
}

function targetOf(node: CallsTreeNode): StopTarget {
  if (node.kind === 'call') return { callUuid: node.call.callUuid };
  if (node.kind === 'endedCall') return { callUuid: node.callUuid };
  return { callUuid: node.recording.callUuid, url: node.recording.url };
}

async function pickRecordingToStop(services: Services): Promise<StopTarget | undefined> {
  if (!(await requireConnection(services))) return undefined;
  await vscode.window.withProgress({ location: { viewId: 'plivo.calls' } }, () => services.calls.refresh());
  const items: StopPick[] = [];
  for (const call of services.calls.calls) {
    items.push({
      label: `$(debug-stop) All recordings on ${call.from} → ${call.to}`,
      description: call.callUuid,
      target: { callUuid: call.callUuid },
    });
    for (const recording of services.recordings.forCall(call.callUuid).filter((r) => isActive(r) && r.url)) {
      items.push(recordingPick(recording));
    }
  }
  if (!items.length) {
    void vscode.window.showInformationMessage('There are no live calls whose recordings could be stopped.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Stop Recording',
    placeHolder: 'Which recording should stop?',
    matchOnDescription: true,
  });
  return picked?.target;
}

function recordingPick(recording: RecordingEntry): StopPick {
  return {
    label: `    $(record) Only ${recording.url?.split('/').pop()}`,
    description: recording.url,
    target: { callUuid: recording.callUuid, url: recording.url },
  };
}
