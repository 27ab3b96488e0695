import * as vscode from 'vscode';
import { DEFAULT_BASE_URL, type RecordOptions } from '../plivo';

function plivo(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('plivo');
}

/** Typed access to the `plivo.*` settings declared in package.json. */
export const settings = {
  apiBaseUrl: (): string => plivo().get<string>('apiBaseUrl')?.trim() || DEFAULT_BASE_URL,
  requestTimeoutSeconds: (): number => plivo().get<number>('requestTimeoutSeconds', 15),
  refreshIntervalSeconds: (): number => plivo().get<number>('calls.refreshIntervalSeconds', 10),
  askForRecordOptions: (): boolean => plivo().get<boolean>('record.askForOptions', true),
  recordDefaults: (): RecordOptions => ({ ...plivo().get<RecordOptions>('record.defaults', {}) }),
  listenerPort: (): number => plivo().get<number>('listener.port', 8787),
  listenerPublicUrl: (): string | undefined => plivo().get<string>('listener.publicUrl')?.trim() || undefined,
  listenerForwardUrl: (): string | undefined => plivo().get<string>('listener.forwardUrl')?.trim() || undefined,
  listenerMaxBodyBytes: (): number => plivo().get<number>('listener.maxBodyBytes', 1024 * 1024),
  recordingsCacheMaxMB: (): number => Math.max(1, plivo().get<number>('recordings.cacheMaxMB', 200)),
  callbacksMaxHistory: (): number => plivo().get<number>('callbacks.maxHistory', 500),
};
