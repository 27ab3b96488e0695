// One HTTP exchange with a deadline that covers the headers AND the body, and a cap on the body.
// On Node 20 (undici 6) a garbage collection while the body is pending can lose the effect of an
// abort signal when `redirect: 'error'` is used; so redirects are handled here ('manual'), and the
// deadline rejects through a timer of our own whatever fetch does with the abort.

/** Plivo's answers are a few KB; anything near this is not Plivo. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface ExchangeRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  maxBytes?: number;
}

export interface ExchangeResponse {
  status: number;
  headers: Headers;
  text: string;
}

export type ExchangeFailure =
  | { kind: 'timeout'; elapsedMs: number }
  | { kind: 'cancelled' }
  | { kind: 'network'; cause: string }
  | { kind: 'too-large'; status: number; limit: number }
  | { kind: 'redirect'; status: number; location: string };

export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';
  constructor(readonly failure: ExchangeFailure) {
    super(failure.kind);
  }
}

/** Resolves with the whole answer, or rejects with an ExchangeError; settles by `timeoutMs` at the latest. */
export function exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
  const maxBytes = request.maxBytes ?? MAX_RESPONSE_BYTES;
  const controller = new AbortController();
  const started = performance.now();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new Promise<ExchangeResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: ExchangeError | undefined, value?: ExchangeResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCallerAbort);
      if (!error) return resolve(value as ExchangeResponse);
      // Release the connection and whatever was buffered; neither may outlive the answer we give.
      controller.abort();
      reader?.cancel().catch(() => undefined);
      reject(error);
    };
    const timer = setTimeout(
      () => finish(new ExchangeError({ kind: 'timeout', elapsedMs: performance.now() - started })),
      request.timeoutMs,
    );
    const onCallerAbort = (): void => finish(new ExchangeError({ kind: 'cancelled' }));
    if (request.signal?.aborted) return onCallerAbort();
    request.signal?.addEventListener('abort', onCallerAbort, { once: true });

    const run = async (): Promise<ExchangeResponse> => {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        redirect: 'manual',
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        throw new ExchangeError({
          kind: 'redirect',
          status: response.status,
          location: response.headers.get('location') ?? '',
        });
      }
      // Built only when needed: an Error captures a stack trace, which every answer would otherwise pay for.
      const tooLarge = (): ExchangeError =>
        new ExchangeError({ kind: 'too-large', status: response.status, limit: maxBytes });
      if (Number(response.headers.get('content-length')) > maxBytes) {
        await response.body?.cancel();
        throw tooLarge();
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      reader = response.body?.getReader();
      for (;;) {
        if (!reader || settled) break;
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) throw tooLarge();
        chunks.push(value);
      }
      return { status: response.status, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') };
    };
    run().then(
      (value) => finish(undefined, value),
      (error: unknown) =>
        finish(
          error instanceof ExchangeError ? error : new ExchangeError({ kind: 'network', cause: describeCause(error) }),
        ),
    );
  });
}

export function describeCause(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  const code = (inner as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (typeof code === 'string') return code;
  return inner instanceof Error ? inner.message : String(inner);
}
