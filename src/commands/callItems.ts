import * as vscode from 'vscode';
import type { Services } from '../services/container';
import type { CallsTreeNode } from '../views/callsTree';
import type { RecordingsTreeNode } from '../views/recordingsTree';
import { showError } from './showError';

/** Plivo: Refresh Calls. */
export async function refreshCalls(services: Services): Promise<void> {
  await vscode.window.withProgress({ location: { viewId: 'plivo.calls' } }, () => services.calls.refresh());
  const status = services.calls.status;
  if (status.kind === 'error') void showError(status.error, services.log, () => refreshCalls(services));
}

/** Copy Call UUID (call menu). */
export async function copyCallUuid(node?: CallsTreeNode): Promise<void> {
  const uuid =
    node?.kind === 'call' ? node.call.callUuid : node?.kind === 'endedCall' ? node.callUuid : node?.recording.callUuid;
  if (!uuid) return;
  await vscode.env.clipboard.writeText(uuid);
  vscode.window.setStatusBarMessage(`$(copy) Copied call UUID ${uuid}`, 4000);
}

/** Copy Recording URL (a recording's menu in Calls or Recordings). */
export async function copyRecordingUrl(node?: CallsTreeNode | RecordingsTreeNode): Promise<void> {
  const url = node?.kind === 'recording' || node?.kind === 'stored' ? node.recording.url : undefined;
  if (!url) return;
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage(`$(copy) Copied ${url}`, 4000);
}
