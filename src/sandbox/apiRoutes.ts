// The Plivo REST resources the sandbox implements, below /v1/Account/{auth_id}/.
import { randomUUID } from 'node:crypto';
import { getAccount, getSubaccount, listSubaccounts, type AccountDirectory } from './accountRoutes';
import { formatSessionStart } from './fakeCalls';
import { ApiError, errorReply, integerParam, jsonReply, type Reply } from './httpIo';
import { parseRecordParams, type RecordOptions } from './recordParams';
import { deleteRecording, getRecording, listRecordings, type RecordingStore } from './recordingRoutes';
import { startedResponse } from './recordings';
import type { SandboxAccount, SandboxCall, SandboxRecording } from './types';

const MAX_LIST_LIMIT = 20;

/** What the routes need from the sandbox's state. */
export interface ApiBackend extends RecordingStore, AccountDirectory {
  liveCalls(authId: string): SandboxCall[];
  liveCall(authId: string, callUuid: string): SandboxCall | undefined;
  startRecording(
    call: SandboxCall,
    options: RecordOptions,
    params: Record<string, unknown>,
    authToken: string,
  ): SandboxRecording;
  sendAsyncResponse(recordingId: string): void;
  /** Stops the call's active recordings, or only the one at `url`; returns how many stopped. */
  stopRecordings(callUuid: string, url?: string): number;
}

export interface ApiRequest {
  account: SandboxAccount;
  method: string;
  /** Decoded path segments after /v1/Account/{auth_id}/, trailing slash dropped. */
  resource: string[];
  /** Query string merged with the body (the body wins). */
  params: Record<string, unknown>;
}

export function routeApi(req: ApiRequest, backend: ApiBackend): Reply {
  if (req.resource.length === 0) return allow(req, ['GET'], () => getAccount(req.account));
  if (req.resource[0] === 'Subaccount') return routeSubaccounts(req, backend);
  if (req.resource[0] === 'Recording') return routeRecordings(req, backend);
  const [collection, callUuid, action, ...rest] = req.resource;
  if (collection !== 'Call' || rest.length > 0) return notFound();
  if (callUuid === undefined) return allow(req, ['GET'], () => listLiveCalls(req, backend));
  if (action === undefined) return allow(req, ['GET'], () => liveCallDetails(req, backend, callUuid));
  if (action !== 'Record') return notFound();
  return allow(req, ['POST', 'DELETE'], () =>
    req.method === 'POST' ? startRecording(req, backend, callUuid) : stopRecording(req, backend, callUuid),
  );
}

function routeRecordings(req: ApiRequest, backend: ApiBackend): Reply {
  const [, recordingId, ...rest] = req.resource;
  const authId = req.account.authId;
  if (rest.length > 0) return notFound();
  if (recordingId === undefined) return allow(req, ['GET'], () => listRecordings(authId, req.params, backend));
  return allow(req, ['GET', 'DELETE'], () =>
    req.method === 'GET' ? getRecording(authId, recordingId, backend) : deleteRecording(authId, recordingId, backend),
  );
}

function routeSubaccounts(req: ApiRequest, backend: ApiBackend): Reply {
  const [, authId, ...rest] = req.resource;
  if (rest.length > 0) return notFound();
  if (authId === undefined) return allow(req, ['GET'], () => listSubaccounts(req.account, req.params, backend));
  return allow(req, ['GET'], () => getSubaccount(req.account, authId, backend));
}

function notFound(): Reply {
  return errorReply(404, 'not found');
}

function allow(req: ApiRequest, methods: string[], handle: () => Reply): Reply {
  if (methods.includes(req.method)) return handle();
  return errorReply(405, `method ${req.method} not allowed here; use ${methods.join(' or ')}`, {
    Allow: methods.join(', '),
  });
}

