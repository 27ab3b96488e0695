import * as vscode from 'vscode';
import {
  buildTestCallback,
  kindName,
  shortId,
  type RelayResult,
  type TestCallbackKind,
  type TestCallbackOptions,
} from '../callbacks';
import type { Services } from '../services/container';
import { callbackPath } from '../services/listenerService';
import type { RecordingEntry } from '../services/recordingsStore';
import { accountToken, pickCallbackDestination, reportResult, sendToTarget, type CallbackTarget } from './delivery';

const TITLE = 'Send Test Callback';

interface KindPick extends vscode.QuickPickItem {
  callbackKind: TestCallbackKind;
}

const KINDS: KindPick[] = [
  {
    label: '$(file-media) Recording done',
    description: 'record_url, recording_id, recording_duration…',
    callbackKind: 'record',
  },
  { label: '$(quote) Transcription', description: 'transcription text of a recording', callbackKind: 'transcription' },
  {
    label: '$(sync) Async response',
    description: "Plivo's answer to a Record API request made in asynchronous mode",
    callbackKind: 'async',
  },
];

/** Where the listener receives each kind, as `callbackUrl()` hands out. */
function listenerPath(kind: TestCallbackKind): string {
  return callbackPath(kind === 'transcription' ? 'transcription' : 'recording');
}

function latestRecording(services: Services): RecordingEntry | undefined {
  let latest: RecordingEntry | undefined;
  for (const recording of services.recordings.all()) {
    if (!latest || recording.startedAt > latest.startedAt) latest = recording;
  }
  return latest;
}

/** The identifiers of `recording`, so that the callback applies to it (the Calls view marks it done or fills its URL). */
export function matchingOptions(recording: RecordingEntry, now = Date.now()): TestCallbackOptions {
  const elapsed = Math.max(1, Math.round((now - recording.startedAt) / 1000));
  return {
    callUuid: recording.callUuid,
    apiId: recording.apiId,
    recordUrl: recording.url,
    recordingId: recording.recordingId,
    durationSeconds: Math.min(elapsed, recording.timeLimit),
  };
}

interface MatchPick extends vscode.QuickPickItem {
  match: boolean;
}

/** `{}` for sample identifiers, undefined when cancelled. */
async function pickIdentifiers(services: Services, target: CallbackTarget): Promise<TestCallbackOptions | undefined> {
  const recording = latestRecording(services);
  if (!recording) return {};
  const items: MatchPick[] = [
    {
      label: '$(record) Match my latest recording',
      description: `call ${shortId(recording.callUuid)} · started ${new Date(recording.startedAt).toLocaleTimeString()}`,
      detail: target.listener
        ? 'The Calls view shows what the callback says about it.'
        : 'Uses its call_uuid, api_id and recording URL.',
      match: true,
    },
    { label: '$(symbol-misc) Sample identifiers', description: 'random call_uuid, api_id and recording', match: false },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: TITLE,
    placeHolder: 'Which call and recording should it be about?',
  });
  if (!picked) return undefined;
  return picked.match ? matchingOptions(recording) : {};
}

/** Plivo: Send Test Callback… — a sample shaped like Plivo's, signed with the account's Auth Token when there is one. */
export async function sendTestCallback(services: Services): Promise<RelayResult | undefined> {
  const kind = (
    await vscode.window.showQuickPick(KINDS, { title: TITLE, placeHolder: 'Which callback should be sent?' })
  )?.callbackKind;
  if (!kind) return undefined;
  const target = await pickCallbackDestination(services, { title: TITLE, listenerPath: listenerPath(kind), kind });
  if (!target) return undefined;
  const options = await pickIdentifiers(services, target);
  if (!options) return undefined;
  return deliverTestCallback(services, kind, target, options, await accountToken(services));
}

/** Builds, sends (POST, form-encoded) and reports one test callback. */
export async function deliverTestCallback(
  services: Services,
  kind: TestCallbackKind,
  target: CallbackTarget,
  options: TestCallbackOptions,
  token: string | undefined,
): Promise<RelayResult> {
  const params = buildTestCallback(kind, options);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Sending a test ${kindName(kind)} callback` },
    () => sendToTarget(target, { method: 'POST', params }, token),
  );
  reportResult(services, result, {
    what: `Test ${kindName(kind)} callback`,
    target,
    signed: token !== undefined,
    retry: () => deliverTestCallback(services, kind, target, options, token),
  });
  return result;
}
