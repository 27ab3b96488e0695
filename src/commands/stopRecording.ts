import * as vscode from 'vscode';
import { callNumbers } from '../plivo';
import { describeRecording, isActive, type RecordingEntry } from '../services/recordingsStore';
import type { Services } from '../services/container';
import { markWalkthroughStep } from '../services/walkthrough';
import type { CallsTreeNode } from '../views/callsTree';
import { requireConnection } from './requireConnection';
import { showError } from './showError';

interface StopTarget {
  callUuid: string;
  /** Only this recording; all of the call's recordings when absent. */
  url?: string;
  /** For messages: `the recording on … started at …`, `all recordings on …`. */
  what: string;
}

interface StopPick extends vscode.QuickPickItem {
  targets: StopTarget[];
}

/**
 * Plivo: Stop Recording — on a call (all its recordings), on one recording (just that one), or from the palette
 * (a pick of the running recordings: one, all of a call's, or all of them).
 */
export async function stopRecording(services: Services, node?: CallsTreeNode): Promise<boolean> {
  const targets = node ? targetsOf(node) : await pickRecordingsToStop(services);
  if (!targets?.length) return false;
  const results = await Promise.all(targets.map((target) => stop(services, target)));
  const stopped = targets.filter((_, i) => results[i]);
  if (stopped.length) {
    // A confirmation where the eye already is, without a notification to dismiss.
    const what = stopped.length === 1 ? stopped[0].what : `the recordings on ${stopped.length} calls`;
    vscode.window.setStatusBarMessage(`$(debug-stop) Plivo: stopped ${what}`, 8000);
  }
  return results.every(Boolean);
}

async function stop(services: Services, target: StopTarget): Promise<boolean> {
  const connection = await requireConnection(services);
  if (!connection) return false;
  try {
    await vscode.window.withProgress({ location: { viewId: 'plivo.calls' } }, () =>
      connection.client.stopRecording(target.callUuid, { url: target.url }),
    );
  } catch (error) {
    void showError(error, services.log, () => stop(services, target));
    return false;
  }
  await services.recordings.markStopped(target.callUuid, target.url);
  services.recordingsList.recordingEnded();
  markWalkthroughStep('stopped');
  services.log.info(
    `Stopped ${target.what} (call ${target.callUuid}${target.url ? `, recording ${target.url}` : ''}).`,
  );
  return true;
}

function targetsOf(node: CallsTreeNode): StopTarget[] {
  if (node.kind === 'call') {
    return [{ callUuid: node.call.callUuid, what: `all recordings on ${callNumbers(node.call)}` }];
  }
  if (node.kind === 'recording') {
    const r = node.recording;
    return [{ callUuid: r.callUuid, url: r.url, what: describeRecording(r) }];
  }
  if (node.kind === 'endedCall') return [{ callUuid: node.callUuid, what: 'the recordings of the ended call' }];
  return [];
}

/** Only calls with recordings running; a call's only recording is offered on its own. */
async function pickRecordingsToStop(services: Services): Promise<StopTarget[] | undefined> {
  const running = services.recordings.all().filter((r) => isActive(r));
  if (!running.length) {
    void vscode.window.showInformationMessage('No recording started from this workspace is running.');
    return undefined;
  }
  const byCall = new Map<string, RecordingEntry[]>();
  for (const r of running) byCall.set(r.callUuid, [...(byCall.get(r.callUuid) ?? []), r]);
  const items: StopPick[] = [];
  for (const [callUuid, recordings] of byCall) {
    const call = services.calls.find(callUuid) ?? recordings[0];
    const numbers = call.from || call.to ? callNumbers(call) : 'a call';
    const single = recordings.length === 1 && recordings[0].url;
    if (!single) {
      items.push({
        label: `$(debug-stop) ${recordings.length === 1 ? 'The recording' : `All ${recordings.length} recordings`} on ${numbers}`,
        targets: [{ callUuid, what: `all recordings on ${numbers}` }],
      });
    }
    for (const r of recordings.filter((r) => r.url).sort((a, b) => b.startedAt - a.startedAt)) {
      items.push({
        label: `$(record) ${single ? numbers : `  Only the one started at ${new Date(r.startedAt).toLocaleTimeString()}`}`,
        description: single ? `started at ${new Date(r.startedAt).toLocaleTimeString()}` : undefined,
        detail: `${r.fileFormat} · ${r.timeLimit} s limit`,
        targets: [{ callUuid, url: r.url, what: describeRecording(r) }],
      });
    }
  }
  if (running.length > 1) {
    items.unshift({
      label: `$(debug-stop) All ${running.length} running recordings`,
      description: byCall.size > 1 ? `on ${byCall.size} calls` : undefined,
      targets: [...byCall.keys()].map((callUuid) => ({ callUuid, what: 'all recordings of a call' })),
    });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Stop Recording',
    placeHolder: 'Which recording should stop?',
    matchOnDescription: true,
  });
  return picked?.targets;
}
