import * as vscode from 'vscode';
import { httpUrlProblem, type HttpMethod, type RecordOptions } from '../plivo';
import type { Services } from '../services/container';
import { CALLBACK_PATHS } from '../callbacks';
import { describeSource } from '../services/callbackUrls';
import { settings } from '../services/settings';
import { ensureListener, listenerCallbackUrl } from './listener';

const LAST_OPTIONS_KEY = 'plivo.record.lastOptions';

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

/** The options the questions start from: the last ones used in this workspace, else `plivo.record.defaults`. */
export function rememberedRecordOptions(services: Services): RecordOptions {
  return services.context.workspaceState.get<RecordOptions>(LAST_OPTIONS_KEY) ?? settings.recordDefaults();
}

export async function rememberRecordOptions(services: Services, options: RecordOptions): Promise<void> {
  await services.context.workspaceState.update(LAST_OPTIONS_KEY, options);
}

/**
 * Remembered callback and transcription URLs that pointed at an earlier listener (another port, an old tunnel)
 * moved onto the URL in use now, starting the listener for them; never sent stale. Others are kept as they are.
 */
export async function refreshOptionUrls(services: Services, options: RecordOptions): Promise<RecordOptions> {
  const fresh: RecordOptions = { ...options };
  for (const key of ['callbackUrl', 'transcriptionUrl'] as const) {
    const url = fresh[key];
    if (!url) continue;
    let update = services.urls.refreshRemembered(url);
    if (update.action !== 'kept' && (await ensureListener(services))) {
      await services.urls.base();
      update = services.urls.refreshRemembered(url);
    }
    if (update.action === 'kept') continue;
    if (update.action === 'rewritten') {
      services.log.info(`Remembered ${key} ${update.from} now points at ${update.url}.`);
      fresh[key] = update.url;
    } else {
      services.log.warn(`Remembered ${key} dropped: ${update.reason}.`);
      delete fresh[key];
    }
  }
  return fresh;
}

export function describeRecordOptions(o: RecordOptions): string {
  return [
    `${o.timeLimit ?? 60} s`,
    o.fileFormat ?? 'mp3',
    o.transcriptionType ? `transcription → ${o.transcriptionUrl ?? '?'}` : 'no transcription',
    o.callbackUrl ? `callback → ${o.callbackUrl} (${o.callbackMethod ?? 'POST'})` : 'no callback',
  ].join(' · ');
}

/**
 * Asks for the Record API's options (docs/plivo-api.md), pre-filled with the remembered ones. The first question offers to
 * record straight away with them. Resolves undefined when the user cancels.
 */
export async function askRecordOptions(services: Services, callUuid: string): Promise<RecordOptions | undefined> {
  const start = await refreshOptionUrls(services, rememberedRecordOptions(services));
  const title = `Record call ${callUuid.slice(0, 8)}…`;
  const first = await pick<'go' | 'edit'>(title, 'Record now, or change the options first', [
    { label: '$(record) Record', description: describeRecordOptions(start), value: 'go' },
    { label: '$(settings) Change options…', description: 'time limit, format, transcription, callback', value: 'edit' },
  ]);
  if (first === undefined) return undefined;
  if (first === 'go') return start;

  const timeLimit = await vscode.window.showInputBox({
    title: `${title} (1/4): time limit`,
    prompt: 'Maximum recording duration in seconds',
    value: String(start.timeLimit ?? 60),
    ignoreFocusOut: true,
    validateInput: (v) =>
      /^\d+$/.test(v.trim()) && Number(v) > 0 ? undefined : 'Enter a whole number of seconds greater than 0.',
  });
  if (timeLimit === undefined) return undefined;

  const fileFormat = await pick(
    `${title} (2/4): format`,
    'Format of the recording',
    [
      { label: 'mp3', description: 'smaller files (Plivo default)', value: 'mp3' as const },
      { label: 'wav', description: 'uncompressed', value: 'wav' as const },
    ],
    start.fileFormat ?? 'mp3',
  );
  if (fileFormat === undefined) return undefined;

  const options: RecordOptions = { timeLimit: Number(timeLimit), fileFormat };

  const transcribe = await pick(
    `${title} (3/4): transcription`,
    'Transcribe the recording?',
    [
      { label: 'No transcription', value: false },
      { label: 'Transcribe (auto)', description: 'the text is sent to a transcription URL', value: true },
    ],
    start.transcriptionType !== undefined,
  );
  if (transcribe === undefined) return undefined;
  if (transcribe) {
    const target = await askUrl(
      services,
      'transcription',
      `${title} (3/4): transcription URL`,
      start.transcriptionUrl,
      start.transcriptionMethod,
    );
    if (target === undefined) return undefined;
    Object.assign(options, {
      transcriptionType: 'auto',
      transcriptionUrl: target.url,
      transcriptionMethod: target.method,
    });
  }

  const callback = await pick(
    `${title} (4/4): callback`,
    'Call a URL when the recording ends?',
    [
      { label: 'No callback', description: 'Plivo answers at once with the recording URL', value: false },
      { label: 'Callback URL…', description: 'asynchronous mode: results are sent to the URL', value: true },
    ],
    start.callbackUrl !== undefined,
  );
  if (callback === undefined) return undefined;
  if (callback) {
    const target = await askUrl(
      services,
      'recording',
      `${title} (4/4): callback URL`,
      start.callbackUrl,
      start.callbackMethod,
    );
    if (target === undefined) return undefined;
    Object.assign(options, { callbackUrl: target.url, callbackMethod: target.method });
  }
  return options;
}

