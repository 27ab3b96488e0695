// Streams a recording file to disk: credentials only to Plivo's own hosts, bounded size, no partial files.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { PlivoCredentials } from './types';
import { describeCause } from './transport';
import { truncate } from './validate';

export const DEFAULT_DOWNLOAD_MAX_BYTES = 200 * 1024 * 1024;
/** The download fails when no byte arrives for this long (a whole-file limit would fail big files on slow links). */
export const DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
/** Hosts that may receive the account's credentials over https, besides the configured API base URL's origin. */
const PLIVO_HOSTS = ['api.plivo.com', 'media.plivo.com'];

export type DownloadErrorCode =
  | 'invalid-url'
  | 'expired' // 404 / 410: the recording is gone or its URL expired
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'http-error' // any other non-2xx status
  | 'not-audio' // an HTML page, JSON or other non-audio body
  | 'too-large'
  | 'timeout'
  | 'cancelled'
  | 'network' // unreachable, or the connection broke mid-file
  | 'disk-full'
  | 'write-failed';

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }

  /** True when the same download may succeed if tried again (the UI offers Retry). */
  get retryable(): boolean {
    if (this.code === 'http-error') return this.status === 429 || (this.status ?? 0) >= 500;
    return this.code === 'timeout' || this.code === 'network' || this.code === 'disk-full';
  }
}

export interface DownloadProgress {
  readonly receivedBytes: number;
  /** From Content-Length; undefined when the server did not say. */
  readonly totalBytes?: number;
}

