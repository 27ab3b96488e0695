// How Plivo's values read in the editor. Pure text, no VS Code API.
import type { LiveCall } from './types';

/** `mm:ss` (or `h:mm:ss`) since the call's session started; Plivo sends that time in UTC without a zone. */
export function callDuration(call: Pick<LiveCall, 'sessionStart'>, now = Date.now()): string | undefined {
  if (!call.sessionStart) return undefined;
  const started = Date.parse(`${call.sessionStart.replace(' ', 'T').replace(/(\.\d{3})\d*/, '$1')}Z`);
  if (Number.isNaN(started)) return undefined;
  const total = Math.max(0, Math.floor((now - started) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
