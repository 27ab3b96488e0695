import * as vscode from 'vscode';
import type { Services } from '../services/container';
import type { Views } from '../views';
import type { CallsTreeNode } from '../views/callsTree';
import type { RecordingsTreeNode } from '../views/recordingsTree';
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
  const uuid =
    node?.kind === 'call'
      ? node.call.callUuid
      : node?.kind === 'endedCall'
        ? node.callUuid
        : node?.kind === 'recording'
          ? node.recording.callUuid
          : undefined;
  if (!uuid) return;
  await vscode.env.clipboard.writeText(uuid);
  vscode.window.setStatusBarMessage('$(copy) Copied the call UUID', 4000);
}

/** Copy Recording URL (a recording's menu in Calls or Recordings). */
export async function copyRecordingUrl(node?: CallsTreeNode | RecordingsTreeNode): Promise<void> {
  const url = node?.kind === 'recording' || node?.kind === 'stored' ? node.recording.url : undefined;
  if (!url) return;
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage('$(copy) Copied the recording URL', 4000);
}
