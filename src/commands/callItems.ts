import * as vscode from 'vscode';
import { safeExternalUrl } from '../plivo';
import type { Services } from '../services/container';
import type { Views } from '../views';
import type { CallsTreeNode } from '../views/callsTree';
import { showError } from './showError';

/** Plivo: Refresh Calls. A failure shows as the view's error row (Retry, Show Log); a notification only when hidden. */
export async function refreshCalls(services: Services, views: Views): Promise<void> {
  await vscode.window.withProgress({ location: { viewId: 'plivo.calls' } }, () => services.calls.refresh());
  const status = services.calls.status;
  if (status.kind === 'error' && !views.calls.view.visible) {
    void showError(status.error, services.log, () => refreshCalls(services, views));
  }
}

/** Copy Call UUID (call menu). */
export async function copyCallUuid(node?: CallsTreeNode): Promise<void> {
  const uuid = node?.kind === 'call' ? node.call.callUuid : node?.kind === 'recording' ? node.recording.callUuid : '';
  if (!uuid) return;
  await vscode.env.clipboard.writeText(uuid);
  vscode.window.setStatusBarMessage('$(copy) Copied the call UUID', 4000);
}

function recordingUrl(node?: CallsTreeNode): string | undefined {
  return node?.kind === 'recording' ? node.recording.url : undefined;
}

/** Copy Recording URL (recording menu). */
export async function copyRecordingUrl(node?: CallsTreeNode): Promise<void> {
  const url = recordingUrl(node);
  if (!url) return;
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage('$(copy) Copied the recording URL', 4000);
}

/** Open Recording (recording menu): the file is usable once the recording has ended. */
export async function openRecording(services: Services, node?: CallsTreeNode): Promise<void> {
  const url = recordingUrl(node);
  if (!url) return;
  // Only http(s): the URL may have come from a callback.
  const safe = safeExternalUrl(url);
  if (!safe) {
    void vscode.window.showWarningMessage('The recording URL is not an http(s) URL; it was not opened.');
    return;
  }
  if (!(await vscode.env.openExternal(vscode.Uri.parse(safe, true)))) {
    void showError(new Error(`Could not open ${url}.`), services.log);
  }
}
