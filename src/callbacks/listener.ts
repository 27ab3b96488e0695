// Local HTTP endpoint that Plivo's callbacks reach (through the user's tunnel).
// Every request it answers, accepted or refused, becomes a ReceivedCallback.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setField } from '../plivo/bounded';
import {
  checkPlivoSignature,
  signatureNonce,
  verifyPlivoSignature,
  type SignatureCheck,
  type SignatureMatch,
} from '../plivo/signature';
import { AllowedHosts } from './hostCheck';
import type { ReceivedCallback } from './model';
import { NonceMemory } from './nonceMemory';
import { CallbackParseError, classifyCallback, parseCallbackParams, summarizeCallback } from './parse';

export interface ListenerOptions {
  port: number;
  host?: string;
  maxBodyBytes?: number;
  /** Tokens a valid signature may be made with (account and subaccounts). */
  getAuthTokens: () => string[];
  /**
   * Base URLs the listener was handed out as (a tunnel, an editor port-forward), most likely first.
   * Plivo signs the URL it called, not the local one; the local URL is tried last.
   */
  getSignedBaseUrls: () => string[];
  /** Whole-request deadline for slow clients. */
  requestTimeoutMs?: number;
  /**
   * Further Host names (or URLs) that reach the listener, besides its own address and the hosts of
   * `getSignedBaseUrls()`; requests naming any other Host, or a foreign Origin, get 403.
   */
  allowedHosts?: string[];
}

export class ListenerPortInUseError extends Error {
  override readonly name = 'ListenerPortInUseError';
  constructor(
    readonly port: number,
    readonly suggestedPort: number | undefined,
  ) {
    super(`port ${port} is already in use${suggestedPort === undefined ? '' : `; port ${suggestedPort} is free`}`);
  }
}

const MIB = 1024 * 1024;
/** Bodies are stored for display and replay; beyond this the history file would balloon. */
const STORED_BODY_CHARS = 64 * 1024;
const ACCEPTED_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections would otherwise hold close() open.
    server.closeAllConnections();
  });
}

/** First port at or above `from` that can be bound on `host`, or undefined if none up to 65535. */
export async function findFreePort(from: number, host = '127.0.0.1'): Promise<number | undefined> {
  for (let port = Math.max(1, from); port <= 65535; port++) {
    const probe = createServer();
    try {
      await listen(probe, port, host);
      await closeServer(probe);
      return port;
    } catch {
      // Taken or forbidden: try the next one.
    }
  }
  return undefined;
}

function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

function receivedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) setField(kept, name, value);
  }
  return kept;
}

