import * as vscode from 'vscode';
import { PlivoError } from '../plivo';
import type { Services } from '../services/container';
import type { RecordingRef } from '../services/recordingFiles';
import { resolveRecording, type RecordingArg } from './pickRecording';
import { requireConnection } from './requireConnection';
import { showError } from './showError';

/** `+1415… → +1415…, 25/11/2026, 16:40:12`: how the confirmation and messages name a recording. */
function nameOf(ref: RecordingRef): string {
  return ref.startedAt ? `${ref.title}, ${ref.startedAt.toLocaleString()}` : ref.title;
}

async function confirmDelete(ref: RecordingRef, account: string): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    `Delete the recording ${nameOf(ref)}?`,
    {
      modal: true,
      detail: `It is deleted from the Plivo account (${account}) and cannot be recovered. Recording ID ${ref.id}.`,
    },
    'Delete',
  );
  return choice === 'Delete';
}

export type DeleteOutcome = 'deleted' | 'already-deleted' | 'kept';

/**
 * Plivo: Delete Recording — after a modal confirmation naming it (`confirm` is replaceable for tests). The row
 * goes when Plivo deleted it or someone already had; a failed delete keeps it and says why.
 */
export async function deleteRecording(
  services: Services,
  arg?: RecordingArg,
  confirm: (ref: RecordingRef, account: string) => Promise<boolean> = confirmDelete,
): Promise<DeleteOutcome | undefined> {
  const ref = await resolveRecording(services, arg, 'Delete Recording');
  if (!ref) return undefined;
  if (!ref.isPlivoId) {
    void vscode.window.showInformationMessage(
      'Plivo has not listed this recording yet, so it cannot be deleted by its id; try again once it is in the Recordings view.',
    );
    return undefined;
  }
  const connection = await requireConnection(services);
  if (!connection) return undefined;
  if (!(await confirm(ref, connection.label))) return 'kept';
  return remove(services, ref);
}

async function remove(services: Services, ref: RecordingRef): Promise<DeleteOutcome> {
  const connection = await requireConnection(services);
  if (!connection) return 'kept';
  try {
    await vscode.window.withProgress({ location: { viewId: 'plivo.recordings' } }, () =>
      connection.client.deleteRecording(ref.id),
    );
  } catch (error) {
    if (error instanceof PlivoError && error.code === 'already-deleted') {
      await forget(services, ref);
      void vscode.window.showInformationMessage(
        `The recording ${nameOf(ref)} was already deleted, perhaps from the Plivo console or another client. It is gone from the list.`,
      );
      return 'already-deleted';
    }
    const message = `The recording ${nameOf(ref)} was not deleted: ${error instanceof Error ? error.message : String(error)}`;
    // Kept a PlivoError, so the message offers what helps with its cause (Retry, Set Credentials).
    void showError(
      error instanceof PlivoError ? new PlivoError(error.code, message, { ...error }) : new Error(message),
      services.log,
      () => remove(services, ref),
    );
    return 'kept';
  }
  await forget(services, ref);
  services.log.info(`Deleted recording ${ref.id} (204).`);
  vscode.window.setStatusBarMessage(`$(trash) Deleted the recording ${nameOf(ref)}`, 6000);
  return 'deleted';
}

/** The row, the cached file and any player of it go. */
async function forget(services: Services, ref: RecordingRef): Promise<void> {
  services.recordingsList.removeLocally(ref.id);
  const file = services.recordingFiles.cache.fileFor(ref.id, ref.format);
  const players = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.uri.fsPath === file);
  await vscode.window.tabGroups.close(players);
  await services.recordingFiles.forget(ref).catch(() => undefined);
}
