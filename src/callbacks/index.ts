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
  bodyForDisplay,
  callbackDescription,
  callbackFields,
  callbackFileName,
  callbackLabel,
  forwardText,
  kindName,
  oneLine,
  receivedDateTime,
  receivedTime,
  renderCallbackDocument,
  shortId,
  signatureText,
  statusText,
} from './format';
export { CallbackStore, type StoreLoadResult } from './store';
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
