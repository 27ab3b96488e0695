import * as vscode from 'vscode';
import {
  DEFAULT_CLOUDFLARED_METRICS_URL,
  DEFAULT_NGROK_API_URL,
  parseForwardSetting,
  type ForwardSetting,
} from '../callbacks';
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
  /** `plivo.listener.forwardUrl` read as a base URL or per-kind URLs; `error` says what to fix in an unusable value. */
  listenerForward: (): { forward?: ForwardSetting; error?: string } =>
    parseForwardSetting(plivo().get<unknown>('listener.forwardUrl')),
  listenerAutoStart: (): boolean => plivo().get<boolean>('listener.autoStart', true),
  tunnelNgrokApiUrl: (): string => plivo().get<string>('tunnel.ngrokApiUrl')?.trim() || DEFAULT_NGROK_API_URL,
  tunnelCloudflaredMetricsUrl: (): string =>
    plivo().get<string>('tunnel.cloudflaredMetricsUrl')?.trim() || DEFAULT_CLOUDFLARED_METRICS_URL,
  listenerMaxBodyBytes: (): number => plivo().get<number>('listener.maxBodyBytes', 1024 * 1024),
  recordingsCacheMaxMB: (): number => Math.max(1, plivo().get<number>('recordings.cacheMaxMB', 200)),
  callbacksMaxHistory: (): number => plivo().get<number>('callbacks.maxHistory', 500),
};
