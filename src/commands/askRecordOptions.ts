import type { HttpMethod, RecordOptions } from '../plivo';
import type { Services } from '../services/container';
import { settings } from '../services/settings';
import { CALLBACK_PATHS } from '../callbacks';
import { describeSource } from '../services/callbackUrls';
import { ensureListener, listenerCallbackUrl } from './listener';
import { BACK, inputStep, pickStep, type Choice, type StepFrame, type StepResult } from './quickSteps';
import { httpUrlProblem } from '../plivo';

const LAST_OPTIONS_KEY = 'plivo.record.lastOptions';
/** Plivo documents only `time_limit`'s default (60 s, docs/plivo-api.md); one day is the most this extension asks for. */
const TIME_LIMIT_MAX = 86_400;
const TOTAL_STEPS = 5;

/** The options the questions start from: the last ones used in this workspace, else `plivo.record.defaults`. */
export function rememberedRecordOptions(services: Services): RecordOptions {
  return services.context.workspaceState.get<RecordOptions>(LAST_OPTIONS_KEY) ?? settings.recordDefaults();
}

export async function rememberRecordOptions(services: Services, options: RecordOptions): Promise<void> {
  await services.context.workspaceState.update(LAST_OPTIONS_KEY, options);
}

export function describeRecordOptions(o: RecordOptions): string {
  return [
    `${o.timeLimit ?? 60} s`,
    o.fileFormat ?? 'mp3',
    o.transcriptionType ? `transcription → ${o.transcriptionUrl ?? '?'}` : 'no transcription',
    o.callbackUrl ? `callback → ${o.callbackUrl} (${o.callbackMethod ?? 'POST'})` : 'no callback',
  ].join(' · ');
}

function timeLimitInputProblem(value: string): string | undefined {
  const text = value.trim();
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= TIME_LIMIT_MAX
    ? undefined
    : `Enter a whole number of seconds from 1 to ${TIME_LIMIT_MAX} (24 hours).`;
}

type StepName =
  | 'start'
  | 'timeLimit'
  | 'format'
  | 'transcription'
  | 'transcriptionTarget'
  | 'transcriptionUrl'
  | 'transcriptionMethod'
  | 'callback'
  | 'callbackTarget'
  | 'callbackUrl'
  | 'callbackMethod'
  | 'summary'
  | 'done';

/** Which of the five counted steps each screen belongs to; URL questions count as part of their step. */
const STEP_NUMBER: Record<Exclude<StepName, 'start' | 'done'>, number> = {
  timeLimit: 1,
  format: 2,
  transcription: 3,
  transcriptionTarget: 3,
  transcriptionUrl: 3,
  transcriptionMethod: 3,
  callback: 4,
  callbackTarget: 4,
  callbackUrl: 4,
  callbackMethod: 4,
  summary: 5,
};

const STEP_TITLE: Record<number, string> = {
  1: 'time limit',
  2: 'format',
  3: 'transcription',
  4: 'callback',
  5: 'summary',
};

type Purpose = 'transcription' | 'callback';

/** The answers so far; URL targets are kept while the user goes back and forth. */
interface Draft {
  timeLimit: number;
  fileFormat: 'mp3' | 'wav';
  transcribe: boolean;
  callback: boolean;
  targets: Record<Purpose, { source?: 'listener' | 'last' | 'other'; url?: string; method: HttpMethod }>;
}

/**
 * Asks for the Record API's options (docs/plivo-api.md), pre-filled with the remembered ones. The first question
 * offers to record straight away with them; otherwise five steps follow, each with a Back button, the last one
 * summing up the answers. Resolves undefined when the user cancels.
 */
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

