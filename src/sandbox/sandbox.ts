// The sandbox server: a local, Plivo-compatible API with simulated live calls.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate } from './accounts';
import { routeApi, type ApiBackend } from './apiRoutes';
import { CallbackSender } from './callbackSender';
import { CallChurn } from './churn';
import { createCall } from './fakeCalls';
import {
  ApiError,
  defaultErrorMessage,
  errorReply,
  jsonReply,
  loggableHeaders,
  parseBody,
  readBody,
  replyForError,
  writeReply,
  type Reply,
} from './httpIo';
import { AccountRateLimiter } from './rateLimit';
import { RecordingEngine } from './recordings';
import { resolveOptions, type ResolvedOptions } from './sandboxOptions';
import { TimerSet } from './timers';
import { silentMp3 } from './mp3Silence';
import { toneWav } from './wavTone';
import type {
  SandboxAccount,
  SandboxCall,
  SandboxCallInit,
  SandboxCallbackLog,
  SandboxFault,
  SandboxOptions,
  SandboxRecording,
  SandboxRecordingInit,
  SandboxRequestLog,
} from './types';

/** Logs keep the newest entries only, so a sandbox left running in the editor does not grow forever. */
const MAX_LOG_ENTRIES = 10_000;
const DEFAULT_WAIT_MS = 5000;

/**
 * Events: 'request' (SandboxRequestLog, once answered), 'callback' (SandboxCallbackLog, once
 * delivered or failed), 'calls-changed' (no payload: a call started or ended).
 */
export class Sandbox extends EventEmitter {
  readonly requests: SandboxRequestLog[] = [];
  readonly callbacks: SandboxCallbackLog[] = [];

