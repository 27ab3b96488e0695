// Bounded reading of HTTP answers: fetch puts no limit on a body's size, and a
// server that sends headers then stalls must not hold a caller past its deadline.

export interface CappedBody {
  /** The first `maxBytes` bytes, decoded as UTF-8. */
  text: string;
  /** Bytes received in all, counted up to `countLimitBytes`. */
  bytes: number;
  truncated: boolean;
  /** Set when the answer was longer still than `countLimitBytes`, so `bytes` is a lower bound. */
  countStopped?: boolean;
}

/**
 * Keeps the first `maxBytes` of the body; past that it only counts, up to `countLimitBytes`,
 * so the caller can say how big the whole answer was without holding it.
 */
export async function readCapped(
  response: Response,
  maxBytes: number,
  countLimitBytes = maxBytes,
): Promise<CappedBody> {
  if (!response.body) return { text: '', bytes: 0, truncated: false };
  const reader = response.body.getReader();
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let bytes = 0;
  let countStopped = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (keptBytes < maxBytes) {
        const part = value.subarray(0, maxBytes - keptBytes);
        kept.push(part);
        keptBytes += part.byteLength;
      }
      if (bytes > Math.max(maxBytes, countLimitBytes)) {
        countStopped = true;
        break;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  // A multi-byte character cut at the limit decodes as U+FFFD rather than failing.
  const text = new TextDecoder().decode(Buffer.concat(kept));
  return { text, bytes, truncated: bytes > maxBytes, ...(countStopped ? { countStopped } : {}) };
}

/** Aborts on whichever comes first: the caller's signal or the deadline. */
export function deadlineSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

export function isTimeout(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'TimeoutError';
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
