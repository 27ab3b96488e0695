import * as vscode from 'vscode';
import { DownloadError, isLoopbackUrl, recordingFileName, safeExternalUrl } from '../plivo';
import type { Services } from '../services/container';
import type { DownloadedRecording, RecordingRef } from '../services/recordingFiles';
import { markWalkthroughStep } from '../services/walkthrough';
import { PLAYER_VIEW_TYPE } from '../views/recordingPlayer';
import { resolveRecording, type RecordingArg } from './pickRecording';
import { showError } from './showError';

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The recording's file in the cache: at once when it is there, else downloaded with a cancellable progress
 * notification. Failures are reported (with Retry where trying again can help); undefined then or when cancelled.
 */
export async function fetchRecording(services: Services, ref: RecordingRef): Promise<DownloadedRecording | undefined> {
  try {
    if (await services.recordingFiles.cache.lookup(ref.id, ref.format)) {
      return await services.recordingFiles.ensure(ref);
    }
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Downloading the recording ${ref.title}`,
        cancellable: true,
      },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        return services.recordingFiles.ensure(ref, abort.signal, ({ receivedBytes, totalBytes }) => {
          if (totalBytes) {
            const percent = Math.min(100, (receivedBytes / totalBytes) * 100);
            progress.report({
              increment: percent - reported,
              message: `${formatBytes(receivedBytes)} of ${formatBytes(totalBytes)}`,
            });
            reported = percent;
          } else {
            progress.report({ message: formatBytes(receivedBytes) });
          }
        });
      },
    );
    services.log.info(
      `Recording ${ref.id}: ${result.downloaded ? `downloaded ${result.bytes ?? 0} bytes` : 'from the cache'} in ${result.ms} ms.`,
    );
    return result;
  } catch (error) {
    if (error instanceof DownloadError && error.code === 'cancelled') return undefined;
    void showError(error, services.log, () => fetchRecording(services, ref));
    return undefined;
  }
}

/** Plivo: Play Recording — downloads the recording (once) and plays it in an editor tab. */
export async function playRecording(services: Services, arg?: RecordingArg): Promise<vscode.Uri | undefined> {
  const ref = await resolveRecording(services, arg, 'Play Recording');
  return ref && play(services, ref);
}

async function play(services: Services, ref: RecordingRef): Promise<vscode.Uri | undefined> {
  const fetched = await fetchRecording(services, ref);
  if (!fetched) return undefined;
  const uri = vscode.Uri.file(fetched.file);
  await vscode.commands.executeCommand('vscode.openWith', uri, PLAYER_VIEW_TYPE, { preview: true });
  markWalkthroughStep('played');
  return uri;
}

/**
 * Open Recording: a public http(s) URL opens in the browser; anything only this machine can reach (the offline
 * sandbox, a local server) plays in the editor instead, since a browser elsewhere could not load it.
 */
export async function openRecording(services: Services, arg?: RecordingArg): Promise<void> {
  const ref = await resolveRecording(services, arg, 'Open Recording');
  if (!ref) return;
  // Only http(s) ever opens outside (the URL may have come from a callback), and only where a browser can reach it.
  const safe = safeExternalUrl(ref.url);
  const url = safe && !isLoopbackUrl(safe) ? safe : undefined;
  if (!url) {
    await play(services, ref);
    return;
  }
  if (!(await vscode.env.openExternal(vscode.Uri.parse(url, true)))) {
    void showError(new Error(`Could not open ${url}.`), services.log);
  }
}

/** Plivo: Save Recording As… — a save dialog defaulting to `<call or recording id>.<format>` in the workspace. */
export async function saveRecording(
  services: Services,
  arg?: RecordingArg,
  target?: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  const ref = await resolveRecording(services, arg, 'Save Recording As…');
  if (!ref) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = recordingFileName({ callUuid: ref.callUuid, recordingId: ref.id, format: ref.format });
  const destination =
    target ??
    (await vscode.window.showSaveDialog({
      title: `Save the recording ${ref.title}`,
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { [`${ref.format.toUpperCase()} audio`]: [ref.format] },
      saveLabel: 'Save Recording',
    }));
  if (!destination) return undefined;
  const fetched = await fetchRecording(services, ref);
  if (!fetched) return undefined;
  try {
    await services.recordingFiles.saveAs(ref, destination);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void showError(new Error(`Could not save the recording to ${destination.fsPath}: ${reason}`), services.log);
    return undefined;
  }
  services.log.info(`Saved recording ${ref.id} to ${destination.fsPath}.`);
  vscode.window.setStatusBarMessage(`$(save) Saved the recording to ${destination.fsPath}`, 6000);
  return destination;
}