export interface DownloadOptions {
  url: string;
  /** Destination; the data goes to `<file>.part` first and is renamed only when complete. */
  file: string;
  /** Sent (HTTP Basic) only to the API base URL's origin or, over https, to Plivo's API and media hosts. */
  credentials?: PlivoCredentials;
  /** The API base URL in use (default https://api.plivo.com); the sandbox serves its files on the same origin. */
  apiBaseUrl?: string;
  /** Default 200 MB. */
  maxBytes?: number;
  /** Longest wait for the next byte, default 30 s. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  userAgent?: string;
}

export interface DownloadResult {
  readonly file: string;
  readonly bytes: number;
  readonly contentType: string;
}

/** Whether `url` may receive the account's credentials. */
export function mayReceiveCredentials(url: string, apiBaseUrl = 'https://api.plivo.com'): boolean {
  let target: URL;
  let api: URL;
  try {
    target = new URL(url);
    api = new URL(apiBaseUrl);
  } catch {
    return false;
  }
  if (target.origin === api.origin) return true;
  return target.protocol === 'https:' && PLIVO_HOSTS.includes(target.hostname) && target.port === '';
}

/** Downloads `url` into `file`. Throws DownloadError; on any failure nothing is left at `file` or `<file>.part`. */
export async function downloadRecording(options: DownloadOptions): Promise<DownloadResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_DOWNLOAD_MAX_BYTES;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_DOWNLOAD_IDLE_TIMEOUT_MS;
  checkUrl(options.url);
  if (options.signal?.aborted) throw cancelled();

  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const armTimer = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, idleTimeoutMs);
  };
  const onCallerAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const part = `${options.file}.part`;
  let handle: FileHandle | undefined;
  let received = 0;
  let total: number | undefined;
  let response: Response | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    armTimer();
    response = await fetchFollowingRedirects(options, controller.signal);
    checkStatus(response, options.url);
    const contentType = await checkContentType(response);
    total = contentLength(response);
    if (total !== undefined && total > maxBytes) throw tooLarge(maxBytes);

    handle = await openPart(part);
    options.onProgress?.({ receivedBytes: 0, totalBytes: total });
    reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      armTimer();
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) throw tooLarge(maxBytes);
      await writeAll(handle, value);
      options.onProgress?.({ receivedBytes: received, totalBytes: total });
    }
    if (total !== undefined && received !== total) throw interrupted(received, total);
    await closeQuietly(handle, true);
    handle = undefined;
    await rename(part, options.file).catch((cause: unknown) => {
      throw writeError(cause);
    });
    return { file: options.file, bytes: received, contentType };
  } catch (error) {
    await (reader ? reader.cancel() : response?.body?.cancel())?.catch(() => undefined);
    await closeQuietly(handle, false);
    await rm(part, { force: true }).catch(() => undefined);
    if (error instanceof DownloadError) throw error;
    if (options.signal?.aborted) throw cancelled();
    if (timedOut) {
      throw new DownloadError(
        'timeout',
        `The recording server sent nothing for ${Math.round(idleTimeoutMs / 100) / 10} s; check the network and try again.`,
      );
    }
    if (received > 0 || total !== undefined) throw interrupted(received, total);
    throw new DownloadError(
      'network',
      `Could not reach ${new URL(options.url).host} (${describeCause(error)}); check the network and try again.`,
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

async function fetchFollowingRedirects(options: DownloadOptions, signal: AbortSignal): Promise<Response> {
  let url = options.url;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { Accept: 'audio/*, application/octet-stream;q=0.9' };
    if (options.userAgent) headers['User-Agent'] = options.userAgent;
    // Checked on every hop: a redirect to another host must not carry the token along.
    if (options.credentials && mayReceiveCredentials(url, options.apiBaseUrl)) {
      const { authId, authToken } = options.credentials;
      headers.Authorization = `Basic ${Buffer.from(`${authId}:${authToken}`).toString('base64')}`;
    }
    // 'manual' rather than 'error': Node 20's fetch can lose the abort signal with redirect 'error'.
    const response = await fetch(url, { headers, signal, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return response;
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS) {
      throw new DownloadError('http-error', `The recording URL redirected more than ${MAX_REDIRECTS} times.`);
    }
    url = new URL(location, url).toString();
    checkUrl(url);
  }
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadError('invalid-url', `"${truncate(url, 80)}" is not an absolute URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DownloadError('invalid-url', `"${truncate(url, 80)}" is not an http(s) URL.`);
  }
}

function checkStatus(response: Response, url: string): void {
  const status = response.status;
  if (status >= 200 && status < 300) return;
  if (status === 404 || status === 410) {
    throw new DownloadError(
      'expired',
      `The recording file is no longer available (${status}): it was deleted or its URL expired.`,
      status,
    );
  }
  if (status === 401) {
    throw new DownloadError(
      'unauthorized',
      `The recording server rejected the credentials (401) for ${new URL(url).host}; check the Auth ID and Auth Token.`,
      status,
    );
  }
  if (status === 403) {
    throw new DownloadError(
      'forbidden',
      `The recording server refused access (403); the recording may belong to another account.`,
      status,
    );
  }
  throw new DownloadError('http-error', `The recording server answered ${status} instead of the file.`, status);
}

/** Audio or a generic binary type; an HTML page or a JSON error is refused with what it said. */
async function checkContentType(response: Response): Promise<string> {
  // A missing type is treated as binary, as HTTP allows.
  const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
  const mime = contentType.split(';')[0].trim().toLowerCase();
  if (mime.startsWith('audio/') || mime === 'application/octet-stream' || mime === 'binary/octet-stream') {
    return contentType;
  }
  let excerpt = '';
  if (mime.includes('json') || mime.startsWith('text/')) {
    const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim();
    excerpt = text ? `: "${truncate(text, 120)}"` : '';
  }
  const what = mime.includes('html') ? 'a web page' : mime.includes('json') ? 'a JSON message' : `"${mime}"`;
  throw new DownloadError(
    'not-audio',
    `The recording URL returned ${what} instead of audio${excerpt}. The recording may have expired, or the URL needs a login.`,
    response.status,
  );
}

/** The size of the body as it will be read; unknown when it arrives compressed (fetch inflates it). */
function contentLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding')?.trim().toLowerCase() ?? 'identity';
  if (encoding !== 'identity') return undefined;
  const header = response.headers.get('content-length');
  const n = header === null ? NaN : Number(header);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

async function openPart(part: string): Promise<FileHandle> {
  try {
    return await open(part, 'w');
  } catch (cause) {
    throw writeError(cause);
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  try {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
  } catch (cause) {
    throw writeError(cause);
  }
}

/** Closing flushes; an error there (e.g. disk full) fails the download when it still matters. */
async function closeQuietly(handle: FileHandle | undefined, rethrow: boolean): Promise<void> {
  if (!handle) return;
  try {
    await handle.close();
  } catch (cause) {
    if (rethrow) throw writeError(cause);
  }
}

function writeError(cause: unknown): DownloadError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DownloadError('disk-full', 'The disk is full: free some space and try again.');
  }
  return new DownloadError('write-failed', `Could not write the recording file (${describeCause(cause)}).`);
}

function tooLarge(maxBytes: number): DownloadError {
  return new DownloadError('too-large', `The recording is larger than the ${formatMb(maxBytes)} download limit.`);
}

function interrupted(received: number, total: number | undefined): DownloadError {
  const of = total === undefined ? '' : ` of ${total}`;
  return new DownloadError('network', `The download was interrupted after ${received}${of} bytes; try again.`);
}

function cancelled(): DownloadError {
  return new DownloadError('cancelled', 'The download was cancelled.');
}

function formatMb(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}
