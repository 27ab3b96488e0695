export * from './types';
export * from './errors';
export * from './validate';
export { PlivoClient, DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, type PlivoClientOptions } from './client';
export { boundedClone, safeStringify, jsonDepthExceeds, DEFAULT_BOUNDS, type Bounds } from './bounded';
export { apiHostTrust, type ApiHostTrust } from './hostTrust';
export { isVerified, signatureLabel, type SignatureCheck } from './signature';
