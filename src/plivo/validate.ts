import { safeStringify } from './bounded';
import { PlivoError } from './errors';
import {
  FILE_FORMATS,
  HTTP_METHODS,
  RECORD_CHANNEL_TYPES,
  TRANSCRIPTION_TYPES,
  type PlivoCredentials,
  type RecordOptions,
} from './types';

/** Main accounts start with MA, subaccounts with SA; both are 20 upper-case letters and digits (as Plivo's SDKs check). */
export const AUTH_ID_PATTERN = /^(MA|SA)[A-Z0-9]{18}$/;

/** Plivo call UUIDs are UUID-shaped; some SDK fixtures have a shorter first group, so group lengths are bounds. */
export const CALL_UUID_PATTERN = /^[0-9a-f]{1,8}-[0-9a-f]{1,4}-[0-9a-f]{1,4}-[0-9a-f]{1,4}-[0-9a-f]{1,12}$/i;

function invalid(param: string, message: string): PlivoError {
  return new PlivoError('invalid-argument', message, { param });
}

/** Returns why an Auth ID is malformed, or undefined when it is fine (also used to validate input as it is typed). */
export function authIdProblem(authId: string): string | undefined {
  if (AUTH_ID_PATTERN.test(authId)) return undefined;
  return 'An Auth ID is 20 capital letters and digits starting with MA (account) or SA (subaccount), as shown on the Plivo console overview.';
}

export function authTokenProblem(authToken: string): string | undefined {
  if (authToken.length === 0) return 'The Auth Token is empty.';
  if (/\s/.test(authToken)) return 'The Auth Token contains spaces; paste it again without surrounding blanks.';
  if (authToken.length > 200) return 'The Auth Token is too long to be a Plivo token.';
  return undefined;
}

export function callUuidProblem(callUuid: string): string | undefined {
  if (CALL_UUID_PATTERN.test(callUuid)) return undefined;
  return `"${truncate(callUuid, 60)}" is not a Plivo call UUID (expected the form 6a5e3d5c-2b3f-4e1a-9c7d-0123456789ab).`;
}

export function assertCredentials(credentials: PlivoCredentials): void {
  const idProblem = authIdProblem(credentials.authId);
  if (idProblem) throw invalid('auth_id', idProblem);
  const tokenProblem = authTokenProblem(credentials.authToken);
  if (tokenProblem) throw invalid('auth_token', tokenProblem);
}

/** Keeps call UUIDs from injecting path segments or queries into the request URL. */
export function assertCallUuid(callUuid: string): void {
  const problem = callUuidProblem(callUuid);
  if (problem) throw invalid('call_uuid', problem);
}

/**
 * Bounds of the Record API's `time_limit`, in seconds. Plivo documents only the default (60), no
 * maximum; one day is the upper bound the client and the sandbox both enforce.
 */
export const TIME_LIMIT_BOUNDS = { min: 1, max: 86_400 } as const;

/** Returns why a `time_limit` is unacceptable, or undefined for a whole number of seconds within TIME_LIMIT_BOUNDS. */
export function timeLimitProblem(value: unknown): string | undefined {
  const { min, max } = TIME_LIMIT_BOUNDS;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return undefined;
  return `time_limit must be a whole number of seconds from ${min} to ${max} (got ${truncate(safeStringify(value), 40)}).`;
}

/** Whitespace and control characters: URL() silently drops some of them, fetch() and Plivo do not. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const URL_FORBIDDEN_CHARS = /[\s\u0000-\u001f\u007f]/;

/**
 * Returns why a URL cannot be given to Plivo, or undefined when it is an absolute http(s) URL
 * with a host and no whitespace anywhere (the client and the sandbox both check with this).
 */
export function httpUrlProblem(value: string): string | undefined {
  const shown = `"${truncate(value, 80)}"`;
  if (URL_FORBIDDEN_CHARS.test(value)) {
    return `${shown} contains spaces or control characters; a URL has none (encode a space as %20).`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${shown} is not an absolute URL (expected https://…).`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${shown} must start with http:// or https://.`;
  }
  if (url.hostname === '') return `${shown} has no host name.`;
  return undefined;
}

/**
 * The URL to open or download, or undefined when it is not a plain http(s) URL (`javascript:`,
 * `data:`, `file:`, `command:` and the like are never opened, whatever a callback claimed).
 */
export function safeExternalUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || httpUrlProblem(value) !== undefined) return undefined;
  return new URL(value).href;
}

function assertOneOf<T extends string>(param: string, value: unknown, allowed: readonly T[]): void {
  if (value === undefined) return;
  if (!allowed.includes(value as T)) {
    throw invalid(param, `${param} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)}).`);
  }
}

function assertUrl(param: string, value: string | undefined): void {
  if (value === undefined) return;
  const problem = httpUrlProblem(value);
  if (problem) throw invalid(param, `${param}: ${problem}`);
}

export function assertRecordOptions(options: RecordOptions): void {
  const timeProblem = options.timeLimit === undefined ? undefined : timeLimitProblem(options.timeLimit);
  if (timeProblem) throw invalid('time_limit', timeProblem);
  assertOneOf('file_format', options.fileFormat, FILE_FORMATS);
  assertOneOf('transcription_type', options.transcriptionType, TRANSCRIPTION_TYPES);
  assertOneOf('transcription_method', options.transcriptionMethod, HTTP_METHODS);
  assertOneOf('callback_method', options.callbackMethod, HTTP_METHODS);
  assertOneOf('record_channel_type', options.recordChannelType, RECORD_CHANNEL_TYPES);
  assertUrl('transcription_url', options.transcriptionUrl);
  assertUrl('callback_url', options.callbackUrl);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
