// Records shared by the listener, the store and the relay; plain JSON so they persist as-is.
import type { SignatureCheck } from '../plivo/signature';

export type CallbackKind = 'record' | 'transcription' | 'async' | 'unknown';

/** The fields a person looks for first, whichever casing Plivo used. */
export interface CallbackSummary {
  callUuid?: string;
  recordUrl?: string;
  recordingId?: string;
  apiId?: string;
  durationSeconds?: number;
  transcription?: string;
  transcriptionError?: string;
  message?: string;
  /** Asynchronous-mode `response` field, parsed when it is JSON. */
  response?: unknown;
  /** Why `response` is text although it looks like JSON (e.g. nested too deep to keep as an object). */
  responseNote?: string;
}

/** What the app answered to a forwarded or replayed callback, kept to show beside the request. */
export interface AppResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body's first 64 KiB as text (see `bodyTruncated`). */
  body: string;
  /** Size of the whole body in bytes; a lower bound when `bodySizeAtLeast` is set. */
  bodyBytes: number;
  bodyTruncated?: boolean;
  /** The body was too long to count to the end. */
  bodySizeAtLeast?: boolean;
}

/** Outcome of one outgoing request (forward, replay, test callback). */
export interface RelayResult {
  targetUrl: string;
  status?: number;
  ok: boolean;
  /** Latency: from sending the request to the end of the answer (or the failure). */
  durationMs: number;
  /** The body's first 2 KiB, for one-line displays. */
  responseSnippet: string;
  /** The full answer, when the app answered at all. */
  response?: AppResponse;
  /** Actionable text, e.g. "connection refused: is your app running on localhost:3000?". */
  error?: string;
}

export interface ReceivedCallback {
  id: string;
  receivedAt: string;
  method: string;
  /** Path with query string, as requested. */
  path: string;
  /** Lower-case names, as received. */
  headers: Record<string, string | string[]>;
  /** Raw body text, cut at a storage limit (see `bodyTruncated`). */
  body: string;
  bodyTruncated?: boolean;
  /** Size in bytes of the body as received, when `body` was cut. */
  bodyBytes?: number;
  contentType?: string;
  params: Record<string, string>;
  kind: CallbackKind;
  summary: CallbackSummary;
  /**
   * Set when `params` are exactly what parse.ts reads from `method`, `path`, `contentType` and `body` (a request the
   * listener accepted, its body kept whole), and so `kind` and `summary` too: the history then stores the request
   * alone and reads these three from it again (docs/reliability.md, "Requests, not copies").
   */
  paramsFromRequest?: true;
  signature: SignatureCheck;
  /** HTTP status the listener answered. */
  status: number;
  /** Why the listener refused the request, for 4xx answers. */
  error?: string;
  /** Result of relaying it to `plivo.listener.forwardUrl`. */
  forward?: RelayResult;
  /** The latest replay of it (Replay, Replay with Edits), with what the target answered. */
  replay?: ReplayResult;
}

export interface ReplayResult extends RelayResult {
  /** ISO time it was sent. */
  sentAt: string;
  /** Sent with parameters edited by the user. */
  edited?: boolean;
  /** Its own signature did not verify, and it was sent (signed) after the user confirmed. */
  unverified?: boolean;
}