/** Real Plivo lists completed calls (CDRs) without status=live; the sandbox keeps no call history. */
function requireLiveStatus(params: Record<string, unknown>): void {
  if (params.status !== 'live') {
    throw new ApiError(400, 'the sandbox only serves live calls: add status=live to the query string');
  }
}

function listLiveCalls(req: ApiRequest, backend: ApiBackend): Reply {
  requireLiveStatus(req.params);
  const limit = integerParam(req.params, 'limit', 1, MAX_LIST_LIMIT) ?? MAX_LIST_LIMIT;
  const offset = integerParam(req.params, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const matches = liveCallFilter(req.params);
  const calls = backend
    .liveCalls(req.account.authId)
    .filter(matches)
    .slice(offset, offset + limit);
  return jsonReply(200, { api_id: randomUUID(), calls: calls.map((c) => c.callUuid) });
}

/** Plivo's server-side filters of the live call list: `call_direction`, `from_number`, `to_number` (exact numbers). */
function liveCallFilter(params: Record<string, unknown>): (call: SandboxCall) => boolean {
  const direction = params.call_direction;
  if (direction !== undefined && direction !== 'inbound' && direction !== 'outbound') {
    throw new ApiError(400, `call_direction must be "inbound" or "outbound", got ${JSON.stringify(direction)}`);
  }
  const from = numberParam(params, 'from_number');
  const to = numberParam(params, 'to_number');
  return (call) =>
    (direction === undefined || call.direction === direction) &&
    (from === undefined || withoutPlus(call.from) === from) &&
    (to === undefined || withoutPlus(call.to) === to);
}

function numberParam(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\+?\d{1,20}$/.test(value)) {
    throw new ApiError(400, `${name} must be a phone number of digits, got ${JSON.stringify(value)}`);
  }
  return withoutPlus(value);
}

function withoutPlus(number: string): string {
  return number.replace(/^\+/, '');
}

function liveCallDetails(req: ApiRequest, backend: ApiBackend, callUuid: string): Reply {
  requireLiveStatus(req.params);
  const call = findCall(req, backend, callUuid);
  return jsonReply(200, {
    api_id: randomUUID(),
    call_uuid: call.callUuid,
    call_status: 'in-progress',
    direction: call.direction,
    from: call.from,
    to: call.to,
    caller_name: call.callerName,
    request_uuid: call.requestUuid,
    session_start: formatSessionStart(call.sessionStart),
    stir_verification: 'Not Applicable',
    stir_attestation: '',
  });
}

function startRecording(req: ApiRequest, backend: ApiBackend, callUuid: string): Reply {
  const call = findCall(req, backend, callUuid);
  const options = parseRecordParams(req.params);
  const recording = backend.startRecording(call, options, req.params, req.account.authToken);
  if (!options.callbackUrl) return jsonReply(202, startedResponse(recording));
  // Async mode: only the api_id now; the recording's details go to callback_url.
  return {
    ...jsonReply(200, { message: 'async api spawned', api_id: recording.apiId }),
    afterSent: () => backend.sendAsyncResponse(recording.recordingId),
  };
}

function stopRecording(req: ApiRequest, backend: ApiBackend, callUuid: string): Reply {
  // The SDKs send `URL`; plivo-node's snake-casing turns it into `url`, so accept both.
  const given = req.params.URL ?? req.params.url;
  if (given !== undefined && given !== null && typeof given !== 'string') {
    throw new ApiError(400, 'URL must be a string');
  }
  const url = given || undefined; // empty or null: stop them all
  const call = findCall(req, backend, callUuid);
  const stopped = backend.stopRecordings(call.callUuid, url);
  if (url && stopped === 0) throw new ApiError(404, `no active recording of this call at URL ${url}`);
  return { status: 204 };
}

function findCall(req: ApiRequest, backend: ApiBackend, callUuid: string): SandboxCall {
  const call = backend.liveCall(req.account.authId, callUuid);
  if (!call) throw new ApiError(404, 'call not found');
  return call;
}
