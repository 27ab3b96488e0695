import { PlivoError } from './errors';
import type {
  LiveCall,
  PlivoCredentials,
  RecordOptions,
  RequestLogEntry,
  StartRecordingResult,
  StopRecordingOptions,
} from './types';
import {
  assertRecordingId,
  recordingListQuery,
  toRecording,
  toRecordingPage,
  type ListRecordingsOptions,
  type Recording,
  type RecordingPage,
} from './recordings';
import {
  assertSubaccountAuthId,
  subaccountListQuery,
  toAccountDetails,
  toSubaccountPage,
  toSubaccountWithToken,
  type AccountDetails,
  type ListSubaccountsOptions,
  type SubaccountPage,
  type SubaccountWithToken,
} from './subaccounts';
import { assertCallUuid, assertCredentials, assertRecordOptions, httpUrlProblem, truncate } from './validate';

export const DEFAULT_BASE_URL = 'https://api.plivo.com';
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Plivo returns at most 20 live call UUIDs per page. */
const LIVE_CALL_PAGE_SIZE = 20;
/** Bounds the work of one refresh on a very busy account. */
const MAX_LIVE_CALL_PAGES = 10;
/** Detail requests in flight at once, well under Plivo's 300 requests / 5 s limit. */
const DETAIL_CONCURRENCY = 4;
/** Idempotent GETs are retried this often on 429/5xx/network failures, as Plivo's SDKs retry voice requests. */
const GET_RETRIES = 2;
const MAX_RETRY_DELAY_MS = 5_000;

export interface PlivoClientOptions {
  credentials: PlivoCredentials;
  baseUrl?: string;
  timeoutMs?: number;
  /** e.g. `plivo-call-recording/0.1.0`; the Node version is appended. */
  userAgent?: string;
  /** Receives one entry per HTTP exchange (never the token). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Delay before retry number `attempt` (1-based); tests shorten it. */
  retryDelayMs?: (attempt: number) => number;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  expect: readonly number[];
  /** What a 404 means for this request, in words a person understands. */
  notFound?: string;
  signal?: AbortSignal;
}

interface ApiResponse {
  status: number;
  body: Record<string, unknown> | undefined;
}

/** A typed client for Plivo's Record and live-call APIs, speaking real HTTP through global `fetch`. */
export class PlivoClient {
  readonly baseUrl: string;
  readonly authId: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #onRequest?: (entry: RequestLogEntry) => void;
  readonly #retryDelayMs: (attempt: number) => number;

  constructor(options: PlivoClientOptions) {
    assertCredentials(options.credentials);
    const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    const problem = httpUrlProblem(baseUrl);
    if (problem) throw new PlivoError('invalid-argument', `API base URL: ${problem}`, { param: 'baseUrl' });
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.authId = options.credentials.authId;
    this.#authorization = `Basic ${Buffer.from(`${options.credentials.authId}:${options.credentials.authToken}`).toString('base64')}`;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#userAgent = `${options.userAgent ?? 'plivo-call-recording'} (Node: ${process.version})`;
    this.#onRequest = options.onRequest;
    this.#retryDelayMs = options.retryDelayMs ?? ((attempt) => 250 * 2 ** attempt);
  }

