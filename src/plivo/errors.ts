/** Why a Plivo request failed, in terms a person can act on. */
export type PlivoErrorCode =
  | 'invalid-argument' // rejected before any request was sent
  | 'bad-request' // 400
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'already-deleted' // 404 on deleting a recording: someone else deleted it first
  | 'method-not-allowed' // 405
  | 'rate-limited' // 429
  | 'server-error' // 5xx
  | 'unexpected-status'
  | 'bad-response' // a body that is not the JSON Plivo sends
  | 'timeout'
  | 'network';

export interface PlivoErrorDetails {
  status?: number;
  apiId?: string;
  /** The parameter a validation error is about (`time_limit`, `call_uuid`, ...). */
  param?: string;
  /** Plivo's own error text, when it sent one. */
  serverMessage?: string;
  retryAfterSeconds?: number;
}

export class PlivoError extends Error {
  readonly status?: number;
  readonly apiId?: string;
  readonly param?: string;
  readonly serverMessage?: string;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: PlivoErrorCode,
    message: string,
    details: PlivoErrorDetails = {},
  ) {
    super(message);
    this.name = 'PlivoError';
    Object.assign(this, details);
  }

  /** True when trying the same request again later may succeed. */
  get retryable(): boolean {
    return ['rate-limited', 'server-error', 'timeout', 'network'].includes(this.code);
  }
}