  readonly #server: Server;
  readonly #accounts: SandboxAccount[];
  readonly #timers = new TimerSet();
  readonly #sender: CallbackSender;
  readonly #engine: RecordingEngine;
  readonly #churn: CallChurn | undefined;
  readonly #calls = new Map<string, SandboxCall>();
  readonly #faults: { fault: SandboxFault; remaining: number }[] = [];
  readonly #waiters = new Set<(reason: Error) => void>();
  readonly #backend: ApiBackend;
  readonly #rateLimiter: AccountRateLimiter | undefined;
  #baseUrl = '';
  #closing: Promise<void> | undefined;

  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const resolved = resolveOptions(options);
    const sandbox = new Sandbox(resolved);
    await sandbox.#listen(options.port ?? 0, options.host ?? '127.0.0.1');
    for (const init of resolved.initialCalls) sandbox.addCall(init);
    return sandbox;
  }

  private constructor(options: ResolvedOptions) {
    super();
    this.#accounts = options.accounts;
    this.#sender = new CallbackSender(options.callbackTimeoutMs, (log) =>
      this.#append(this.callbacks, log, 'callback'),
    );
    this.#engine = new RecordingEngine({
      timers: this.#timers,
      timeScale: options.timeScale,
      transcriptionDelayMs: options.transcriptionDelayMs,
      fileUrl: (id, format) => `${this.#baseUrl}/recordings/${id}.${format}`,
      send: (request) => this.#sender.send(request),
    });
    const range = options.churn;
    this.#churn =
      range &&
      new CallChurn({
        timers: this.#timers,
        timeScale: options.timeScale,
        range,
        addCall: () => this.addCall(),
        hangup: (uuid) => this.hangup(uuid),
      });
    this.#backend = {
      // Not copied: the routes only read them, and copying 5,000 calls per list request adds up.
      liveCalls: (authId) => [...this.#calls.values()].filter((c) => c.authId === authId),
      liveCall: (authId, callUuid) => {
        const call = this.#calls.get(callUuid);
        return call?.authId === authId ? call : undefined;
      },
      startRecording: (call, recordOptions, params, authToken) =>
        this.#engine.start(call, recordOptions, params, authToken),
      sendAsyncResponse: (recordingId) => this.#engine.sendAsyncResponse(recordingId),
      stopRecordings: (callUuid, url) => this.#engine.endForCall(callUuid, 'stopped', url),
      stored: (authId) => this.#engine.stored(authId),
      remove: (authId, recordingId) => this.#engine.remove(authId, recordingId),
      subaccounts: (authId) => this.#accounts.filter((a) => a.parentAuthId === authId).map((a) => ({ ...a })),
      created: new Date().toISOString().slice(0, 10),
    };
    this.#rateLimiter = options.rateLimit && new AccountRateLimiter(options.rateLimit);
    this.#server = createServer((req, res) => this.#dispatch(req, res));
  }

  /** The Plivo base URL to configure, e.g. `http://127.0.0.1:45123` (no trailing slash). */
  get url(): string {
    return this.#baseUrl;
  }

  addCall(init: SandboxCallInit = {}): SandboxCall {
    if (this.#closing) throw new Error('the sandbox is closed');
    const authId = init.authId ?? this.#accounts[0].authId;
    if (!this.#accounts.some((a) => a.authId === authId)) throw new Error(`no sandbox account ${authId}`);
    const call = createCall(init, authId);
    if (this.#calls.has(call.callUuid)) throw new Error(`call ${call.callUuid} is already live`);
    this.#calls.set(call.callUuid, call);
    this.#churn?.track(call);
    this.emit('calls-changed');
    return { ...call };
  }

  /** Ends the call; its active recordings end as 'done' and send their callbacks. False if it was not live. */
  hangup(callUuid: string): boolean {
    if (!this.#calls.delete(callUuid)) return false;
    this.#churn?.forget(callUuid);
    this.#engine.endForCall(callUuid, 'done');
    this.emit('calls-changed');
    return true;
  }

  liveCalls(authId?: string): SandboxCall[] {
    return [...this.#calls.values()].filter((c) => authId === undefined || c.authId === authId).map((c) => ({ ...c }));
  }

  /** Every recording (live, ended, of every account), or those of one call; deleted ones are gone. */
  recordings(callUuid?: string): SandboxRecording[] {
    return this.#engine.list(callUuid);
  }

  /** Seeds a finished recording, as if an earlier call had been recorded; it is listed and served at once. */
  addRecording(init: SandboxRecordingInit = {}): SandboxRecording {
    if (this.#closing) throw new Error('the sandbox is closed');
    const authId = init.authId ?? this.#accounts[0].authId;
    if (!this.#accounts.some((a) => a.authId === authId)) throw new Error(`no sandbox account ${authId}`);
    const { durationMs, endedAt } = init;
    if (durationMs !== undefined && !(Number.isFinite(durationMs) && durationMs >= 0)) {
      throw new RangeError(`durationMs must be a non-negative number, got ${durationMs}`);
    }
    if (endedAt !== undefined && Number.isNaN(endedAt.getTime())) throw new RangeError('endedAt is an invalid date');
    const { callUuid, from, to } = createCall({ callUuid: init.callUuid, from: init.from, to: init.to }, authId);
    return this.#engine.addStored(init, { callUuid, from, to, authId });
  }

  /**
   * Fault injection for the next API request(s) under /v1: waits `delayMs` if given, then
   * answers `status` (default 500 when only a body is given) with `body` instead of handling
   * the request. A delay alone only slows the request down. Faults queue up in call order.
   */
  failNext(fault: SandboxFault): void {
    const { status, body, delayMs, times = 1 } = fault;
    if (status === undefined && body === undefined && delayMs === undefined) {
      throw new RangeError('failNext needs a status, a body or a delayMs');
    }
    if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
      throw new RangeError(`failNext status must be 200..599, got ${status}`);
    }
    if (!(Number.isInteger(times) && times >= 1)) {
      throw new RangeError(`failNext times must be a positive integer, got ${times}`);
    }
    this.#faults.push({ fault, remaining: times });
  }

  /**
   * Resolves with the first logged entry matching `predicate`: one already in `requests` /
   * `callbacks`, else the next to arrive. Rejects after `timeoutMs` or on close().
   * Match on something unique (a recording_id, a path) since past entries count.
   */
  waitFor(
    event: 'request',
    predicate: (e: SandboxRequestLog) => boolean,
    timeoutMs?: number,
  ): Promise<SandboxRequestLog>;
  waitFor(
    event: 'callback',
    predicate: (e: SandboxCallbackLog) => boolean,
    timeoutMs?: number,
  ): Promise<SandboxCallbackLog>;
  waitFor<T>(event: 'request' | 'callback', predicate: (e: T) => boolean, timeoutMs?: number): Promise<T>;
  waitFor<T>(event: 'request' | 'callback', predicate: (e: T) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    const history = (event === 'request' ? this.requests : this.callbacks) as unknown as T[];
    let past: T | undefined;
    try {
      past = history.find(predicate);
    } catch (err) {
      return Promise.reject(err);
    }
    if (past !== undefined) return Promise.resolve(past);
    if (this.#closing) return Promise.reject(new Error('the sandbox is closed'));
    return new Promise<T>((resolve, reject) => {
      const finish = (error?: Error, value?: T): void => {
        clearTimeout(timer);
        this.off(event, listener);
        this.#waiters.delete(finish);
        if (error) reject(error);
        else resolve(value as T);
      };
      const listener = (e: T): void => {
        try {
          if (predicate(e)) finish(undefined, e);
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
        }
      };
      const timer = setTimeout(() => finish(new Error(`no matching '${event}' within ${timeoutMs} ms`)), timeoutMs);
      this.on(event, listener);
      this.#waiters.add(finish);
    });
  }

  /** Stops timers and callbacks in flight, and closes the server and its open connections. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#timers.clear();
      this.#sender.abortAll();
      for (const fail of this.#waiters) fail(new Error('the sandbox is closed'));
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  #listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        this.#baseUrl = `http://${urlHost(host)}:${(this.#server.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }

  /** Every request gets an answer, and nothing a request does can end the process (e.g. `npm run sandbox`). */
  #dispatch(req: IncomingMessage, res: ServerResponse): void {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    this.#handle(req, res).catch((err: unknown) => {
      try {
        writeReply(res, replyForError(err));
      } catch {
        res.destroy();
      }
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req.url);
    const log: SandboxRequestLog = {
      method: req.method ?? 'GET',
      path: url?.pathname ?? req.url ?? '',
      query: url ? Object.fromEntries(url.searchParams) : {},
      body: undefined,
      headers: loggableHeaders(req),
      status: 0,
      at: new Date(),
    };
    let reply: Reply;
    try {
      reply = url
        ? await this.#route(req, url, log)
        : errorReply(400, `invalid request path ${JSON.stringify(log.path)}`);
    } catch (err) {
      reply = replyForError(err);
    }
    try {
      writeReply(res, reply, log.method === 'HEAD');
      reply.afterSent?.();
    } catch {
      // The client vanished mid-reply; nothing to tell it, and the server must keep running.
    }
    log.status = reply.status;
    this.#append(this.requests, log, 'request');
  }

  async #route(req: IncomingMessage, url: URL, log: SandboxRequestLog): Promise<Reply> {
    const path = url.pathname;
    if (path.startsWith('/recordings/')) return this.#serveRecording(log.method, path);
    if (path !== '/v1' && !path.startsWith('/v1/')) return errorReply(404, 'not found');

    const fault = this.#takeFault();
    if (fault?.delayMs) await this.#timers.delay(fault.delayMs);
    if (fault && (fault.status !== undefined || fault.body !== undefined)) return faultReply(fault);

    const raw = await readBody(req);
    let params: Record<string, unknown> = log.query;
    let bodyError: unknown;
    try {
      log.body = parseBody(req.headers['content-type'], raw);
      params = { ...log.query, ...(log.body as Record<string, unknown> | undefined) };
    } catch (err) {
      bodyError = err; // reported after authentication, as Plivo checks credentials first
    }

    const account = authenticate(req.headers.authorization, this.#accounts);
    if (!account) throw unauthorized();
    const match = /^\/v1\/Account\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (!match) return errorReply(404, 'not found');
    if (decodeSegment(match[1]) !== account.authId) throw unauthorized();
    // Plivo documents neither a Retry-After nor rate-limit headers, so none are sent.
    if (this.#rateLimiter?.tryAccept(account.authId) === false) {
      return errorReply(429, 'Too many requests: throttle your API requests and retry');
    }
    if (bodyError) throw bodyError;
    const rest = (match[2] ?? '').replace(/\/$/, '');
    const resource = rest === '' ? [] : rest.split('/').map(decodeSegment);
    return routeApi({ account, method: log.method, resource, params }, this.#backend);
  }

  #serveRecording(method: string, path: string): Reply {
    const match = /^\/recordings\/([^/]+)\.(mp3|wav)$/.exec(path);
    const recording = match ? this.#engine.find(match[1]) : undefined;
    if (!recording || recording.format !== match?.[2]) return errorReply(404, 'recording not found');
    if (method !== 'GET' && method !== 'HEAD') {
      return errorReply(405, `method ${method} not allowed here; use GET`, { Allow: 'GET, HEAD' });
    }
    // As long as the recording is (so far): the duration the Recording API reports for it.
    const durationMs = this.#engine.audioMs(recording.recordingId) ?? 0;
    return recording.format === 'mp3'
      ? { status: 200, headers: { 'Content-Type': 'audio/mpeg' }, body: silentMp3(durationMs) }
      : { status: 200, headers: { 'Content-Type': 'audio/wav' }, body: toneWav(durationMs) };
  }

  #takeFault(): SandboxFault | undefined {
    const head = this.#faults[0];
    if (!head) return undefined;
    if (--head.remaining === 0) this.#faults.shift();
    return head.fault;
  }

  #append<T>(list: T[], entry: T, event: 'request' | 'callback'): void {
    list.push(entry);
    if (list.length > MAX_LOG_ENTRIES) list.splice(0, list.length - MAX_LOG_ENTRIES);
    this.emit(event, entry);
  }
}

function unauthorized(): ApiError {
  return new ApiError(401, 'Authentication credentials invalid');
}

function faultReply(fault: SandboxFault): Reply {
  const status = fault.status ?? 500;
  if (typeof fault.body === 'string') {
    return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: fault.body };
  }
  if (fault.body !== undefined) return jsonReply(status, fault.body);
  return errorReply(status, defaultErrorMessage(status));
}

/** Undefined for a request target URL() rejects (such as `//`): the caller answers 400. */
function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://sandbox.invalid');
  } catch {
    return undefined;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes just fail to match any resource
  }
}

/** A host usable in a URL: wildcard binds are reached through loopback, IPv6 needs brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