/** Offers the local listener's URL (starting it if needed), the last URL used, or a typed one; then the method. */
async function askUrl(
  services: Services,
  purpose: 'recording' | 'transcription',
  title: string,
  last: string | undefined,
  lastMethod: HttpMethod | undefined,
): Promise<{ url: string; method: HttpMethod } | undefined> {
  // The URL shown is the one sent: resolved now (public URL, tunnel, forwarded, local), and a remembered one
  // that pointed at an earlier listener is moved onto it or dropped.
  const state = services.listener.running ? await services.urls.refresh() : undefined;
  const remembered = last === undefined ? undefined : services.urls.refreshRemembered(last);
  const lastUrl = remembered?.action === 'dropped' ? undefined : remembered?.url;
  const choices: Choice<'listener' | 'last' | 'other'>[] = [
    {
      label: '$(radio-tower) Local callback listener',
      description: state?.url
        ? `${state.url}${CALLBACK_PATHS[purpose]} (${describeSource(state)})`
        : 'starts it, then uses a tunnel if one is running',
      value: 'listener',
    },
  ];
  if (lastUrl && lastUrl !== (state?.url && state.url + CALLBACK_PATHS[purpose])) {
    choices.push({ label: `$(history) ${lastUrl}`, description: 'last used', value: 'last' });
  }
  choices.push({ label: '$(edit) Another URL…', value: 'other' });
  const source = await pick(
    title,
    'Where should Plivo send it?',
    choices,
    choices.some((c) => c.value === 'last') ? 'last' : 'listener',
  );
  if (source === undefined) return undefined;
  let url: string | undefined;
  if (source === 'listener') url = await listenerCallbackUrl(services, purpose);
  else if (source === 'last') url = lastUrl;
  else {
    url = await vscode.window.showInputBox({
      title,
      prompt: 'An absolute http(s) URL that Plivo can reach',
      value: lastUrl ?? 'https://',
      ignoreFocusOut: true,
      validateInput: (v) => httpUrlProblem(v.trim()),
    });
    url = url?.trim();
  }
  if (!url) return undefined;
  const method = await pick(
    title,
    'HTTP method Plivo uses to call it',
    [
      { label: 'POST', description: 'form-encoded body (Plivo default)', value: 'POST' as const },
      { label: 'GET', description: 'parameters in the query string', value: 'GET' as const },
    ],
    lastMethod ?? 'POST',
  );
  return method === undefined ? undefined : { url, method };
}

async function pick<T>(title: string, placeHolder: string, choices: Choice<T>[], active?: T): Promise<T | undefined> {
  const ordered =
    active === undefined
      ? choices
      : [...choices.filter((c) => c.value === active), ...choices.filter((c) => c.value !== active)];
  const picked = await vscode.window.showQuickPick(ordered, { title, placeHolder, ignoreFocusOut: true });
  return picked?.value;
}
