import { safeStringify } from './bounded';
import { PlivoError } from './errors';
import { redact, secretForms } from './redact';
import { exchange, ExchangeError, type ExchangeResponse } from './transport';
import { PLIVO_RATE_LIMIT, sharedLimiter, type RequestLimiter, type RequestPriority } from './limiter';
import type {
  LiveCall,
  LiveCallFilters,
  LiveCallIdsPage,
  ListLiveCallIdsOptions,
  PlivoCredentials,
  RecordOptions,
  RequestLogEntry,
  RequestOptions,
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
export const LIVE_CALL_PAGE_SIZE = 20;
/** Detail requests in flight at once; the limiter keeps their rate within the account's budget. */
const DETAIL_CONCURRENCY = 4;
const CALL_DIRECTIONS = ['inbound', 'outbound'];
/** Idempotent GETs are retried this often on 429/5xx/network failures, as Plivo's SDKs retry voice requests. */
const GET_RETRIES = 2;

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
  /**
   * The account's request budget; every HTTP attempt (retries included) takes a slot. Share one among every client
   * of an account. Default: one limiter per API base URL and Auth ID, shared by clients created without one.
   */
  limiter?: RequestLimiter;
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
  /** Default: 'background' for GET, 'user' for POST and DELETE. */
  priority?: RequestPriority;
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
  readonly #secrets: string[];
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #onRequest?: (entry: RequestLogEntry) => void;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #limiter: RequestLimiter;

  constructor(options: PlivoClientOptions) {
    assertCredentials(options.credentials);
    const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    const problem = httpUrlProblem(baseUrl);
    if (problem) throw new PlivoError('invalid-argument', `API base URL: ${problem}`, { param: 'baseUrl' });
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.authId = options.credentials.authId;
    this.#authorization = `Basic ${Buffer.from(`${options.credentials.authId}:${options.credentials.authToken}`).toString('base64')}`;
    this.#secrets = secretForms(options.credentials);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#userAgent = `${options.userAgent ?? 'plivo-call-recording'} (Node: ${process.version})`;
    this.#onRequest = options.onRequest;
    this.#retryDelayMs = options.retryDelayMs ?? ((attempt) => 250 * 2 ** attempt);
    this.#limiter = options.limiter ?? sharedLimiter(this.baseUrl, this.authId);
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

  /**
   * One page of live call UUIDs: `GET /Call/?status=live` with `limit` (1-20, default 20) and `offset`, filtered on
   * the server by direction and numbers. `hasMore` is true when the page was full.
   */
  async listLiveCallIds(options: ListLiveCallIdsOptions = {}): Promise<LiveCallIdsPage> {
    const { limit = LIVE_CALL_PAGE_SIZE, offset = 0, filters = {} } = options;
    assertInteger(limit, 'limit', 1, LIVE_CALL_PAGE_SIZE);
    assertInteger(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const { body } = await this.#request({
      method: 'GET',
      path: 'Call/',
      query: { status: 'live', limit: String(limit), offset: String(offset), ...filterParams(filters) },
      expect: [200],
      signal: options.signal,
      priority: options.priority,
    });
    const calls = body?.calls;
    if (calls !== undefined && !Array.isArray(calls)) throw badShape('calls');
    const uuids = (calls ?? []).filter((c): c is string => typeof c === 'string');
    return { uuids, hasMore: (calls ?? []).length >= limit };
  }

  /** UUIDs of every live call, page by page; on a busy account prefer paging with `listLiveCallIds`. */
  async listLiveCallUuids(signal?: AbortSignal): Promise<string[]> {
    const uuids = new Set<string>();
    for (let offset = 0; ; offset += LIVE_CALL_PAGE_SIZE) {
      const page = await this.listLiveCallIds({ offset, signal });
      const before = uuids.size;
      page.uuids.forEach((uuid) => uuids.add(uuid));
      // A server that ignores `offset` would repeat its first page forever.
      if (!page.hasMore || uuids.size === before) return [...uuids];
    }
  }

  /** Details of one live call: `GET /Call/{call_uuid}/?status=live`. */
  async getLiveCall(callUuid: string, options?: AbortSignal | RequestOptions): Promise<LiveCall> {
    assertCallUuid(callUuid);
    const { signal, priority } =
      options instanceof AbortSignal ? { signal: options, priority: undefined } : (options ?? {});
    const { body } = await this.#request({
      method: 'GET',
      path: `Call/${callUuid}/`,
      query: { status: 'live' },
      expect: [200],
      notFound: `Call ${callUuid} is not live (404): it has ended, or it belongs to another account.`,
      signal,
      priority,
    });
    return toLiveCall(body, callUuid);
  }

  /**
   * Details of the given live calls, in their order, `concurrency` requests at a time; calls that ended meanwhile
   * (404) are left out.
   */
  async getLiveCalls(
    uuids: readonly string[],
    options: RequestOptions & { concurrency?: number } = {},
  ): Promise<LiveCall[]> {
    uuids.forEach(assertCallUuid);
    const results: (LiveCall | undefined)[] = new Array(uuids.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < uuids.length) {
        const index = next++;
        try {
          results[index] = await this.getLiveCall(uuids[index], options);
        } catch (error) {
          if (!(error instanceof PlivoError && error.code === 'not-found')) throw error;
        }
      }
    };
    const workers = Math.max(1, Math.min(options.concurrency ?? DETAIL_CONCURRENCY, uuids.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return results.filter((c): c is LiveCall => c !== undefined);
  }

  /**
   * One page of the account's stored recordings, newest first: `GET /Recording/`. At background priority unless
   * the user asked for it (Refresh, a filter, Load more).
   */
  async listRecordings(options: ListRecordingsOptions & RequestOptions = {}): Promise<RecordingPage> {
    const query = recordingListQuery(options);
    const { signal, priority } = options;
    const { body } = await this.#request({ method: 'GET', path: 'Recording/', query, expect: [200], signal, priority });
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

  /**
   * Every live call with its details, at one request per call.
   * @deprecated Lists and fetches the whole account on every call; the Calls view should page with `LiveCallsPager`.
   */
  async listLiveCalls(signal?: AbortSignal): Promise<LiveCall[]> {
    return this.getLiveCalls(await this.listLiveCallUuids(signal), { signal });
  }

  /** Checks the credentials with the cheapest authenticated request; throws `unauthorized` when Plivo rejects them. */
  async verifyCredentials(signal?: AbortSignal): Promise<void> {
    await this.#request({
      method: 'GET',
      path: 'Call/',
      query: { status: 'live', limit: '1' },
      expect: [200],
      signal,
      priority: 'user',
    });
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
        return await this.#attempt(spec);
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
        // After a 429 the limiter holds every request of the account back, this retry included.
        if (error.code !== 'rate-limited') await sleep(this.#retryDelayMs(attempt + 1), spec.signal);
      }
    }
  }

  /** One HTTP exchange within the account's request budget. */
  async #attempt(spec: RequestSpec): Promise<ApiResponse> {
    let release: () => void;
    try {
      release = await this.#limiter.acquire(
        spec.priority ?? (spec.method === 'GET' ? 'background' : 'user'),
        spec.signal,
      );
    } catch {
      throw new PlivoError('network', 'The request was cancelled.');
    }
    try {
      return await this.#send(spec);
    } catch (error) {
      if (error instanceof PlivoError && error.code === 'rate-limited') {
        this.#limiter.reportRateLimited(error.retryAfterSeconds);
      }
      throw error;
    } finally {
      release();
    }
  }

  /** The one place where log entries and errors leave the client: both go through `redact()` here. */
  async #send(spec: RequestSpec): Promise<ApiResponse> {
    const path = `/v1/Account/${this.authId}/${spec.path}`;
    const started = performance.now();
    const log = (entry: Omit<RequestLogEntry, 'method' | 'path' | 'durationMs'>): void =>
      this.#onRequest?.({ method: spec.method, path, durationMs: Math.round(performance.now() - started), ...entry });
    try {
      const { response, apiId } = await this.#exchange(spec, path);
      log({ status: response.status, apiId });
      return response;
    } catch (error) {
      const failure =
        error instanceof PlivoError
          ? error
          : new PlivoError('bad-response', `Could not read Plivo's answer: ${(error as Error).message}`);
      failure.message = redact(failure.message, this.#secrets);
      if (failure.serverMessage !== undefined) {
        (failure as { serverMessage?: string }).serverMessage = redact(failure.serverMessage, this.#secrets);
      }
      log({
        ...(failure.status === undefined ? {} : { status: failure.status }),
        ...(failure.apiId === undefined ? {} : { apiId: failure.apiId }),
        error: failure.message,
      });
      throw failure;
    }
  }

  async #exchange(spec: RequestSpec, path: string): Promise<{ response: ApiResponse; apiId?: string }> {
    const url = `${this.baseUrl}${path}${spec.query ? `?${new URLSearchParams(spec.query)}` : ''}`;
    const headers: Record<string, string> = {
      Authorization: this.#authorization,
      'User-Agent': this.#userAgent,
      Accept: 'application/json',
    };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: ExchangeResponse;
    try {
      response = await exchange({
        url,
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        timeoutMs: this.#timeoutMs,
        signal: spec.signal,
      });
    } catch (error) {
      throw this.#exchangeError(spec, path, error);
    }

    // Redacted before anything is cut from it: a cut-off secret would no longer match.
    const text = redact(response.text, this.#secrets);
    const parsed = parseJson(text);
    const apiId = parsed.ok ? optionalString(parsed.value, 'api_id') : undefined;
    if (spec.expect.includes(response.status)) {
      if (response.status === 204 || text.trim() === '') {
        return { response: { status: response.status, body: undefined }, apiId };
      }
      if (!parsed.ok) {
        throw new PlivoError(
          'bad-response',
          `Plivo answered ${response.status} with a body that is not JSON: "${truncate(text.trim(), 80)}". Is the API base URL (${this.baseUrl}) a Plivo API?`,
          { status: response.status },
        );
      }
      return { response: { status: response.status, body: parsed.value }, apiId };
    }
    throw errorForStatus(spec, response, parsed.ok ? parsed.value : undefined, text);
  }

  #exchangeError(spec: RequestSpec, path: string, error: unknown): PlivoError {
    if (!(error instanceof ExchangeError)) return new PlivoError('network', `Request failed: ${String(error)}`);
    const { failure } = error;
    switch (failure.kind) {
      case 'cancelled':
        return new PlivoError('network', 'The request was cancelled.');
      case 'timeout':
        return new PlivoError(
          'timeout',
          `Plivo did not answer ${spec.method} ${path} within ${formatSeconds(this.#timeoutMs)} (gave up after ${formatSeconds(failure.elapsedMs)}); check the network and the API base URL (${this.baseUrl}).`,
        );
      case 'too-large':
        return new PlivoError(
          'bad-response',
          `Plivo's answer to ${spec.method} ${path} is larger than ${failure.limit} bytes; reading stopped there. Is the API base URL (${this.baseUrl}) a Plivo API?`,
          { status: failure.status },
        );
      case 'redirect':
        return new PlivoError(
          'bad-response',
          `The API base URL (${this.baseUrl}) answered ${failure.status}, a redirect${failure.location ? ` to ${truncate(failure.location, 120)}` : ''}; redirects are not followed, so that the Auth Token goes nowhere else. Set the API base URL to Plivo's API address.`,
          { status: failure.status },
        );
      case 'network':
        return new PlivoError(
          'network',
          `Could not reach Plivo at ${this.baseUrl} (${failure.cause}); check the network and the API base URL.`,
        );
    }
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
  response: Pick<ExchangeResponse, 'status' | 'headers'>,
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
      // The budget is the account's, so the user's own app (or a second editor) may be what used it up.
      const message =
        `Too many requests to Plivo (429): the account's ${PLIVO_RATE_LIMIT.requests} requests per ` +
        `${PLIVO_RATE_LIMIT.windowMs / 1000} s are shared with your own app and ` +
        `anything else using these credentials. Try again ${wait}.`;
      return new PlivoError('rate-limited', message, {
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
    return typeof inner === 'string' ? inner : safeStringify(value);
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

function filterParams(filters: LiveCallFilters): Record<string, string> {
  const params: Record<string, string> = {};
  if (filters.callDirection !== undefined) {
    if (!CALL_DIRECTIONS.includes(filters.callDirection)) {
      throw new PlivoError(
        'invalid-argument',
        `call_direction must be "inbound" or "outbound", got "${String(filters.callDirection)}".`,
        { param: 'call_direction' },
      );
    }
    params.call_direction = filters.callDirection;
  }
  for (const [key, param] of [
    ['fromNumber', 'from_number'],
    ['toNumber', 'to_number'],
  ] as const) {
    const value = filters[key];
    if (value === undefined) continue;
    if (!/^\+?\d{1,20}$/.test(value)) {
      throw new PlivoError(
        'invalid-argument',
        `${param} must be a phone number of digits (an optional leading +), got "${truncate(value, 40)}".`,
        { param },
      );
    }
    params[param] = value;
  }
  return params;
}

function assertInteger(value: number, name: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new PlivoError('invalid-argument', `${name} must be an integer from ${min} to ${max}, got ${value}.`, {
      param: name,
    });
  }
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
