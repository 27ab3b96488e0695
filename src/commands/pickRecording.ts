import * as vscode from 'vscode';
import { formatDurationMs, recordingStart, recordingTitle, type Recording } from '../plivo';
import type { Services } from '../services/container';
import { recordingRef, type RecordingRef } from '../services/recordingFiles';
import { effectiveState } from '../services/recordingsStore';
import type { CallsTreeNode } from '../views/callsTree';
import type { RecordingsTreeNode } from '../views/recordingsTree';
import { showError } from './showError';

/** A recording row of either view, a Recordings row's transcript, or a recording id (keybindings, other code). */
export type RecordingArg = CallsTreeNode | RecordingsTreeNode | string | undefined;

/**
 * The recording an argument names, or (with none) the one the user picks from the Recordings list.
 * Undefined after saying why when the argument cannot be used, or when the pick is cancelled.
 */
export async function resolveRecording(
  services: Services,
  arg: RecordingArg,
  title: string,
  only?: (r: Recording) => boolean,
): Promise<RecordingRef | undefined> {
  if (arg === undefined) return pickRecording(services, title, only);
  if (typeof arg === 'string') {
    const recording = services.recordingsList.find(arg);
    if (!recording) void vscode.window.showWarningMessage(`Recording ${arg} is not in the Recordings view.`);
    return recording && recordingRef(recording);
  }
  if (arg.kind === 'stored' || arg.kind === 'transcript') return recordingRef(arg.recording);
  if (arg.kind !== 'recording') return undefined;
  const entry = arg.recording;
  const state = effectiveState(entry);
  if (!entry.url || state === 'recording' || state === 'pending') {
    void vscode.window.showInformationMessage(
      entry.url
        ? 'This recording is still running; it can be played once it ends.'
        : 'Plivo has not said where this recording is yet (asynchronous mode): it can be played once its callback arrives.',
    );
    return undefined;
  }
  const listed = entry.recordingId ? services.recordingsList.find(entry.recordingId) : undefined;
  if (listed) return recordingRef(listed);
  const call = services.calls.find(entry.callUuid);
  return {
    id: entry.recordingId ?? entry.apiId,
    isPlivoId: entry.recordingId !== undefined,
    callUuid: entry.callUuid,
    url: entry.url,
    format: entry.fileFormat,
    title: call ? `${call.from || 'unknown'} → ${call.to || 'unknown'}` : `Call ${entry.callUuid}`,
    startedAt: new Date(entry.startedAt),
    durationMs: entry.durationSeconds !== undefined ? entry.durationSeconds * 1000 : undefined,
  };
}

interface RecordingPick extends vscode.QuickPickItem {
  recording: Recording;
}

/** A quick pick of the loaded Recordings list (loading it first when it never was). */
async function pickRecording(
  services: Services,
  title: string,
  only: (r: Recording) => boolean = () => true,
): Promise<RecordingRef | undefined> {
  const list = services.recordingsList;
  if (list.status.kind !== 'loaded') {
    await vscode.window.withProgress({ location: { viewId: 'plivo.recordings' } }, () => list.refresh());
  }
  if (list.status.kind === 'error') {
    void showError(list.status.error, services.log);
    return undefined;
  }
  if (list.status.kind === 'signed-out') {
    void vscode.window.showInformationMessage(
      'Set your Plivo credentials or use the offline sandbox to see recordings.',
    );
    return undefined;
  }
  const items: RecordingPick[] = list.recordings.filter(only).map((recording) => ({
    label: recordingTitle(recording),
    description: [recordingStart(recording)?.toLocaleString(), formatDurationMs(recording.durationMs), recording.format]
      .filter(Boolean)
      .join(' · '),
    detail: recording.recordingId,
    recording,
  }));
  if (!items.length) {
    void vscode.window.showInformationMessage(
      list.recordings.length ? 'No recording in the Recordings view fits.' : 'There are no recordings to choose from.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Pick a recording',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked && recordingRef(picked.recording);
}