export async function askRecordOptions(services: Services, callName?: string): Promise<RecordOptions | undefined> {
  const start = await refreshOptionUrls(services, rememberedRecordOptions(services));
  const draft: Draft = {
    timeLimit: start.timeLimit ?? 60,
    fileFormat: start.fileFormat ?? 'mp3',
    transcribe: start.transcriptionType !== undefined,
    callback: start.callbackUrl !== undefined,
    targets: {
      transcription: { url: start.transcriptionUrl, method: start.transcriptionMethod ?? 'POST' },
      callback: { url: start.callbackUrl, method: start.callbackMethod ?? 'POST' },
    },
  };
  const last = { transcription: start.transcriptionUrl, callback: start.callbackUrl };
  const title = `Record ${callName ?? 'call'}`;
  const history: StepName[] = [];
  let current: StepName = 'start';
  for (;;) {
    const frame: StepFrame = {
      title: current === 'start' || current === 'done' ? title : `${title}: ${STEP_TITLE[STEP_NUMBER[current]]}`,
      step: current === 'start' || current === 'done' ? undefined : STEP_NUMBER[current],
      totalSteps: current === 'start' ? undefined : TOTAL_STEPS,
      back: history.length > 0,
    };
    const result = await runStep(services, current, frame, draft, last, start);
    if (result === undefined) return undefined;
    if (result === BACK) {
      current = history.pop() ?? 'start';
      continue;
    }
    if (result === 'done') return current === 'start' ? start : toOptions(draft);
    history.push(current);
    current = result;
  }
}

async function runStep(
  services: Services,
  step: StepName,
  frame: StepFrame,
  draft: Draft,
  last: Record<Purpose, string | undefined>,
  remembered: RecordOptions,
): Promise<StepResult<StepName>> {
  switch (step) {
    case 'start':
      return pickStep<StepName>(frame, 'Record now, or change the options first', [
        { label: '$(record) Record', description: describeRecordOptions(remembered), value: 'done' },
        {
          label: '$(settings) Change options…',
          description: 'time limit, format, transcription, callback',
          value: 'timeLimit',
        },
      ]);
    case 'timeLimit':
      return then(
        await inputStep(
          frame,
          `Maximum recording duration in seconds (1 to ${TIME_LIMIT_MAX})`,
          String(draft.timeLimit),
          timeLimitInputProblem,
        ),
        (v) => {
          draft.timeLimit = Number(v);
          return 'format';
        },
      );
    case 'format':
      return then(
        await pickStep(
          frame,
          'Format of the recording',
          [
            { label: 'mp3', description: 'smaller files (Plivo default)', value: 'mp3' as const },
            { label: 'wav', description: 'uncompressed', value: 'wav' as const },
          ],
          draft.fileFormat,
        ),
        (v) => {
          draft.fileFormat = v;
          return 'transcription';
        },
      );
    case 'transcription':
    case 'callback': {
      const transcription = step === 'transcription';
      const choices: Choice<boolean>[] = transcription
        ? [
            { label: 'No transcription', value: false },
            { label: 'Transcribe (auto)', description: 'the text is sent to a transcription URL', value: true },
          ]
        : [
            { label: 'No callback', description: 'Plivo answers at once with the recording URL', value: false },
            { label: 'Callback URL…', description: 'asynchronous mode: results are sent to the URL', value: true },
          ];
      const question = transcription ? 'Transcribe the recording?' : 'Call a URL when the recording ends?';
      const current = transcription ? draft.transcribe : draft.callback;
      return then(await pickStep(frame, question, choices, current), (yes) => {
        if (transcription) draft.transcribe = yes;
        else draft.callback = yes;
        if (yes) return `${step}Target`;
        return transcription ? 'callback' : 'summary';
      });
    }
    case 'transcriptionTarget':
    case 'callbackTarget':
      return askTargetSource(services, frame, purposeOf(step), draft, last);
    case 'transcriptionUrl':
    case 'callbackUrl': {
      const target = draft.targets[purposeOf(step)];
      return then(
        await inputStep(frame, 'An absolute http(s) URL that Plivo can reach', target.url ?? 'https://', (v) =>
          httpUrlProblem(v.trim()),
        ),
        (url) => {
          target.url = url;
          return `${purposeOf(step)}Method`;
        },
      );
    }
    case 'transcriptionMethod':
    case 'callbackMethod': {
      const purpose = purposeOf(step);
      const target = draft.targets[purpose];
      return then(
        await pickStep(
          frame,
          `HTTP method Plivo uses to call ${target.url}`,
          [
            { label: 'POST', description: 'form-encoded body (Plivo default)', value: 'POST' as const },
            { label: 'GET', description: 'parameters in the query string', value: 'GET' as const },
          ],
          target.method,
        ),
        (method) => {
          target.method = method;
          return purpose === 'transcription' ? 'callback' : 'summary';
        },
      );
    }
    case 'summary':
      return pickStep<StepName>(frame, 'Start the recording with these options?', summaryChoices(draft), 'done');
    case 'done':
      return 'done';
  }
}

