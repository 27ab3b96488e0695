export * from './types';
export * from './errors';
export * from './validate';
export { callDuration, callNumbers, formatPhoneNumber, liveCallCount } from './format';
export * from './recordings';
export * from './subaccounts';
export * from './download';
export * from './recordingCache';
export * from './recordingFormat';
export { boundedClone, safeStringify, jsonDepthExceeds, DEFAULT_BOUNDS, type Bounds } from './bounded';
export { apiHostTrust, type ApiHostTrust } from './hostTrust';
export { isVerified, signatureLabel, type SignatureCheck } from './signature';
export {
  PlivoClient,
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  LIVE_CALL_PAGE_SIZE,
  type PlivoClientOptions,
} from './client';
export {
  PLIVO_RATE_LIMIT,
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
} from './liveCallsPager';
export { MAX_POLL_BACKOFF_MS, pollDelayMs } from './polling';
