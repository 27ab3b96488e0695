import * as vscode from 'vscode';
import { DEFAULT_BASE_URL, type RecordOptions } from '../plivo';

function plivo(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('plivo');
}

const MIN_REFRESH_SECONDS = 5;

/** Typed access to the `plivo.*` settings declared in package.json. */
export const settings = {
  apiBaseUrl: (): string => plivo().get<string>('apiBaseUrl')?.trim() || DEFAULT_BASE_URL,
  requestTimeoutSeconds: (): number => plivo().get<number>('requestTimeoutSeconds', 15),
  /** 0: on demand only; otherwise at least every 5 s, since each refresh costs several requests of the budget. */
  refreshIntervalSeconds: (): number => {
    const seconds = plivo().get<number>('calls.refreshIntervalSeconds', 10);
    return !Number.isFinite(seconds) || seconds <= 0 ? 0 : Math.max(MIN_REFRESH_SECONDS, seconds);
  },
  /** Plivo allows 300 per 5 s per account; the rest is left to the user's own application. */
  maxRequestsPer5s: (): number => {
    const value = Math.floor(plivo().get<number>('api.maxRequestsPer5s', 150));
    return Number.isFinite(value) ? Math.min(300, Math.max(1, value)) : 150;
  },
  askForRecordOptions: (): boolean => plivo().get<boolean>('record.askForOptions', true),
  recordDefaults: (): RecordOptions => ({ ...plivo().get<RecordOptions>('record.defaults', {}) }),
  listenerPort: (): number => plivo().get<number>('listener.port', 8787),
  listenerPublicUrl: (): string | undefined => plivo().get<string>('listener.publicUrl')?.trim() || undefined,
  listenerForwardUrl: (): string | undefined => plivo().get<string>('listener.forwardUrl')?.trim() || undefined,
  listenerMaxBodyBytes: (): number => plivo().get<number>('listener.maxBodyBytes', 1024 * 1024),
  callbacksMaxHistory: (): number => plivo().get<number>('callbacks.maxHistory', 500),
};