function purposeOf(step: StepName): Purpose {
  return step.startsWith('transcription') ? 'transcription' : 'callback';
}

/** The local listener (started if needed), the last URL used, or a typed one. */
async function askTargetSource(
  services: Services,
  frame: StepFrame,
  purpose: Purpose,
  draft: Draft,
  last: Record<Purpose, string | undefined>,
): Promise<StepResult<StepName>> {
  const target = draft.targets[purpose];
  const path = CALLBACK_PATHS[purpose === 'transcription' ? 'transcription' : 'recording'];
  // The URL shown is the one sent: resolved now (public URL, tunnel, forwarded, local), and a remembered one
  // that pointed at an earlier listener is moved onto it or dropped.
  const state = services.listener.running ? await services.urls.refresh() : undefined;
  const remembered = last[purpose] === undefined ? undefined : services.urls.refreshRemembered(last[purpose]);
  const previous = remembered?.action === 'dropped' ? undefined : remembered?.url;
  const choices: Choice<'listener' | 'last' | 'other'>[] = [
    {
      label: '$(radio-tower) Local callback listener',
      description: state?.url
        ? `${state.url}${path} (${describeSource(state)})`
        : 'starts it, then uses a tunnel if one is running',
      value: 'listener',
    },
  ];
  if (previous && previous !== (state?.url && state.url + path)) {
    choices.push({ label: `$(history) ${previous}`, description: 'last used', value: 'last' });
  }
  choices.push({ label: '$(edit) Another URL…', value: 'other' });
  const source = await pickStep(
    frame,
    `Where should Plivo send the ${purpose}?`,
    choices,
    target.source ?? (choices.some((c) => c.value === 'last') ? 'last' : 'listener'),
  );
  if (source === undefined || source === BACK) return source;
  target.source = source;
  if (source === 'other') return `${purpose}Url`;
  const url =
    source === 'last'
      ? previous
      : await listenerCallbackUrl(services, purpose === 'transcription' ? 'transcription' : 'recording');
  if (!url) return undefined;
  target.url = url;
  return `${purpose}Method`;
}

/** The last step: what will be sent, each answer a row that leads back to its step. */
function summaryChoices(draft: Draft): Choice<StepName>[] {
  const options = toOptions(draft);
  return [
    { label: '$(record) Start recording', value: 'done' },
    { label: `Time limit: ${draft.timeLimit} s`, description: 'change', value: 'timeLimit' },
    { label: `Format: ${draft.fileFormat}`, description: 'change', value: 'format' },
    {
      label: `Transcription: ${options.transcriptionUrl ? `${options.transcriptionMethod} ${options.transcriptionUrl}` : 'none'}`,
      description: 'change',
      value: 'transcription',
    },
    {
      label: `Callback: ${options.callbackUrl ? `${options.callbackMethod} ${options.callbackUrl}` : 'none'}`,
      description: 'change',
      value: 'callback',
    },
  ];
}

function toOptions(draft: Draft): RecordOptions {
  const options: RecordOptions = { timeLimit: draft.timeLimit, fileFormat: draft.fileFormat };
  const { transcription, callback } = draft.targets;
  if (draft.transcribe && transcription.url) {
    Object.assign(options, {
      transcriptionType: 'auto',
      transcriptionUrl: transcription.url,
      transcriptionMethod: transcription.method,
    });
  }
  if (draft.callback && callback.url) {
    Object.assign(options, { callbackUrl: callback.url, callbackMethod: callback.method });
  }
  return options;
}

/** Passes Back and cancel through; otherwise records the answer and names the next step. */
function then<T>(result: StepResult<T>, next: (value: T) => StepName): StepResult<StepName> {
  if (result === undefined || result === BACK) return result as undefined | typeof BACK;
  return next(result);
}
