// Public API of the callback layer (no VS Code dependency).
export type { AppResponse, CallbackKind, CallbackSummary, ReceivedCallback, RelayResult, ReplayResult } from './model';
export {
  CallbackParseError,
  classifyCallback,
  parseCallbackParams,
  summarizeCallback,
  type RawCallbackRequest,
} from './parse';
export {
  CallbackListener,
  ListenerPortInUseError,
  findFreePort,
  signedUrlFor,
  type ListenerOptions,
  type SignedWith,
} from './listener';
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
  relayForDisplay,
  renderCallbackDocument,
  replayText,
  shortId,
  signatureText,
  statusText,
} from './format';
export {
  CallbackStore,
  type CallbackStoreOptions,
  type StoreChange,
  type StoreLoadResult,
  type StoreStats,
} from './store';
export { FORWARD_MAX_IN_FLIGHT, ForwardQueue } from './forwardQueue';
export {
  buildTestCallback,
  forwardCallback,
  forwardTargetFor,
  forwardTargets,
  forwardToApp,
  outgoingRequestFor,
  parseForwardSetting,
  replayCallback,
  sendCallback,
  sendSignedCallback,
  type ForwardSetting,
  type ForwardTargets,
  type OutgoingCallback,
  type RelayOptions,
  type TestCallbackKind,
  type TestCallbackOptions,
} from './relay';
export {
  DEFAULT_CLOUDFLARED_METRICS_URL,
  DEFAULT_NGROK_API_URL,
  detectCloudflared,
  detectNgrok,
  detectTunnel,
  type DetectOptions,
  type TunnelDetection,
  type TunnelSource,
} from './tunnels';
export {
  findExecutable,
  findTunnelTool,
  tunnelCommand,
  tunnelInstallHints,
  waitForTunnel,
  type InstallHint,
  type TunnelCommand,
} from './tunnelStart';
export {
  CALLBACK_PATHS,
  callbackUrlsFor,
  checkPublicUrl,
  refreshRememberedUrl,
  remoteWindowAdvice,
  resolveCallbackBase,
  type CallbackUrls,
  type CurrentListener,
  type RememberedUrlUpdate,
  type ResolvedBaseUrl,
  type UrlCandidates,
  type UrlSource,
} from './publicUrl';
export {
  plivoSigner,
  toCurl,
  toHttpFixture,
  toJsonFixture,
  toPowerShell,
  type CallbackSigner,
  type ExportResult,
} from './export';
export {
  checkRoundTrip,
  isRoundTripCheck,
  ROUND_TRIP_PARAM,
  type CallbackEvent,
  type RoundTripResult,
} from './roundTrip';
export { editableParams, editedRequestFor, parseEditedReplay, type EditedReplay } from './replayEdit';
export { CallbackFilterIndex, type FilterableHistory } from './filterIndex';
export { callUuidResolver, groupByCall, parseFilterQuery, type CallGroup, type CallbackFilter } from './grouping';
export {
  findTranscript,
  renderTranscript,
  transcriptFromCallback,
  type TranscriptRecord,
  type TranscriptTarget,
} from './transcripts';
