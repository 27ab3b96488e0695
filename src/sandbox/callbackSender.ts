// Delivers callbacks the way Plivo does: form-encoded POST or query-string GET, signed
// with the owning account's token. Delivery problems are recorded, never thrown.
import { signCallbackHeaders } from '../plivo/signature';
import type { CallbackKind, HttpCallbackMethod, SandboxCallbackLog } from './types';

export interface CallbackRequest {
  kind: CallbackKind;
  url: string;
  method: HttpCallbackMethod;
  params: Record<string, string>;
  authToken: string;
}

export class CallbackSender {
  // Aborts in-flight deliveries on close() so no socket outlives the sandbox.
  readonly #shutdown = new AbortController();

  readonly #timeoutMs: number;
  readonly #onDelivered: (log: SandboxCallbackLog) => void;

  constructor(timeoutMs: number, onDelivered: (log: SandboxCallbackLog) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onDelivered = onDelivered;
  }

  /** Resolves once delivery succeeded or failed; never rejects. */
  async send(request: CallbackRequest): Promise<void> {
    if (this.#shutdown.signal.aborted) return;
    const { kind, url, method, params, authToken } = request;
    const log: SandboxCallbackLog = { kind, url, method, params, at: new Date() };
    // A controller of our own rather than AbortSignal.any([AbortSignal.timeout(), ...]): on
    // Node 20 the timeout signal can be garbage-collected before it fires, leaving fetch hanging.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.#timeoutMs).unref();
    const onShutdown = (): void => abort.abort();
    this.#shutdown.signal.addEventListener('abort', onShutdown);
    try {
      const form = new URLSearchParams(params).toString();
      const headers: Record<string, string> = {
        'User-Agent': 'PlivoSandbox',
        ...signCallbackHeaders(method, url, params, authToken),
      };
      if (method === 'POST') headers['Content-Type'] = 'application/x-www-form-urlencoded';
      const response = await fetch(method === 'GET' ? withQuery(url, form) : url, {
        method,
        headers,
        body: method === 'POST' ? form : undefined,
        redirect: 'manual',
        signal: abort.signal,
      });
      log.status = response.status;
      await response.body?.cancel(); // the receiver's answer is not used; free the connection
      if (response.status < 200 || response.status > 299) log.error = `receiver answered HTTP ${response.status}`;
    } catch (err) {
      log.error = timedOut ? `no answer within ${this.#timeoutMs} ms` : describe(err);
    } finally {
      clearTimeout(timer);
      this.#shutdown.signal.removeEventListener('abort', onShutdown);
    }
    if (!this.#shutdown.signal.aborted) this.#onDelivered(log);
  }

  abortAll(): void {
    this.#shutdown.abort();
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch() reports network failures as "fetch failed" with the real reason in `cause`.
  const cause = err.cause;
  if (cause instanceof Error) return `${err.message}: ${'code' in cause ? String(cause.code) : cause.message}`;
  return err.message;
}

function withQuery(url: string, query: string): string {
  if (!query) return url;
  const separator = !url.includes('?') ? '?' : /[?&]$/.test(url) ? '' : '&';
  return url + separator + query;
}