/** Joins the tunnel base and the request path without doubling a path prefix the user included in the base. */
export function signedUrlFor(baseUrl: string, path: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(\/[^?#]*)?/i.exec(baseUrl.trim());
  if (!match) return baseUrl + path;
  const [, origin, basePath = ''] = match;
  const prefix = basePath.replace(/\/+$/, '');
  const pathOnly = path.split('?', 1)[0];
  const alreadyPrefixed = prefix !== '' && (pathOnly === prefix || pathOnly.startsWith(`${prefix}/`));
  return (alreadyPrefixed ? origin : origin + prefix) + path;
}

interface Refusal {
  status: number;
  reason: string;
  extraHeaders?: Record<string, string>;
}

/**
 * Which of the Auth Tokens (`getAuthTokens()`) made a callback's matching signature, if one did: whoever needs to
 * know whose it is need not check the signature again. For this process only; the callback never holds it.
 */
export type SignedWith = Pick<SignatureMatch, 'authToken'>;

type ListenerEvents = { callback: [ReceivedCallback, SignedWith]; warning: [string] };

export class CallbackListener extends EventEmitter<ListenerEvents> {
  #server: Server | undefined;
  /** The bound port, read once: `server.address()` asks the OS, and every request needs the port. */
  #port: number | undefined;
  /** The listener's own `host:port` addresses, fixed once it is bound. */
  #ownHosts: string[] = [];
  #options: Required<ListenerOptions> | undefined;
  #extraHosts: string[] = [];
  /** The allowed hosts as last computed; recomputed when the addresses they come from change. */
  #hostCheck: AllowedHosts | undefined;
  /** Nonces of requests whose signature matched, to flag the same signed request arriving again. */
  readonly #nonces = new NonceMemory();
  /** Answered requests still to be checked and published, oldest first. */
  #queued: { res: ServerResponse; step: () => void }[] = [];

  constructor() {
    // An async 'callback' handler that rejects ends up in the rejection hook below, not unhandled.
    super({ captureRejections: true });
  }

  [EventEmitter.captureRejectionSymbol](error: Error, event: unknown, ..._args: unknown[]): void {
    this.#warn(`a '${String(event)}' event handler failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  get url(): string | undefined {
    return this.running ? `http://${this.#options?.host ?? '127.0.0.1'}:${this.#port}` : undefined;
  }

  get running(): boolean {
    return this.#server?.listening ?? false;
  }

  async start(options: ListenerOptions): Promise<void> {
    if (this.#server) throw new Error('the callback listener is already running');
    this.#extraHosts = [...(options.allowedHosts ?? this.#extraHosts)];
    const resolved: Required<ListenerOptions> = {
      ...options,
      allowedHosts: [],
      host: options.host ?? '127.0.0.1',
      maxBodyBytes: options.maxBodyBytes ?? MIB,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    };
    const server = createServer(
      // Node checks request deadlines on this interval (30 s by default, too coarse for the deadlines below).
      {
        requestTimeout: resolved.requestTimeoutMs,
        headersTimeout: Math.min(10_000, resolved.requestTimeoutMs),
        connectionsCheckingInterval: 1000,
      },
      (req, res) => this.#guard(res, () => this.#handle(req, res)),
    );
    // One handler per socket (not per request, which would pile up on keep-alive sockets).
    server.on('connection', (socket: Socket) => socket.on('error', () => undefined));
    try {
      await listen(server, resolved.port, resolved.host);
    } catch (error) {
      if (!isAddressInUse(error)) throw error;
      throw new ListenerPortInUseError(resolved.port, await findFreePort(resolved.port + 1, resolved.host));
    }
    server.on('error', (error) => this.#warn(`callback listener error: ${error.message}`));
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    this.#ownHosts = ['127.0.0.1', 'localhost', '[::1]', resolved.host].map((h) => `${h}:${this.#port}`);
    this.#options = resolved;
  }

  /** Replaces the extra allowed hosts (e.g. public and forwarded addresses); takes effect on the next request. */
  setAllowedHosts(hosts: string[]): void {
    this.#extraHosts = [...hosts];
  }

  async stop(): Promise<void> {
    this.#runQueued();
    const server = this.#server;
    this.#server = undefined;
    if (server) await closeServer(server);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const options = this.#options;
    if (!options) {
      res.destroy();
      return;
    }
    const foreign = this.#allowedHosts().problem(req.headers);
    if (foreign) return this.#refuse(req, res, Buffer.alloc(0), { status: 403, reason: foreign });
    const method = req.method ?? '';
    if (method !== 'GET' && method !== 'POST') {
      return this.#refuse(req, res, Buffer.alloc(0), {
        status: 405,
        reason: `method ${method} not allowed: use POST or GET`,
        extraHeaders: { allow: 'GET, POST' },
      });
    }
    const declaredLength = Number(req.headers['content-length']);
    if (declaredLength > options.maxBodyBytes) return this.#refuse(req, res, Buffer.alloc(0), this.#tooLarge(options));

    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) =>
      this.#guard(res, () => {
        if (settled) return;
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          settled = true;
          return this.#refuse(req, res, Buffer.concat(chunks), this.#tooLarge(options));
        }
        chunks.push(chunk);
      }),
    );
    req.on('end', () =>
      this.#guard(res, () => {
        if (settled) return;
        settled = true;
        this.#accept(req, res, Buffer.concat(chunks));
      }),
    );
    req.on('close', () =>
      this.#guard(res, () => {
        if (settled || req.complete) return;
        settled = true;
        // A connection that carried no body at all is noise, not a callback worth showing.
        if (size > 0) {
          this.#refuse(req, res, Buffer.concat(chunks), {
            status: 400,
            reason: `request ended after ${size} bytes, before the body was complete (client disconnected or too slow)`,
          });
        }
      }),
    );
  }

  /** Runs one step of request handling; a failure is reported and answered 500 instead of ending the process. */
  #guard(res: ServerResponse, step: () => void): void {
    try {
      step();
    } catch (error) {
      this.#warn(
        `the callback listener failed on a request: ${error instanceof Error ? error.message : String(error)}`,
      );
      try {
        this.#answer(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'callback listener error\n', true);
      } catch {
        res.destroy();
      }
    }
  }

  /** A throwing 'warning' handler has nobody left to tell. */
  #warn(message: string): void {
    try {
      this.emit('warning', message);
    } catch {
      // Nothing further to do: the request has its answer already.
    }
  }

  #tooLarge(options: Required<ListenerOptions>): Refusal {
    return {
      status: 413,
      reason: `body larger than the ${options.maxBodyBytes} byte limit (plivo.listener.maxBodyBytes)`,
    };
  }

  #accept(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const request = { method: req.method ?? '', path: req.url ?? '/', contentType: req.headers['content-type'], body };
    let params: Record<string, string>;
    try {
      params = parseCallbackParams(request);
    } catch (error) {
      const reason =
        error instanceof CallbackParseError ? error.message : `could not read the request: ${String(error)}`;
      return this.#refuse(req, res, body, { status: 400, reason });
    }
    // Plivo only needs the 2xx, and the rest cannot change it: answer first, then check and publish with the
    // other requests answered in this turn of the event loop (see #later).
    const id = randomUUID();
    const receivedAt = new Date().toISOString();
    this.#answer(res, 200, ACCEPTED_HEADERS, `{"received":true,"id":"${id}"}`, false);
    this.#later(res, () => {
      const { check, authToken } = this.#verify(req, params, receivedAt);
      const record = this.#record(
        req,
        body,
        200,
        {
          params,
          kind: classifyCallback(params),
          summary: summarizeCallback(params),
          paramsFromRequest: true,
          signature: check,
        },
        id,
        receivedAt,
      );
      this.#publish(record, { authToken });
    });
  }

  /**
   * Queues the checking and publishing of an answered request. The answers of a burst go out together, before
   * this work, so clients are not kept waiting for it; the queue runs in arrival order right after the current
   * turn of the event loop, and at the latest when the listener stops, so no answered request goes unrecorded.
   */
  #later(res: ServerResponse, step: () => void): void {
    this.#queued.push({ res, step });
    if (this.#queued.length === 1) setImmediate(() => this.#runQueued());
  }

  #runQueued(): void {
    const queued = this.#queued;
    this.#queued = [];
    for (const { res, step } of queued) this.#guard(res, step);
  }

  /** Answers 4xx, closing the connection when the body was not read, and still shows the request. */
  #refuse(req: IncomingMessage, res: ServerResponse, body: Buffer, refusal: Refusal): void {
    const signature = this.#unverifiable(req, refusal.reason);
    const record = this.#record(req, body, refusal.status, {
      params: {},
      kind: 'unknown',
      summary: {},
      signature,
      error: refusal.reason,
    });
    const unread = !req.complete;
    this.#answer(
      res,
      refusal.status,
      { 'content-type': 'text/plain; charset=utf-8', ...refusal.extraHeaders },
      `${refusal.reason}\n`,
      unread,
    );
    if (unread) {
      // Stop reading the rest of the body; drop the connection once the answer is out.
      req.pause();
      res.on('finish', () => req.socket.destroySoon());
    }
    this.#later(res, () => this.#publish(record, {}));
  }

  #answer(res: ServerResponse, status: number, headers: Record<string, string>, body: string, close: boolean): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, close ? { ...headers, connection: 'close' } : headers);
    res.end(body);
  }

  /** The listener's own addresses, the addresses it was handed out as, and the configured extra hosts. */
  #allowedHosts(): AllowedHosts {
    let handedOut: string[] = [];
    try {
      handedOut = this.#options?.getSignedBaseUrls() ?? [];
    } catch {
      // The getter belongs to the caller; without it only the other hosts are allowed.
    }
    const entries = [...this.#ownHosts, ...handedOut, ...this.#extraHosts];
    const cached = this.#hostCheck;
    if (cached?.entries.length === entries.length && cached.entries.every((entry, i) => entry === entries[i])) {
      return cached;
    }
    this.#hostCheck = new AllowedHosts(entries);
    return this.#hostCheck;
  }

  /** Every URL the request may have been sent to, most likely first. */
  #candidateUrls(path: string): string[] {
    const bases = (this.#options?.getSignedBaseUrls() ?? []).map((b) => b.trim()).filter(Boolean);
    return [...new Set([...bases.map((base) => signedUrlFor(base, path)), `${this.url ?? ''}${path}`])];
  }

  /** The token and URL getters belong to the caller; their failure must not escape the request handler. */
  #verify(req: IncomingMessage, params: Record<string, string>, receivedAt: string): SignatureMatch {
    try {
      const authTokens = this.#options?.getAuthTokens() ?? [];
      // The first URL with a V3 match wins, so the later ones need no check; else the first V2 match, else the
      // most likely URL's verdict.
      let first: SignatureCheck | undefined;
      let v2: SignatureMatch | undefined;
      for (const url of this.#candidateUrls(req.url ?? '/')) {
        const checked = checkPlivoSignature({
          method: req.method ?? '',
          url,
          params,
          headers: req.headers,
          authTokens,
        });
        const { check } = checked;
        if (check.state === 'valid') return { ...checked, check: this.#flagReplay(req, check, receivedAt) };
        if (check.state === 'valid-v2') v2 ??= checked;
        first ??= check;
      }
      if (v2) return { ...v2, check: this.#flagReplay(req, v2.check, receivedAt) };
      return { check: first as SignatureCheck };
    } catch (error) {
      return {
        check: this.#unverifiable(req, `could not get the Auth Token or public URL (${(error as Error).message})`),
      };
    }
  }

  /** A matching signature whose nonce was already used is a captured request sent again. */
  #flagReplay(req: IncomingMessage, check: SignatureCheck, receivedAt: string): SignatureCheck {
    if ((check.state !== 'valid' && check.state !== 'valid-v2') || !check.version) return check;
    const nonce = signatureNonce(req.headers, check.version);
    const firstSeen = nonce === undefined ? undefined : this.#nonces.remember(nonce, receivedAt);
    if (firstSeen === undefined) return check;
    return { ...check, replay: true, detail: `replay: nonce already seen at ${firstSeen}; ${check.detail}` };
  }

  /** A refused request has no trustworthy params, so a signature on it cannot be confirmed. */
  #unverifiable(req: IncomingMessage, reason: string): SignatureCheck {
    const check = verifyPlivoSignature({
      method: req.method ?? '',
      url: '',
      params: {},
      headers: req.headers,
      authTokens: [],
    });
    return check.state === 'unsigned'
      ? check
      : { state: 'invalid', version: check.version, detail: `not checked: ${reason}` };
  }

  #record(
    req: IncomingMessage,
    body: Buffer,
    status: number,
    fields: Pick<ReceivedCallback, 'params' | 'kind' | 'summary' | 'paramsFromRequest' | 'signature' | 'error'>,
    id: string = randomUUID(),
    receivedAt: string = new Date().toISOString(),
  ): ReceivedCallback {
    const text = body.toString('utf8');
    const contentType = req.headers['content-type'];
    const record: ReceivedCallback = {
      id,
      receivedAt,
      method: req.method ?? '',
      path: req.url ?? '/',
      headers: receivedHeaders(req.headers),
      body: text.slice(0, STORED_BODY_CHARS),
      status,
      params: fields.params,
      kind: fields.kind,
      summary: fields.summary,
      signature: fields.signature,
    };
    if (text.length > STORED_BODY_CHARS) record.bodyTruncated = true;
    // A cut body no longer holds every param.
    else if (fields.paramsFromRequest) record.paramsFromRequest = true;
    if (contentType !== undefined) record.contentType = contentType;
    if (fields.error !== undefined) record.error = fields.error;
    return record;
  }

  /** A throwing 'callback' handler must not take the request handler down with it. */
  #publish(record: ReceivedCallback, signedWith: SignedWith): void {
    try {
      this.emit('callback', record, signedWith);
    } catch (error) {
      this.#warn(`a 'callback' event handler failed: ${(error as Error).message}`);
    }
  }
}
