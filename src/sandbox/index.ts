// The offline sandbox: a Plivo-compatible local API server, used as the test double and as a demo.
export { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, SANDBOX_SUBACCOUNTS } from './accounts';
export { Sandbox } from './sandbox';
export type {
  CallDirection,
  CallbackKind,
  HttpCallbackMethod,
  RecordingFormat,
  SandboxAccount,
  SandboxCall,
  SandboxCallInit,
  SandboxCallbackLog,
  SandboxChurnOptions,
  SandboxFault,
  SandboxOptions,
  SandboxRateLimit,
  SandboxRecording,
  SandboxRecordingInit,
  SandboxRequestLog,
} from './types';
