export * from './types';
export * from './errors';
export * from './validate';
export { callDuration } from './format';
export { PlivoClient, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, type PlivoClientOptions } from './client';
export * from './recordings';
export * from './download';
export * from './recordingCache';
export * from './recordingFormat';
