// Reading requests and writing replies the way Plivo's API does.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { DEFAULT_BOUNDS, jsonDepthExceeds } from '../plivo/bounded';

export const MAX_BODY_BYTES = 1024 * 1024;

/** A failure answered as Plivo does: `{api_id, error}` with this status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Runs right after the reply is written, e.g. to send an async-mode callback. */
  afterSent?: () => void;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}

/** Plivo error bodies always carry a fresh api_id. */
export function errorReply(status: number, message: string, headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { api_id: randomUUID(), error: message }, headers);
}

export function replyForError(err: unknown): Reply {
  if (err instanceof ApiError) return errorReply(err.status, err.message);
  return errorReply(500, `internal sandbox error: ${err instanceof Error ? err.message : String(err)}`);
}

export function defaultErrorMessage(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase();
}

export function writeReply(res: ServerResponse, reply: Reply, headOnly = false): void {
  // The client may have given up (e.g. a timeout test); there is nobody left to answer.
  if (res.headersSent || res.destroyed) return;
  if (reply.status === 204) {
    res.writeHead(204, reply.headers).end(); // 204 must carry neither a body nor Content-Length
    return;
  }
  const body = reply.body ?? '';
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(headOnly ? undefined : body);
}

/**
 * Reads the whole body. Past MAX_BODY_BYTES the rest is drained and discarded, so the
 * client still gets a readable 413 rather than a reset connection.
 */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new ApiError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
  return Buffer.concat(chunks);
}

/** Parses a JSON (what the SDKs send) or form-encoded body; undefined when empty. */
export function parseBody(contentType: string | undefined, raw: Buffer): Record<string, unknown> | undefined {
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? '')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  // Parsed bodies are logged and echoed in errors; a deep one would make JSON.stringify throw.
  if (jsonDepthExceeds(text, DEFAULT_BOUNDS.maxDepth)) {
    throw new ApiError(400, `JSON in request body nested deeper than ${DEFAULT_BOUNDS.maxDepth} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'malformed JSON in request body');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError(400, 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Header values as strings, minus the credentials, for the request log. */
export function loggableHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** An integer query or body param within bounds; undefined when absent, a 400 ApiError when malformed. */
export function integerParam(
  params: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ApiError(400, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** The `meta` of Plivo's paged lists; `next` / `previous` are relative URIs keeping the list's filters. */
export function listMeta(
  path: string,
  filters: URLSearchParams,
  page: { limit: number; offset: number; total: number },
): Record<string, unknown> {
  const { limit, offset, total } = page;
  const pageUri = (at: number): string => {
    const query = new URLSearchParams(filters);
    query.set('limit', String(limit));
    query.set('offset', String(at));
    return `${path}?${query}`;
  };
  return {
    limit,
    offset,
    total_count: total,
    next: offset + limit < total ? pageUri(offset + limit) : null,
    previous: offset > 0 ? pageUri(Math.max(0, offset - limit)) : null,
  };
}
