// Public shapes of the sandbox: what the rest of the extension and the tests code against.

export interface SandboxAccount {
  authId: string;
  authToken: string;
  /** Shown by the Account and Subaccount APIs. */
  name?: string;
  /** Makes this a subaccount of that main account, which then lists it through the Subaccount API. */
  parentAuthId?: string;
}

export interface SandboxChurnOptions {
  minSeconds: number;
  maxSeconds: number;
}

export interface SandboxOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default: the demo account and its two demo subaccounts. */
  accounts?: SandboxAccount[];
  /** Multiplies every simulated duration (time_limit, churn); tests use e.g. 0.01. Default 1. */
  timeScale?: number;
  /** Calls live at start. Default 0. */
  liveCalls?: number | SandboxCallInit[];
  /** Simulated calls end after a random lifetime and are replaced. Default false. */
  churn?: boolean | SandboxChurnOptions;
  /** Timeout for each callback the sandbox sends. Default 5000. */
  callbackTimeoutMs?: number;
  /** Simulated ms from a recording's end to its transcription callback (Plivo takes minutes). Default 5000. */
  transcriptionDelayMs?: number;
  /** Requests per account beyond which API requests get 429, as at Plivo. Default 300 per 5 s; false: no limit. */
  rateLimit?: SandboxRateLimit | false;
}

export interface SandboxRateLimit {
  /** Requests one account may make per window. */
  requests: number;
  /** Length of the sliding window in ms. */
  windowMs: number;
}

export type CallDirection = 'inbound' | 'outbound';

export interface SandboxCallInit {
  callUuid?: string;
  from?: string;
  to?: string;
  direction?: CallDirection;
  callerName?: string;
  /** Owning account; default the first configured account. */
  authId?: string;
}

export interface SandboxCall {
  callUuid: string;
  from: string;
  to: string;
  direction: CallDirection;
  callerName: string;
  requestUuid: string;
  sessionStart: Date;
  authId: string;
}

export type RecordingFormat = 'mp3' | 'wav';
export type HttpCallbackMethod = 'GET' | 'POST';

export interface SandboxRecording {
  recordingId: string;
  callUuid: string;
  /** Owning account. */
  authId: string;
  /** The recorded call's numbers. */
  from: string;
  to: string;
  conferenceName?: string;
  url: string;
  /** The api_id returned by the Record request (and sent in its callbacks). */
  apiId: string;
  format: RecordingFormat;
  timeLimit: number;
  /** The request params as received (query merged with body). */
  params: Record<string, unknown>;
  state: 'recording' | 'done' | 'stopped';
  startedAt: Date;
  /** When it ended; from then on the Recording API lists it. */
  endedAt?: Date;
  /** Final duration, set when it ends (simulated time). */
  durationMs?: number;
}

/** A finished recording to seed with Sandbox.addRecording(); every field has a plausible default. */
export interface SandboxRecordingInit {
  callUuid?: string;
  from?: string;
  to?: string;
  /** Owning account; default the first configured account. */
  authId?: string;
  conferenceName?: string;
  /** Default mp3. */
  format?: RecordingFormat;
  /** Default 5000. */
  durationMs?: number;
  /** When it ended (its add_time); default now. */
  endedAt?: Date;
}

export interface SandboxRequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON or form body; undefined when there was none or it could not be parsed. */
  body: unknown;
  /** Lower-case names; Authorization removed. */
  headers: Record<string, string>;
  status: number;
  at: Date;
}

export type CallbackKind = 'async' | 'record' | 'transcription';

export interface SandboxCallbackLog {
  kind: CallbackKind;
  /** The URL as given in the request, without the callback params a GET adds. */
  url: string;
  method: HttpCallbackMethod;
  params: Record<string, string>;
  /** HTTP status the receiver answered, when it answered. */
  status?: number;
  /** Why delivery failed (network error, timeout or non-2xx status). */
  error?: string;
  at: Date;
}

export interface SandboxFault {
  status?: number;
  /** A string is sent raw (e.g. an HTML error page); an object is sent as JSON. */
  body?: string | object;
  delayMs?: number;
  /** How many consecutive API requests get this fault. Default 1. */
  times?: number;
}
