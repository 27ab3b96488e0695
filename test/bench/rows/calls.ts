// One Calls refresh vs Plivo's Node SDK making the same requests, and the request rate under Refresh spam.
//
// The SDK sends voice requests to a hard-coded https://api.plivo.com (dist/rest/axios.js, `apiVoiceUris`), through
// a fresh `axios.create()` instance per request (its `retryWrapper`). The bench wraps `axios.create` of the very
// axios module the SDK loads, so each instance gets a request interceptor that rewrites that host to the sandbox.
import { createRequire } from 'node:module';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN } from '../../../src/sandbox';
import { Child, cpuMs, interleave, summarize, type RowResult } from '../harness';
import type { SandboxHostMessage, ServedRequest } from '../sandboxHost';
import { callsClient, limitedRefresher, REQUEST_BUDGET_PER_5S, someLiveCallUuids } from '../subjects';

const ROW = 'Calls refresh';
const LIVE_CALLS = [50, 500, 5000];
// A refresh's CPU is mostly loopback HTTP, and a shared machine's scheduler makes one refresh's figure noisy: with 5
// pairs of single refreshes the medians ranged 0.81–1.02× over runs of the same code. So: more pairs, and each run
// repeats its refresh until it has made at least this many requests (at 50 live calls one refresh makes 53).
const PAIRS = 11;
const MIN_REQUESTS_PER_RUN = 600;
/** Detail requests in flight at once when the SDK replays a refresh (what a careful SDK user would do). */
const SDK_CONCURRENCY = 4;
const PLIVO_HOST = 'https://api.plivo.com';
const SPAM_EVERY_MS = 50;
const SPAM_FOR_MS = 6000;
/** The sandbox the spam row refreshes (5,000 live calls). */
const SPAM_SANDBOX = 2;
/** Record then Stop on this many calls, one second into the spam, as a user would click them. */
const USER_ACTIONS = 5;
const USER_ACTIONS_AT_MS = 1000;

interface AxiosConfig {
  url?: string;
}
interface AxiosLike {
  create(config?: object): { interceptors: { request: { use(f: (c: AxiosConfig) => AxiosConfig): number } } };
}
interface Sdk {
  calls: {
    listLiveCalls(params: Record<string, string>): Promise<unknown[]>;
    getLiveCall(uuid: string): Promise<unknown>;
  };
}

let sdkTarget = '';

function plivoSdk(): Sdk {
  const sdkPath = require.resolve('plivo');
  const axiosModule = createRequire(sdkPath)('axios') as AxiosLike & { default?: AxiosLike };
  for (const axios of new Set([axiosModule, axiosModule.default ?? axiosModule])) {
    const create = axios.create.bind(axios);
    axios.create = (config) => {
      const instance = create(config);
      instance.interceptors.request.use((c) => ({ ...c, url: c.url?.replace(PLIVO_HOST, sdkTarget) }));
      return instance;
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require(sdkPath) as { Client: new (id: string, token: string) => Sdk };
  return new Client(SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN);
}

/** Details of the given calls, `SDK_CONCURRENCY` at a time. */
async function details(sdk: Sdk, uuids: string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < uuids.length) await sdk.calls.getLiveCall(uuids[next++]);
  };
  await Promise.all(Array.from({ length: SDK_CONCURRENCY }, worker));
}

/**
 * The SDK makes exactly the requests the subject made, in the same order: each list page, then the details of its
 * calls (the run of detail requests that followed it), then the next page.
 */
async function replay(sdk: Sdk, requests: ServedRequest[]): Promise<void> {
  let uuids: string[] = [];
  for (const request of requests) {
    const detail = /\/Call\/([^/]+)\/$/.exec(request.path);
    if (detail) {
      uuids.push(decodeURIComponent(detail[1]));
      continue;
    }
    await details(sdk, uuids);
    uuids = [];
    await sdk.calls.listLiveCalls({ limit: request.query.limit, offset: request.query.offset });
  }
  await details(sdk, uuids);
}

/** The busiest 5-second window of the served requests. */
function busiestFiveSeconds(requests: ServedRequest[]): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let busiest = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= 5000) start++;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}

