import * as vscode from 'vscode';
import { callUuidProblem, describeFilter, numberFilterProblem, parseDayRange, type RecordingsFilter } from '../plivo';
import type { Services } from '../services/container';
import { recordingRef } from '../services/recordingFiles';
import type { Views } from '../views';
import type { CallsTreeNode } from '../views/callsTree';
import type { RecordingsTreeNode } from '../views/recordingsTree';
import { transcriptUri } from '../views/transcriptDocument';
import type { Handler } from '.';
import { deleteRecording } from './deleteRecording';
import { resolveRecording, type RecordingArg } from './pickRecording';
import { openRecording, playRecording, saveRecording } from './playRecording';
import { showError } from './showError';

/** Plivo: Refresh Recordings. */
export async function refreshRecordings(services: Services): Promise<void> {
  const list = services.recordingsList;
  await vscode.window.withProgress({ location: { viewId: 'plivo.recordings' } }, () => list.refresh('user'));
  if (list.status.kind === 'error') void showError(list.status.error, services.log, () => refreshRecordings(services));
}

/** The "Load more…" row: the next 20. */
export async function loadMoreRecordings(services: Services): Promise<void> {
  try {
    await services.recordingsList.loadMore();
  } catch (error) {
    void showError(error, services.log, () => loadMoreRecordings(services));
  }
}

interface FilterPick extends vscode.QuickPickItem {
  field: 'callUuid' | 'fromNumber' | 'toNumber' | 'days' | 'clear';
}

/** Asks for one filter field; undefined when cancelled. */
async function askFilter(services: Services): Promise<RecordingsFilter | undefined> {
  const current = services.recordingsList.filter;
  const items: FilterPick[] = [
    { label: '$(symbol-key) Call UUID…', description: current.callUuid, field: 'callUuid' },
    { label: '$(arrow-right) From number…', description: current.fromNumber, field: 'fromNumber' },
    { label: '$(arrow-left) To number…', description: current.toNumber, field: 'toNumber' },
    {
      label: '$(calendar) Date range…',
      description:
        current.fromDay || current.toDay
          ? describeFilter({ fromDay: current.fromDay, toDay: current.toDay })
          : undefined,
      field: 'days',
    },
  ];
  if (services.recordingsList.filtered) items.push({ label: '$(clear-all) Clear the filter', field: 'clear' });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Filter Recordings',
    placeHolder: services.recordingsList.filtered
      ? `Now: ${describeFilter(current)}. Narrow by…`
      : 'Show only the recordings of a call, a number or a date range',
  });
  if (!picked) return undefined;
  if (picked.field === 'clear') return {};
  if (picked.field === 'days') {
    const text = await vscode.window.showInputBox({
      title: 'Filter Recordings: date range',
      prompt: 'A day, a range, today, yesterday, or the last N days',
      placeHolder: '2026-11-25   2026-11-20..2026-11-25   2026-11-20..   today   7d',
      ignoreFocusOut: true,
      validateInput: (value) => {
        const range = parseDayRange(value);
        return 'problem' in range ? range.problem : undefined;
      },
    });
    if (text === undefined) return undefined;
    const range = parseDayRange(text);
    return 'problem' in range ? undefined : { ...current, fromDay: range.fromDay, toDay: range.toDay };
  }
  const isCall = picked.field === 'callUuid';
  const text = await vscode.window.showInputBox({
    title: `Filter Recordings: ${isCall ? 'call UUID' : picked.field === 'fromNumber' ? 'from number' : 'to number'}`,
    prompt: isCall ? 'The call whose recordings to show' : 'E.164 number (14155550101) or SIP endpoint',
    value: current[picked.field],
    ignoreFocusOut: true,
    validateInput: (value) => (isCall ? callUuidProblem(value.trim()) : numberFilterProblem(value)),
  });
  if (text === undefined) return undefined;
  return { ...current, [picked.field]: text.trim() };
}

/** Plivo: Filter Recordings… — by call UUID, number or date range (`filter` skips the questions). */
export async function filterRecordings(services: Services, filter?: RecordingsFilter): Promise<void> {
  const next = filter ?? (await askFilter(services));
  if (!next) return;
  await services.recordingsList.setFilter(next);
  if (services.recordingsList.status.kind === 'error') {
    void showError(services.recordingsList.status.error, services.log, () => filterRecordings(services, next));
  }
}

/** Plivo: Clear Recordings Filter. */
export async function clearRecordingsFilter(services: Services): Promise<void> {
  if (services.recordingsList.filtered) await services.recordingsList.clearFilter();
}

/** Plivo: Show Transcript — the transcript as a read-only text document. */
export async function showTranscript(services: Services, arg?: RecordingArg): Promise<vscode.TextEditor | undefined> {
  const { transcripts } = services;
  const ref = await resolveRecording(
    services,
    arg,
    'Show Transcript',
    (r) => !!transcripts.forRecording(recordingRef(r)),
  );
  if (!ref) return undefined;
  const transcript = transcripts.forRecording(ref);
  if (!transcript) {
    void vscode.window.showInformationMessage(
      `No transcript has arrived for the recording ${ref.title}. Record with transcription on and the callback listener as transcription URL.`,
    );
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(transcriptUri(transcript, ref.title));
  return vscode.window.showTextDocument(document, { preview: true });
}

/** Show Call: selects a recording's call in Calls while it is live. */
export async function showRecordingCall(services: Services, views: Views, node?: RecordingsTreeNode): Promise<void> {
  if (node?.kind !== 'stored') {
    void vscode.window.showInformationMessage('Use Show Call on a recording in the Recordings view.');
    return;
  }
  const call = services.calls.find(node.recording.callUuid);
  if (!call) {
    void vscode.window.showInformationMessage('That call has ended; its recording is the one in the Recordings view.');
    return;
  }
  await views.calls.view.reveal({ kind: 'call', call }, { select: true, focus: true });
}

/** Dismiss (an ended call in Calls): stops waiting for Plivo to list its recordings. */
export async function dismissEndedCall(services: Services, node?: CallsTreeNode): Promise<void> {
  if (node?.kind !== 'endedCall') return;
  await services.recordingsList.dismiss(node.recordings);
}

/** Commands of the Recordings view and of recording rows in both views. */
export const recordingsCommands: Record<string, Handler> = {
  'plivo.refreshRecordings': (s) => refreshRecordings(s),
  'plivo.loadMoreRecordings': (s) => loadMoreRecordings(s),
  'plivo.filterRecordings': (s, _v, filter) => filterRecordings(s, filter),
  'plivo.clearRecordingsFilter': (s) => clearRecordingsFilter(s),
  'plivo.playRecording': (s, _v, arg) => playRecording(s, arg),
  'plivo.openRecording': (s, _v, arg) => openRecording(s, arg),
  'plivo.saveRecording': (s, _v, arg, target) => saveRecording(s, arg, target),
  // Tests pass a confirmation in place of the modal dialog; menus pass only the row.
  'plivo.deleteRecording': (s, _v, arg, confirm) =>
    deleteRecording(s, arg, typeof confirm === 'function' ? confirm : undefined),
  'plivo.showTranscript': (s, _v, arg) => showTranscript(s, arg),
  'plivo.showRecordingCall': (s, v, node) => showRecordingCall(s, v, node),
  'plivo.dismissEndedCall': (s, _v, node) => dismissEndedCall(s, node),
};
