/** Types of the Plivo Voice API subset this extension uses (Record, live calls). */

export interface PlivoCredentials {
  readonly authId: string;
  readonly authToken: string;
}

export type HttpMethod = 'GET' | 'POST';
export type FileFormat = 'mp3' | 'wav';
/** `hybrid` is deprecated by Plivo (processed as `auto`) but still accepted. */
export type TranscriptionType = 'auto' | 'hybrid';
export type RecordChannelType = 'mono' | 'stereo';

export const FILE_FORMATS: readonly FileFormat[] = ['mp3', 'wav'];
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST'];
export const TRANSCRIPTION_TYPES: readonly TranscriptionType[] = ['auto', 'hybrid'];
export const RECORD_CHANNEL_TYPES: readonly RecordChannelType[] = ['mono', 'stereo'];

/** Optional parameters of `POST /Call/{call_uuid}/Record/`; every field maps to the snake_case parameter of the same name. */
export interface RecordOptions {
  /** Max recording duration in seconds. Plivo's default: 60. */
  timeLimit?: number;
  /** Plivo's default: mp3. */
  fileFormat?: FileFormat;
  transcriptionType?: TranscriptionType;
  transcriptionUrl?: string;
  /** Plivo's default: POST. */
  transcriptionMethod?: HttpMethod;
  /** Called when the recording ends; its presence also runs the API call in asynchronous mode. */
  callbackUrl?: string;
  /** Plivo's default: POST. */
  callbackMethod?: HttpMethod;
  recordChannelType?: RecordChannelType;
}

/** The 202 answer: the recording runs and will be stored at `url`. */
export interface RecordingStarted {
  readonly kind: 'started';
  readonly url: string;
  readonly message: string;
  readonly recordingId?: string;
  readonly apiId: string;
}

/** The asynchronous-mode answer: only the `api_id`; the response arrives later at `callback_url`. */
export interface RecordingQueued {
  readonly kind: 'async';
  readonly message: string;
  readonly apiId: string;
}

export type StartRecordingResult = RecordingStarted | RecordingQueued;

export interface StopRecordingOptions {
  /** Stop only the recording stored at this URL; without it every recording of the call stops. */
  url?: string;
}

export interface LiveCall {
  readonly callUuid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: string;
  readonly callStatus: string;
  readonly callerName?: string;
  readonly requestUuid?: string;
  /** As Plivo sends it: `YYYY-MM-DD HH:MM:SS.ffffff`, UTC, no zone. */
  readonly sessionStart?: string;
  readonly stirVerification?: string;
  readonly stirAttestation?: string;
}

/** One line of the request log the client reports through `onRequest`; it never holds credentials. */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly apiId?: string;
  readonly error?: string;
}

/** Server-side filters of the live call list (`call_direction`, `from_number`, `to_number`). */
export interface LiveCallFilters {
  readonly callDirection?: 'inbound' | 'outbound';
  /** Digits, as Plivo shows numbers (an optional leading `+`). */
  readonly fromNumber?: string;
  readonly toNumber?: string;
}

/** Per-request options of the client's read methods. */
export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Default: 'background' for reads, 'user' for Record and Stop. */
  readonly priority?: 'user' | 'background';
}

export interface ListLiveCallIdsOptions extends RequestOptions {
  /** 1-20, default 20 (Plivo's page size limit). */
  readonly limit?: number;
  readonly offset?: number;
  readonly filters?: LiveCallFilters;
}

/** One page of live call UUIDs; `hasMore` is true when the page was full. */
export interface LiveCallIdsPage {
  readonly uuids: string[];
  readonly hasMore: boolean;
}
