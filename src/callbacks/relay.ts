// Outgoing callback requests: forwarding to the user's app, replaying stored
// callbacks, and sample callbacks shaped like Plivo's.
import { randomUUID } from 'node:crypto';
import { signCallbackHeaders } from '../plivo/signature';
import type { ReceivedCallback, RelayResult } from './model';

export interface OutgoingCallback {
  method: 'GET' | 'POST';
  params: Record<string, string>;
  headers?: Record<string, string>;
  /** Raw body to send instead of form-encoding `params` (POST only). */
  body?: string;
  contentType?: string;
}

export interface RelayOptions {
  timeoutMs: number;
}

const SNIPPET_BYTES = 2048;
const FORM = 'application/x-www-form-urlencoded';

function withQuery(url: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  if (!query) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/** Reads only the start of the answer: enough to show, without buffering a huge page. */
async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, SNIPPET_BYTES));
}

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function describeFailure(error: unknown, target: URL, timeoutMs: number): string {
  if ((error as Error | undefined)?.name === 'TimeoutError') {
    return `timed out after ${Number((timeoutMs / 1000).toFixed(1))} s`;
  }
  switch (errorCode(error)) {
    case 'ECONNREFUSED':
      return `connection refused: is your app running on ${target.host}?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${target.hostname}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `${target.host} closed the connection before answering`;
    default:
      return `request failed: ${(error as Error | undefined)?.message ?? String(error)}`;
  }
}

function parseTarget(targetUrl: string): URL | string {
  // "localhost:3000" parses as a URL with scheme "localhost:"; say what is missing instead.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(targetUrl)) {
    return `not a valid URL: ${targetUrl} (start it with http:// or https://)`;
  }
  try {
    const url = new URL(targetUrl);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? url
      : `only http and https URLs can receive callbacks, not ${url.protocol}`;
  } catch {
    return `not a valid URL: ${targetUrl}`;
  }
}

/** Never rejects: failures come back as `error` text fit to show the user. */
export async function sendCallback(
  targetUrl: string,
  request: OutgoingCallback,
  options: RelayOptions,
): Promise<RelayResult> {
  const started = performance.now();
  const finish = (fields: Omit<RelayResult, 'targetUrl' | 'durationMs'>): RelayResult => ({
    targetUrl,
    durationMs: Math.round(performance.now() - started),
    ...fields,
  });
  const target = parseTarget(targetUrl);
  if (typeof target === 'string') return finish({ ok: false, responseSnippet: '', error: target });

  const isGet = request.method === 'GET';
  const headers: Record<string, string> = { ...request.headers };
  if (!isGet) headers['content-type'] = request.body !== undefined ? (request.contentType ?? FORM) : FORM;
  try {
    const response = await fetch(isGet ? withQuery(targetUrl, request.params) : targetUrl, {
      method: request.method,
      headers,
      body: isGet ? undefined : (request.body ?? new URLSearchParams(request.params).toString()),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const responseSnippet = await readSnippet(response);
    return finish({ status: response.status, ok: response.ok, responseSnippet });
  } catch (error) {
    return finish({ ok: false, responseSnippet: '', error: describeFailure(error, target, options.timeoutMs) });
  }
}

function outgoingMethod(callback: ReceivedCallback): 'GET' | 'POST' {
  return callback.method === 'GET' ? 'GET' : 'POST';
}

/** The stored raw body is only trustworthy when it was kept whole. */
function replayableBody(callback: ReceivedCallback): Pick<OutgoingCallback, 'body' | 'contentType'> {
  return outgoingMethod(callback) === 'POST' && !callback.bodyTruncated && callback.body !== ''
    ? { body: callback.body, contentType: callback.contentType }
    : {};
}

function plivoHeaders(callback: ReceivedCallback): Record<string, string> {
  return Object.fromEntries(
    Object.entries(callback.headers)
      .filter(([name]) => name.startsWith('x-plivo-'))
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]),
  );
}

/**
 * Relays a received callback to the user's app unchanged, Plivo's signature
 * headers included: apps that verify against their public URL still pass.
 */
export function forwardCallback(
  callback: ReceivedCallback,
  targetUrl: string,
  options: RelayOptions,
): Promise<RelayResult> {
  const request = {
    method: outgoingMethod(callback),
    params: callback.params,
    headers: plivoHeaders(callback),
    ...replayableBody(callback),
  };
  return sendCallback(targetUrl, request, options);
}

/**
 * Sends `params` as Plivo would, signed for `targetUrl` when a token is given
 * (the signature covers the URL, so the original one would not verify there).
 */
export function sendSignedCallback(
  targetUrl: string,
  request: Omit<OutgoingCallback, 'headers'>,
  authToken: string | undefined,
  options: RelayOptions,
): Promise<RelayResult> {
  const headers = authToken ? signCallbackHeaders(request.method, targetUrl, request.params, authToken) : undefined;
  return sendCallback(targetUrl, { ...request, headers }, options);
}

export function replayCallback(
  callback: ReceivedCallback,
  targetUrl: string,
  authToken: string | undefined,
  options: RelayOptions,
): Promise<RelayResult> {
  return sendSignedCallback(
    targetUrl,
    { method: outgoingMethod(callback), params: callback.params, ...replayableBody(callback) },
    authToken,
    options,
  );
}

export type TestCallbackKind = 'record' | 'transcription' | 'async';

export interface TestCallbackOptions {
  callUuid?: string;
  apiId?: string;
  recordUrl?: string;
  recordingId?: string;
  durationSeconds?: number;
  transcription?: string;
  /** Fixes the recording end time, for reproducible samples. */
  now?: Date;
}

/** Sample params with the field names Plivo sends for each kind (see docs/plivo-api.md, callbacks). */
export function buildTestCallback(kind: TestCallbackKind, options: TestCallbackOptions = {}): Record<string, string> {
  const callUuid = options.callUuid ?? randomUUID();
  const apiId = options.apiId ?? randomUUID();
  const recordingId = options.recordingId ?? randomUUID();
  const recordUrl = options.recordUrl ?? `https://s3.amazonaws.com/recordings_2013/${recordingId}.mp3`;
  const durationSeconds = options.durationSeconds ?? 22;
  const endMs = (options.now ?? new Date()).getTime();
  switch (kind) {
    case 'record':
      return {
        api_id: apiId,
        call_uuid: callUuid,
        record_url: recordUrl,
        recording_id: recordingId,
        recording_duration: String(durationSeconds),
        recording_duration_ms: String(durationSeconds * 1000),
        recording_start_ms: String(endMs - durationSeconds * 1000),
        recording_end_ms: String(endMs),
        message: 'record done',
      };
    case 'transcription':
      return {
        call_uuid: callUuid,
        recording_id: recordingId,
        transcription: options.transcription ?? 'Hello, this is a test transcription from the Plivo extension.',
        duration: String(durationSeconds),
        transcription_charge: '0.05',
        transcription_rate: '0.05',
      };
    case 'async':
      return {
        api_id: apiId,
        response: JSON.stringify({
          api_id: apiId,
          message: 'call recording started',
          recording_id: recordingId,
          url: recordUrl,
        }),
      };
  }
}