async function spamRow(host: Child, index: number, url: string): Promise<RowResult> {
  const metric = `requests per 5 s, Refresh every ${SPAM_EVERY_MS} ms for ${SPAM_FOR_MS / 1000} s`;
  const goal = { op: '<=', value: REQUEST_BUDGET_PER_5S } as const;
  const target = limitedRefresher(url);
  const uuids = await someLiveCallUuids(url, USER_ACTIONS);
  await host.ask<ServedRequest[]>({ op: 'drain', index } satisfies SandboxHostMessage);
  const pending: Promise<unknown>[] = [];
  let userFailures = 0;
  const userActions = async (): Promise<void> => {
    for (const uuid of uuids) {
      await target.record(uuid).catch(() => userFailures++);
      await target.stop(uuid).catch(() => userFailures++);
    }
  };
  const started = performance.now();
  let userStarted = false;
  let userMs = 0;
  while (performance.now() - started < SPAM_FOR_MS) {
    pending.push(target.refresh().catch(() => undefined));
    if (!userStarted && performance.now() - started >= USER_ACTIONS_AT_MS) {
      userStarted = true;
      const userFrom = performance.now();
      pending.push(userActions().then(() => (userMs = performance.now() - userFrom)));
    }
    await new Promise((resolve) => setTimeout(resolve, SPAM_EVERY_MS));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  const served = await host.ask<ServedRequest[]>({ op: 'drain', index } satisfies SandboxHostMessage);
  const busiest = busiestFiveSeconds(served);
  const user = `${USER_ACTIONS} Record + ${USER_ACTIONS} Stop 1 s in, done in ${Math.round(userMs)} ms${userFailures ? `, ${userFailures} failed` : ''}`;
  return summarize(
    ROW,
    metric,
    'requests',
    [busiest],
    goal,
    `${LIVE_CALLS[index]} live calls, default limiter; ${served.length} requests in ${elapsed.toFixed(1)} s; ${user}`,
  );
}

export async function callsRow(): Promise<RowResult[]> {
  const host = await Child.start('sandboxHost');
  try {
    const urls = await host.ask<string[]>({ op: 'start', liveCalls: LIVE_CALLS } satisfies SandboxHostMessage);
    const sdk = plivoSdk();
    const results: RowResult[] = [];
    for (const [index, url] of urls.entries()) {
      const drain = (): Promise<ServedRequest[]> =>
        host.ask<ServedRequest[]>({ op: 'drain', index } satisfies SandboxHostMessage);
      await drain();
      const shown = await callsClient(url).refresh();
      const requests = await drain();
      sdkTarget = url;
      // Counted after each run, outside its CPU measure, since the sandbox logs at most 10,000 requests.
      let served = 0;
      const repeats = Math.ceil(MIN_REQUESTS_PER_RUN / requests.length);
      const measured = async (refresh: () => Promise<unknown>): Promise<number> => {
        const { cpu } = await cpuMs(async () => {
          for (let i = 0; i < repeats; i++) await refresh();
        });
        served += (await drain()).length;
        return cpu;
      };
      // A new client each time: one refresh as the view's first, with nothing cached from the previous pair.
      const ratios = await interleave(
        PAIRS,
        () => measured(() => replay(sdk, requests)),
        () => measured(() => callsClient(url).refresh()),
        (a, b) => b / a,
      );
      // Warm-up included, both sides made the same requests each run, or the comparison would be unfair.
      const expected = 2 * (PAIRS + 1) * repeats * requests.length;
      if (served !== expected) {
        throw new Error(`expected ${expected} requests from the pairs, the sandbox saw ${served}`);
      }
      results.push(
        summarize(
          ROW,
          `client CPU ratio vs plivo SDK, ${LIVE_CALLS[index]} live calls`,
          'x',
          ratios,
          { op: '<=', value: 1 },
          `LiveCallsPager first refresh: ${requests.length} requests, ${shown} calls shown; ${repeats} per run`,
        ),
      );
    }
    results.push(await spamRow(host, SPAM_SANDBOX, urls[SPAM_SANDBOX]));
    return results;
  } finally {
    await host.stop();
  }
}