  /** Starts recording a live call: `POST /Call/{call_uuid}/Record/`. With `callbackUrl` Plivo answers in asynchronous mode. */
  async startRecording(
    callUuid: string,
    options: RecordOptions = {},
    signal?: AbortSignal,
  ): Promise<StartRecordingResult> {
    assertCallUuid(callUuid);
    assertRecordOptions(options);
    const { body } = await this.#request({
      method: 'POST',
      path: `Call/${callUuid}/Record/`,
      body: recordParams(options),
      expect: [200, 201, 202],
      notFound: `Call ${callUuid} is not live (404): it has ended, or it belongs to another account.`,
      signal,
    });
    const apiId = requireString(body, 'api_id');
    const message = optionalString(body, 'message') ?? '';
    const url = optionalString(body, 'url');
    if (url === undefined) return { kind: 'async', apiId, message };
    return { kind: 'started', apiId, message, url, recordingId: optionalString(body, 'recording_id') };
  }

  /** Stops one recording (`url` given) or all recordings of a call: `DELETE /Call/{call_uuid}/Record/`, 204 on success. */
  async stopRecording(callUuid: string, options: StopRecordingOptions = {}, signal?: AbortSignal): Promise<void> {
    assertCallUuid(callUuid);
    if (options.url !== undefined) {
      const problem = httpUrlProblem(options.url);
      if (problem) throw new PlivoError('invalid-argument', `URL: ${problem}`, { param: 'URL' });
    }
    await this.#request({
      method: 'DELETE',
      path: `Call/${callUuid}/Record/`,
      // Plivo's SDKs send DELETE parameters as a JSON body; the upper-case `URL` is the documented name.
      body: options.url === undefined ? {} : { URL: options.url },
      expect: [200, 202, 204],
      notFound:
        options.url === undefined
          ? `Call ${callUuid} is not live (404): its recordings have already ended.`
          : `No recording at ${options.url} is running on call ${callUuid} (404): it may have ended already.`,
      signal,
    });
  }

  /** UUIDs of the account's live calls, across pages. */
  async listLiveCallUuids(signal?: AbortSignal): Promise<string[]> {
    const uuids: string[] = [];
    for (let page = 0; page < MAX_LIVE_CALL_PAGES; page++) {
      const { body } = await this.#request({
        method: 'GET',
        path: 'Call/',
        query: { status: 'live', limit: String(LIVE_CALL_PAGE_SIZE), offset: String(page * LIVE_CALL_PAGE_SIZE) },
        expect: [200],
        signal,
      });
      const calls = body?.calls;
      if (calls !== undefined && !Array.isArray(calls)) throw badShape('calls');
      const pageUuids = (calls ?? []).filter((c): c is string => typeof c === 'string');
      uuids.push(...pageUuids);
      if (pageUuids.length < LIVE_CALL_PAGE_SIZE) break;
    }
    return [...new Set(uuids)];
  }

  /** Details of one live call: `GET /Call/{call_uuid}/?status=live`. */
  async getLiveCall(callUuid: string, signal?: AbortSignal): Promise<LiveCall> {
    assertCallUuid(callUuid);
    const { body } = await this.#request({
      method: 'GET',
      path: `Call/${callUuid}/`,
      query: { status: 'live' },
      expect: [200],
      notFound: `Call ${callUuid} is not live (404): it has ended, or it belongs to another account.`,
      signal,
    });
    return toLiveCall(body, callUuid);
  }

  /** Every live call with its details; calls that end between the list and the detail request are left out. */
  async listLiveCalls(signal?: AbortSignal): Promise<LiveCall[]> {
    const uuids = await this.listLiveCallUuids(signal);
    const results: (LiveCall | undefined)[] = new Array(uuids.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < uuids.length) {
        const index = next++;
        try {
          results[index] = await this.getLiveCall(uuids[index], signal);
        } catch (error) {
          if (!(error instanceof PlivoError && error.code === 'not-found')) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, uuids.length) }, worker));
    return results.filter((c): c is LiveCall => c !== undefined);
  }

  /** One page of the account's stored recordings, newest first: `GET /Recording/`. */
  async listRecordings(options: ListRecordingsOptions = {}, signal?: AbortSignal): Promise<RecordingPage> {
    const query = recordingListQuery(options);
    const { body } = await this.#request({ method: 'GET', path: 'Recording/', query, expect: [200], signal });
    return toRecordingPage(body);
  }

  /** One stored recording: `GET /Recording/{recording_id}/`. */
  async getRecording(recordingId: string, signal?: AbortSignal): Promise<Recording> {
    assertRecordingId(recordingId);
    const { body } = await this.#request({
      method: 'GET',
      path: `Recording/${recordingId}/`,
      expect: [200],
      notFound: `Recording ${recordingId} does not exist (404): it was deleted, or it belongs to another account.`,
      signal,
    });
    return toRecording(body);
  }

  /** Deletes a stored recording: `DELETE /Recording/{recording_id}/`, 204. A 404 throws `already-deleted`. */
  async deleteRecording(recordingId: string, signal?: AbortSignal): Promise<void> {
    assertRecordingId(recordingId);
    try {
      await this.#request({ method: 'DELETE', path: `Recording/${recordingId}/`, expect: [200, 204], signal });
    } catch (error) {
      if (!(error instanceof PlivoError && error.code === 'not-found')) throw error;
      throw new PlivoError(
        'already-deleted',
        `Recording ${recordingId} was already deleted (404), perhaps from the Plivo console or another client.`,
        { status: error.status, apiId: error.apiId, serverMessage: error.serverMessage },
      );
    }
  }

  /** Checks the credentials with the cheapest authenticated request; throws `unauthorized` when Plivo rejects them. */
  async verifyCredentials(signal?: AbortSignal): Promise<void> {
    await this.#request({ method: 'GET', path: 'Call/', query: { status: 'live', limit: '1' }, expect: [200], signal });
  }

  /** The account's name and type: `GET /v1/Account/{auth_id}/`. */
  async getAccount(signal?: AbortSignal): Promise<AccountDetails> {
    const { body } = await this.#request({ method: 'GET', path: '', expect: [200], signal });
    return toAccountDetails(body);
  }

  /** One page of a main account's subaccounts, without their tokens: `GET /Subaccount/`. */
  async listSubaccounts(options: ListSubaccountsOptions = {}, signal?: AbortSignal): Promise<SubaccountPage> {
    const query = subaccountListQuery(options);
    const { body } = await this.#request({ method: 'GET', path: 'Subaccount/', query, expect: [200], signal });
    return toSubaccountPage(body);
  }

  /** One subaccount with its Auth Token, which Plivo returns to the main account: `GET /Subaccount/{auth_id}/`. */
  async getSubaccount(authId: string, signal?: AbortSignal): Promise<SubaccountWithToken> {
    assertSubaccountAuthId(authId);
    const { body } = await this.#request({
      method: 'GET',
      path: `Subaccount/${authId}/`,
      expect: [200],
      notFound: `Subaccount ${authId} does not exist (404), or it belongs to another main account.`,
      signal,
    });
    return toSubaccountWithToken(body);
  }

  toString(): string {
    return `PlivoClient(${this.authId} @ ${this.baseUrl})`;
  }

  toJSON(): object {
    return { authId: this.authId, baseUrl: this.baseUrl };
  }

  async #request(spec: RequestSpec): Promise<ApiResponse> {
    const retries = spec.method === 'GET' ? GET_RETRIES : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#send(spec);
      } catch (error) {
        if (
          !(error instanceof PlivoError) ||
          !error.retryable ||
          error.code === 'timeout' ||
          attempt >= retries ||
          spec.signal?.aborted
        ) {
          throw error;
        }
        const delay =
          error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : this.#retryDelayMs(attempt + 1);
        await sleep(Math.min(delay, MAX_RETRY_DELAY_MS), spec.signal);
      }
    }
  }

  async #send(spec: RequestSpec): Promise<ApiResponse> {
    const path = `/v1/Account/${this.authId}/${spec.path}`;
    const url = `${this.baseUrl}${path}${spec.query ? `?${new URLSearchParams(spec.query)}` : ''}`;
    const headers: Record<string, string> = {
      Authorization: this.#authorization,
      'User-Agent': this.#userAgent,
      Accept: 'application/json',
    };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    // A timer of our own: on Node 20, AbortSignal.timeout() combined with AbortSignal.any() can be collected
    // before it fires, and the request then never times out.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const onCallerAbort = (): void => controller.abort();
    spec.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const started = performance.now();
    const log = (entry: Omit<RequestLogEntry, 'method' | 'path' | 'durationMs'>): void =>
      this.#onRequest?.({ method: spec.method, path, durationMs: Math.round(performance.now() - started), ...entry });

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
        redirect: 'error',
      });
      text = await response.text();
    } catch (cause) {
      const error = spec.signal?.aborted
        ? new PlivoError('network', 'The request was cancelled.')
        : timedOut
          ? new PlivoError(
              'timeout',
              `Plivo did not answer ${spec.method} ${path} within ${formatSeconds(this.#timeoutMs)}; check the network and the API base URL (${this.baseUrl}).`,
            )
          : new PlivoError(
              'network',
              `Could not reach Plivo at ${this.baseUrl} (${describeCause(cause)}); check the network and the API base URL.`,
            );
      log({ error: error.message });
      throw error;
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onCallerAbort);
    }

    const parsed = parseJson(text);
    const apiId = parsed.ok ? optionalString(parsed.value, 'api_id') : undefined;
    if (spec.expect.includes(response.status)) {
      if (response.status === 204 || text.trim() === '') {
        log({ status: response.status, apiId });
        return { status: response.status, body: undefined };
      }
      if (!parsed.ok) {
        const error = new PlivoError(
          'bad-response',
          `Plivo answered ${response.status} with a body that is not JSON: "${truncate(text.trim(), 80)}". Is the API base URL (${this.baseUrl}) a Plivo API?`,
          { status: response.status },
        );
        log({ status: response.status, error: error.message });
        throw error;
      }
      log({ status: response.status, apiId });
      return { status: response.status, body: parsed.value };
    }
    const error = errorForStatus(spec, response, parsed.ok ? parsed.value : undefined, text);
    log({ status: response.status, apiId, error: error.message });
    throw error;
  }
}

