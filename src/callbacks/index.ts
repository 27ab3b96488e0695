// Public API of the callback layer (no VS Code dependency).
export type { CallbackKind, CallbackSummary, ReceivedCallback, RelayResult } from './model';
export {
  CallbackParseError,
  classifyCallback,
  parseCallbackParams,
  summarizeCallback,
  type RawCallbackRequest,
} from './parse';
export { CallbackListener, ListenerPortInUseError, findFreePort, signedUrlFor, type ListenerOptions } from './listener';
export {
  CallbackStore,
  type CallbackStoreOptions,
  type Disposable,
  type StoreChange,
  type StoreLoadResult,
  type StoreStats,
} from './store';
export {
  buildTestCallback,
  forwardCallback,
  replayCallback,
  sendCallback,
  sendSignedCallback,
  type OutgoingCallback,
  type RelayOptions,
  type TestCallbackKind,
  type TestCallbackOptions,
} from './relay';
