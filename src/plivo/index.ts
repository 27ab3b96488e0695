export * from './types';
export * from './errors';
export * from './validate';
export { callDuration, callNumbers, formatPhoneNumber, liveCallCount } from './format';
export {
  PlivoClient,
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  LIVE_CALL_PAGE_SIZE,
  type PlivoClientOptions,
} from './client';
export {
  RequestLimiter,
  sharedLimiter,
  DEFAULT_MAX_REQUESTS_PER_WINDOW,
  DEFAULT_WINDOW_MS,
  type LimiterStats,
  type RequestLimiterOptions,
  type RequestPriority,
} from './limiter';
export {
  LiveCallsPager,
  type LiveCallsPagerOptions,
  type LiveCallsSnapshot,
  type LiveCallsSource,
  type PagerDisposable,
} from './liveCallsPager';
export * from './recordings';
export * from './download';
export * from './recordingCache';