function recordParams(options: RecordOptions): Record<string, unknown> {
  const params: Record<string, unknown> = {
    time_limit: options.timeLimit,
    file_format: options.fileFormat,
    transcription_type: options.transcriptionType,
    transcription_url: options.transcriptionUrl,
    transcription_method: options.transcriptionMethod,
    callback_url: options.callbackUrl,
    callback_method: options.callbackMethod,
    record_channel_type: options.recordChannelType,
  };
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
}

function errorForStatus(
  spec: RequestSpec,
  response: Response,
  body: Record<string, unknown> | undefined,
  text: string,
): PlivoError {
  const status = response.status;
  const serverMessage = body === undefined ? undefined : errorText(body.error);
  const apiId = body === undefined ? undefined : optionalString(body, 'api_id');
  const said = serverMessage
    ? `: ${truncate(serverMessage, 200)}`
    : body === undefined && text.trim()
      ? ` (body: "${truncate(text.trim(), 80)}")`
      : '';
  const details = { status, apiId, serverMessage };
  switch (status) {
    case 400:
      return new PlivoError('bad-request', `Plivo rejected the request (400)${said}.`, details);
    case 401:
      return new PlivoError(
        'unauthorized',
        'Auth ID or Auth Token rejected by Plivo (401). Check them on the Plivo console and set them again.',
        details,
      );
    case 403:
      return new PlivoError(
        'forbidden',
        `Plivo refused the request (403)${said}. The account may not be allowed to do this.`,
        details,
      );
    case 404:
      return new PlivoError('not-found', spec.notFound ?? `Plivo found nothing at ${spec.path} (404)${said}.`, details);
    case 405:
      return new PlivoError(
        'method-not-allowed',
        `Plivo does not allow ${spec.method} on ${spec.path} (405)${said}.`,
        details,
      );
    case 429: {
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      const wait = retryAfterSeconds === undefined ? 'in a few seconds' : `in ${retryAfterSeconds} s`;
      return new PlivoError('rate-limited', `Too many requests to Plivo (429); try again ${wait}.`, {
        ...details,
        retryAfterSeconds,
      });
    }
  }
  if (status >= 500) {
    return new PlivoError(
      'server-error',
      `Plivo had a server error (${status})${said}. Try again in a moment.`,
      details,
    );
  }
  return new PlivoError('unexpected-status', `Plivo answered with unexpected status ${status}${said}.`, details);
}

