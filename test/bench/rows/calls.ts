// One Calls refresh vs Plivo's Node SDK making the same requests, and the request rate under Refresh spam.
//
// The SDK sends voice requests to a hard-coded https://api.plivo.com (dist/rest/axios.js, `apiVoiceUris`), through
// a fresh `axios.create()` instance per request (its `retryWrapper`). The bench wraps `axios.create` of the very
// axios module the SDK loads, so each instance gets a request interceptor that rewrites that host to the sandbox.
import { createRequire } from 'node:module';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN } from '../../../src/sandbox';
import { Child, cpuMs, interleave, notAvailable, summarize, type RowResult } from '../harness';
import type { SandboxHostMessage, ServedRequest } from '../sandboxHost';
import { callsClient, limitedRefresher, REQUEST_BUDGET_PER_5S } from '../subjects';

const ROW = 'Calls refresh';
const LIVE_CALLS = [50, 500, 5000];
const PAIRS = 5;
/** Detail requests in flight at once when the SDK replays a refresh (what a careful SDK user would do). */
const SDK_CONCURRENCY = 4;
const PLIVO_HOST = 'https://api.plivo.com';
const SPAM_EVERY_MS = 50;
const SPAM_FOR_MS = 6000;

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

/** The SDK makes exactly the requests the subject made: list pages in order, then the details. */
async function replay(sdk: Sdk, requests: ServedRequest[]): Promise<void> {
  const uuids: string[] = [];
  for (const request of requests) {
    const detail = /\/Call\/([^/]+)\/$/.exec(request.path);
    if (detail) uuids.push(decodeURIComponent(detail[1]));
    else await sdk.calls.listLiveCalls({ limit: request.query.limit, offset: request.query.offset });
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < uuids.length) await sdk.calls.getLiveCall(uuids[next++]);
  };
  await Promise.all(Array.from({ length: SDK_CONCURRENCY }, worker));
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
  const refresher = limitedRefresher(url);
  if (!refresher) return notAvailable(ROW, metric, 'requests', goal, 'n/a (no limiter yet)');
  await host.ask<ServedRequest[]>({ op: 'drain', index } satisfies SandboxHostMessage);
  const clicks: Promise<unknown>[] = [];
  const started = performance.now();
  while (performance.now() - started < SPAM_FOR_MS) {
    clicks.push(refresher.refresh().catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, SPAM_EVERY_MS));
  }
  await Promise.all(clicks);
  const served = await host.ask<ServedRequest[]>({ op: 'drain', index } satisfies SandboxHostMessage);
  const busiest = busiestFiveSeconds(served);
  return summarize(
    ROW,
    metric,
    'requests',
    [busiest],
    goal,
    `${LIVE_CALLS[index]} live calls; ${served.length} requests in all`,
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
      // A new client each time: one refresh as the view's first, with nothing cached from the previous pair.
      const ratios = await interleave(
        PAIRS,
        async () => (await cpuMs(() => replay(sdk, requests))).cpu,
        async () => (await cpuMs(() => callsClient(url).refresh())).cpu,
        (a, b) => b / a,
      );
      // Warm-up included, both sides made the same requests each run, or the comparison would be unfair.
      const expected = 2 * (PAIRS + 1) * requests.length;
      const served = (await drain()).length;
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
          `${requests.length} requests per refresh, ${shown} calls shown`,
        ),
      );
    }
    results.push(await spamRow(host, 0, urls[0]));
    return results;
  } finally {
    await host.stop();
  }
}
