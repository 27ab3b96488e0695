// How often a view asks Plivo again in the background. A refresh that fails (the API unreachable, timing out,
// answering 5xx) has already been retried by the client; asking again at full pace would spend the request budget the
// user's app shares, and the editor's CPU, on an answer that is not coming.

/** The longest wait between background refreshes while they keep failing. */
export const MAX_POLL_BACKOFF_MS = 5 * 60_000;

/**
 * The wait before the next background refresh: the interval, doubled for each refresh in a row that failed, and at
 * most MAX_POLL_BACKOFF_MS (never less than the interval itself).
 */
export function pollDelayMs(intervalMs: number, consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return intervalMs;
  const backedOff = intervalMs * 2 ** Math.min(consecutiveFailures, 30);
  return Math.max(intervalMs, Math.min(MAX_POLL_BACKOFF_MS, backedOff));
}