/** Plivo's error is usually a string, sometimes nested (`{"error": {"error": "..."}}`). */
function errorText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const inner = (value as Record<string, unknown>).error;
    return typeof inner === 'string' ? inner : JSON.stringify(value);
  }
  return undefined;
}

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function parseJson(text: string): { ok: true; value: Record<string, unknown> } | { ok: false } {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { ok: true, value: value as Record<string, unknown> }
      : { ok: false };
  } catch {
    return { ok: false };
  }
}

function optionalString(body: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = body?.[key];
  return typeof value === 'string' ? value : undefined;
}

function requireString(body: Record<string, unknown> | undefined, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw badShape(key);
  return value;
}

function badShape(field: string): PlivoError {
  return new PlivoError(
    'bad-response',
    `Plivo's answer lacks the expected "${field}" field; is the API base URL a Plivo API?`,
  );
}

function toLiveCall(body: Record<string, unknown> | undefined, callUuid: string): LiveCall {
  return {
    callUuid: optionalString(body, 'call_uuid') ?? callUuid,
    from: optionalString(body, 'from') ?? '',
    to: optionalString(body, 'to') ?? '',
    direction: optionalString(body, 'direction') ?? '',
    callStatus: optionalString(body, 'call_status') ?? 'in-progress',
    callerName: optionalString(body, 'caller_name'),
    requestUuid: optionalString(body, 'request_uuid'),
    sessionStart: optionalString(body, 'session_start'),
    stirVerification: optionalString(body, 'stir_verification'),
    stirAttestation: optionalString(body, 'stir_attestation'),
  };
}

export function describeCause(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  const code = (inner as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (typeof code === 'string') return code;
  return inner instanceof Error ? inner.message : String(inner);
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
