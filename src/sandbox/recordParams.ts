// Validation of the Record API's optional params. Strict on purpose: the sandbox is the
// test double, so a client sending a value Plivo would reject should fail here too. Values are
// checked by the same functions the client uses; only the reading of form strings is the sandbox's.
import { httpUrlProblem, timeLimitProblem } from '../plivo/validate';
import { ApiError } from './httpIo';
import type { HttpCallbackMethod, RecordingFormat } from './types';

export interface RecordOptions {
  timeLimit: number;
  format: RecordingFormat;
  /** `hybrid` is deprecated by Plivo and processed as `auto`. */
  transcriptionType?: 'auto' | 'hybrid';
  transcriptionUrl?: string;
  transcriptionMethod: HttpCallbackMethod;
  /** Also switches the request to asynchronous mode. */
  callbackUrl?: string;
  callbackMethod: HttpCallbackMethod;
  channelType?: 'mono' | 'stereo';
}

const DEFAULT_TIME_LIMIT = 60;
const METHODS = ['GET', 'POST'] as const;

/** Unknown params are ignored, as Plivo does. Throws a 400 ApiError naming the first bad param. */
export function parseRecordParams(params: Record<string, unknown>): RecordOptions {
  return {
    timeLimit: timeLimit(params) ?? DEFAULT_TIME_LIMIT,
    format: oneOf(params, 'file_format', ['mp3', 'wav'] as const) ?? 'mp3',
    transcriptionType: oneOf(params, 'transcription_type', ['auto', 'hybrid'] as const),
    transcriptionUrl: httpUrl(params, 'transcription_url'),
    transcriptionMethod: oneOf(params, 'transcription_method', METHODS) ?? 'POST',
    callbackUrl: httpUrl(params, 'callback_url'),
    callbackMethod: oneOf(params, 'callback_method', METHODS) ?? 'POST',
    channelType: oneOf(params, 'record_channel_type', ['mono', 'stereo'] as const),
  };
}

/** null counts as absent: some clients serialise unset optional fields that way. */
function present(params: Record<string, unknown>, name: string): unknown {
  const value = params[name];
  return value === null ? undefined : value;
}

function timeLimit(params: Record<string, unknown>): number | undefined {
  const value = present(params, 'time_limit');
  if (value === undefined) return undefined;
  // Form and query values arrive as text: digits only, so "1e3" or " 60" are not numbers here.
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  const problem = timeLimitProblem(n);
  if (problem) throw new ApiError(400, problem);
  return n as number;
}

function oneOf<T extends string>(params: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const value = present(params, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ApiError(400, `${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function httpUrl(params: Record<string, unknown>, name: string): string | undefined {
  const value = present(params, name);
  if (value === undefined) return undefined;
  const problem = typeof value === 'string' ? httpUrlProblem(value) : 'must be a URL string';
  if (problem) throw new ApiError(400, `${name}: ${problem}`);
  return value as string;
}
