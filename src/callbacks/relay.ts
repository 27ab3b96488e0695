// Outgoing callback requests: forwarding to the user's app, replaying stored
// callbacks, and sample callbacks shaped like Plivo's.
import { randomUUID } from 'node:crypto';
import { signCallbackHeaders } from '../plivo/signature';
import { errorCode, isTimeout, readCapped, seconds } from './httpRead';
import { signedUrlFor } from './listener';
import type { AppResponse, CallbackKind, ReceivedCallback, RelayResult } from './model';

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

const SNIPPET_CHARS = 2048;
const FORM = 'application/x-www-form-urlencoded';

/** `url` with `params` added to its query, as a GET callback carries them. */
export function withQuery(url: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  if (!query) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/** A body is rarely needed whole to see what the app said; this keeps stored history small. */
export const RESPONSE_BODY_BYTES = 64 * 1024;
/** Past this, a body is only reported as "at least" this size, rather than read to its end. */
const RESPONSE_COUNT_BYTES = 4 * 1024 * 1024;

async function readResponse(response: Response): Promise<AppResponse> {
  const body = await readCapped(response, RESPONSE_BODY_BYTES, RESPONSE_COUNT_BYTES);
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: body.text,
    bodyBytes: body.bytes,
    ...(body.truncated ? { bodyTruncated: true } : {}),
    ...(body.countStopped ? { bodySizeAtLeast: true } : {}),
  };
}

function describeFailure(error: unknown, target: URL, timeoutMs: number): string {
  if (isTimeout(error)) return `timed out after ${seconds(timeoutMs)}`;
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

/** The URL to send to, or why it cannot receive callbacks. */
export function parseTarget(targetUrl: string): URL | string {
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
    const answer = await readResponse(response);
    return finish({
      status: response.status,
      ok: response.ok,
      responseSnippet: answer.body.slice(0, SNIPPET_CHARS),
      response: answer,
    });
  } catch (error) {
    return finish({ ok: false, responseSnippet: '', error: describeFailure(error, target, options.timeoutMs) });
  }
}

function outgoingMethod(callback: Pick<ReceivedCallback, 'method'>): 'GET' | 'POST' {
  return callback.method === 'GET' ? 'GET' : 'POST';
}

/** The stored raw body is only trustworthy when it was kept whole. */
function replayableBody(callback: ReceivedCallback): Pick<OutgoingCallback, 'body' | 'contentType'> {
  return outgoingMethod(callback) === 'POST' && !callback.bodyTruncated && callback.body !== ''
    ? { body: callback.body, contentType: callback.contentType }
    : {};
}

/** The request that re-sends a stored callback: its method and params, and its raw body when kept whole. */
export function outgoingRequestFor(callback: ReceivedCallback): Omit<OutgoingCallback, 'headers'> {
  return { method: outgoingMethod(callback), params: callback.params, ...replayableBody(callback) };
}

/** The `X-Plivo-*` headers a callback arrived with (its signatures), lower-case. */
export function plivoHeaders(callback: ReceivedCallback): Record<string, string> {
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
  return sendCallback(targetUrl, { ...outgoingRequestFor(callback), headers: plivoHeaders(callback) }, options);
}

/** `plivo.listener.forwardUrl`: one base URL for every callback, or one full URL per kind. */
export type ForwardSetting = string | ForwardTargets;
export interface ForwardTargets {
  recording?: string;
  transcription?: string;
  async?: string;
}

const FORWARD_KINDS: Record<CallbackKind, keyof ForwardTargets | undefined> = {
  record: 'recording',
  transcription: 'transcription',
  async: 'async',
  unknown: undefined,
};

/** Reads the setting's value; an unusable one gets a message naming what to fix, and nothing is forwarded. */
export function parseForwardSetting(value: unknown): { forward?: ForwardSetting; error?: string } {
  const problem = (url: string): string | undefined => {
    const target = parseTarget(url);
    return typeof target === 'string' ? target : undefined;
  };
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return {};
  if (typeof value === 'string') {
    const error = problem(value.trim());
    return error ? { error: `plivo.listener.forwardUrl: ${error}` } : { forward: value.trim() };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      error: 'plivo.listener.forwardUrl must be a URL or an object of URLs by kind (recording, transcription, async)',
    };
  }
  const targets: ForwardTargets = {};
  for (const [key, url] of Object.entries(value)) {
    if (key !== 'recording' && key !== 'transcription' && key !== 'async') {
      return { error: `plivo.listener.forwardUrl: unknown kind "${key}" (use recording, transcription or async)` };
    }
    if (typeof url !== 'string') return { error: `plivo.listener.forwardUrl.${key} must be a URL string` };
    if (url.trim() === '') continue;
    const error = problem(url.trim());
    if (error) return { error: `plivo.listener.forwardUrl.${key}: ${error}` };
    targets[key] = url.trim();
  }
  return Object.keys(targets).length ? { forward: targets } : {};
}

/** Every URL the setting names: the user's app, never the listener. */
export function forwardTargets(forward: ForwardSetting): string[] {
  return typeof forward === 'string' ? [forward] : Object.values(forward).filter((url): url is string => !!url);
}

/** `url` with `query` (no "?") added to any query it already has. */
function addQuery(url: string, query: string): string {
  if (!query) return url;
  const [withoutHash] = url.split('#', 1);
  return `${withoutHash}${withoutHash.includes('?') ? '&' : '?'}${query}`;
}

/**
 * Where a received callback is forwarded: a base URL gets the callback's own path and query
 * (`/plivo/transcription?x=1` → `<base>/plivo/transcription?x=1`, a path already in the base not repeated);
 * a per-kind URL is used as given, plus the query. Undefined when no target is set for this kind.
 * A GET callback's query is its params, which `forwardCallback` adds back, so it is left out here.
 */
export function forwardTargetFor(
  callback: Pick<ReceivedCallback, 'kind' | 'method' | 'path'>,
  forward: ForwardSetting,
): string | undefined {
  const queryStart = callback.path.indexOf('?');
  const path = queryStart < 0 ? callback.path : callback.path.slice(0, queryStart);
  const query = queryStart < 0 || outgoingMethod(callback) === 'GET' ? '' : callback.path.slice(queryStart + 1);
  if (typeof forward !== 'string') {
    const key = FORWARD_KINDS[callback.kind];
    const target = key && forward[key];
    return target ? addQuery(target, query) : undefined;
  }
  const [baseWithoutQuery, baseQuery = ''] = forward.split('#', 1)[0].split(/\?(.*)/s, 2);
  const joined = signedUrlFor(baseWithoutQuery, path);
  return addQuery(addQuery(joined, baseQuery), query);
}

/** Forwards to the target `forward` gives for this callback; undefined when it names none for this kind. */
export async function forwardToApp(
  callback: ReceivedCallback,
  forward: ForwardSetting,
  options: RelayOptions,
): Promise<RelayResult | undefined> {
  const target = forwardTargetFor(callback, forward);
  return target === undefined ? undefined : forwardCallback(callback, target, options);
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
  return sendSignedCallback(targetUrl, outgoingRequestFor(callback), authToken, options);
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
