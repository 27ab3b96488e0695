// "Check public URL": sends a signed test callback to the public URL and waits for
// it to come back to the listener, which proves the tunnel reaches this listener.
import { randomUUID } from 'node:crypto';
import { CALLBACK_PATHS } from './publicUrl';
import type { ReceivedCallback } from './model';
import { buildTestCallback, sendSignedCallback } from './relay';

/** Marks the check's request, so the receiver can keep it out of history and forwarding. */
export const ROUND_TRIP_PARAM = 'plivo_url_check';

function checkId(callback: ReceivedCallback): string | null {
  const queryStart = callback.path.indexOf('?');
  return queryStart < 0 ? null : new URLSearchParams(callback.path.slice(queryStart + 1)).get(ROUND_TRIP_PARAM);
}

export function isRoundTripCheck(callback: ReceivedCallback): boolean {
  return checkId(callback) !== null;
}

/** Shaped like VS Code's `Event`, so a service's `onDidReceive` can be passed as-is. */
export type CallbackEvent = (handler: (callback: ReceivedCallback) => void) => { dispose(): void };

export interface RoundTripOptions {
  authToken?: string;
  /** For the request and for the wait that follows; default 10 s (tunnels add latency). */
  timeoutMs?: number;
}

export type RoundTripResult =
  { kind: 'ok'; url: string; roundTripMs: number; warning?: string } | { kind: 'failed'; url: string; message: string };

/**
 * Sends a test callback to `publicBase` + the recording path and resolves once the listener receives it
 * (ok, with the round-trip time), or with what went wrong: the request failed, or something else answered.
 */
export async function checkRoundTrip(
  publicBase: string,
  onCallback: CallbackEvent,
  options: RoundTripOptions = {},
): Promise<RoundTripResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const id = randomUUID();
  const url = `${publicBase.replace(/\/+$/, '')}${CALLBACK_PATHS.recording}?${ROUND_TRIP_PARAM}=${id}`;
  let subscription: { dispose(): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arrived = new Promise<ReceivedCallback | undefined>((resolve) => {
    subscription = onCallback((callback) => {
      if (checkId(callback) === id) resolve(callback);
    });
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const started = performance.now();
  try {
    const params = buildTestCallback('record', { callUuid: `url-check-${id}` });
    const sent = await sendSignedCallback(url, { method: 'POST', params }, options.authToken, { timeoutMs });
    if (sent.error) return { kind: 'failed', url, message: `The request to ${url} failed: ${sent.error}.` };
    // Whatever answered, the listener has had the request by now if it went there.
    const callback = await Promise.race([arrived, new Promise<undefined>((r) => setTimeout(r, 1000, undefined))]);
    const roundTripMs = Math.round(performance.now() - started);
    if (!callback) {
      return {
        kind: 'failed',
        url,
        message: `${publicBase} answered HTTP ${sent.status}, but the request never reached the listener: the URL leads somewhere else (is the tunnel forwarding the listener's port?).`,
      };
    }
    const signature = callback.signature;
    const warning =
      options.authToken && signature.state !== 'valid'
        ? `The test callback arrived, but its signature did not verify (${signature.detail}): the listener does not know ${publicBase} as its public URL.`
        : undefined;
    return warning ? { kind: 'ok', url, roundTripMs, warning } : { kind: 'ok', url, roundTripMs };
  } finally {
    subscription?.dispose();
    clearTimeout(timer);
  }
}
