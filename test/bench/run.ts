/**
 * Speed and memory benchmarks. Each compares the project's code with a baseline doing the bare minimum of the
 * same work, measured in the same run on the same machine, and prints the ratio against its goal.
 * Shared, noisy machines make absolute times meaningless; ratios hold.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestCallback, CallbackListener, CallbackStore, type ReceivedCallback } from '../../src/callbacks';
import { PlivoClient } from '../../src/plivo';
import { signCallbackHeaders, verifyPlivoSignature } from '../../src/plivo/signature';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';

interface Result {
  name: string;
  ratio: number;
  goal: number;
  unit: string;
}

const results: Result[] = [];

async function time(work: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Best of `rounds`, so a burst of load from elsewhere does not decide the ratio. */
async function best(rounds: number, work: () => Promise<void> | void): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < rounds; i++) fastest = Math.min(fastest, await time(work));
  return fastest;
}

function record(name: string, ratio: number, goal: number, unit = 'x baseline time'): void {
  results.push({ name, ratio, goal, unit });
}

async function postMany(
  url: string,
  count: number,
  concurrency: number,
  body: string,
  headers: Record<string, string>,
): Promise<void> {
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent++;
      const response = await fetch(url, { method: 'POST', body, headers });
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Listener throughput: receiving, parsing, classifying and verifying a signed callback vs. a server that only reads the body. */
async function benchListener(): Promise<void> {
  const params = buildTestCallback('record');
  const body = new URLSearchParams(params).toString();
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{"received":true}'));
  });
  const bareUrl = await listen(bare);
  const listener = new CallbackListener();
  await listener.start({ port: 0, getAuthTokens: () => [SANDBOX_AUTH_TOKEN], getSignedBaseUrls: () => [] });
  const path = '/plivo/recording';
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    ...signCallbackHeaders('POST', `${listener.url}${path}`, params, SANDBOX_AUTH_TOKEN),
  };
  let received = 0;
  listener.on('callback', () => received++);
  const n = 1500;
  const baseline = await best(3, () => postMany(`${bareUrl}${path}`, n, 16, body, headers));
  const ours = await best(3, () => postMany(`${listener.url}${path}`, n, 16, body, headers));
  if (received !== 3 * n) throw new Error(`listener emitted ${received} of ${3 * n} callbacks`);
  record(`listener: ${n} signed form callbacks`, ours / baseline, 3);
  await listener.stop();
  await new Promise((resolve) => bare.close(resolve));
}

/** Signature verification vs. the single HMAC it cannot avoid. */
async function benchSignature(): Promise<void> {
  const params = buildTestCallback('record');
  const url = 'https://example.ngrok.app/plivo/recording';
  const headers = Object.fromEntries(
    Object.entries(signCallbackHeaders('POST', url, params, SANDBOX_AUTH_TOKEN)).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const n = 20_000;
  const baseline = await best(5, () => {
    for (let i = 0; i < n; i++) {
      createHmac('sha256', SANDBOX_AUTH_TOKEN)
        .update(`${url}${JSON.stringify(params)}`)
        .digest('base64');
    }
  });
  const ours = await best(5, () => {
    for (let i = 0; i < n; i++) {
      if (
        verifyPlivoSignature({ method: 'POST', url, params, headers, authTokens: [SANDBOX_AUTH_TOKEN] }).state !==
        'valid'
      ) {
        throw new Error('invalid');
      }
    }
  });
  record(`signature: ${n} V3 verifications`, ours / baseline, 4);
}

/** History persistence under a burst vs. writing the final file once; memory of a full history vs. its JSON text. */
async function benchStore(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'plivo-bench-'));
  try {
    const sample = (i: number): ReceivedCallback => ({
      id: `cb-${i}`,
      receivedAt: new Date().toISOString(),
      method: 'POST',
      path: '/plivo/recording',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(buildTestCallback('record')).toString(),
      contentType: 'application/x-www-form-urlencoded',
      params: buildTestCallback('record'),
      kind: 'record',
      summary: {},
      signature: { state: 'unsigned', detail: 'no signature headers' },
      status: 200,
    });
    const n = 500;
    const items = Array.from({ length: n }, (_, i) => sample(i));
    const baseline = await best(3, () =>
      writeFile(join(dir, 'baseline.json'), JSON.stringify({ version: 1, callbacks: items })),
    );
    const ours = await best(3, async () => {
      const store = new CallbackStore(join(dir, 'store'), { maxHistory: n });
      await Promise.all(items.map((item) => store.add(item)));
      await store.flush();
    });
    record(`store: burst of ${n} callbacks persisted`, ours / baseline, 5);

    const before = heapUsed();
    const store = new CallbackStore(join(dir, 'store'), { maxHistory: n });
    await store.load();
    const after = heapUsed();
    const jsonBytes = Buffer.byteLength(JSON.stringify(store.list()));
    record(
      `store: heap of ${store.list().length} loaded callbacks`,
      Math.max(after - before, 0) / jsonBytes,
      3,
      'x JSON size',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A Calls-view refresh of 40 live calls vs. the same requests made one by one with bare fetch. */
async function benchLiveCalls(): Promise<void> {
  const sandbox = await Sandbox.start({ liveCalls: 40 });
  try {
    const client = new PlivoClient({
      credentials: { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN },
      baseUrl: sandbox.url,
    });
    const auth = `Basic ${Buffer.from(`${SANDBOX_AUTH_ID}:${SANDBOX_AUTH_TOKEN}`).toString('base64')}`;
    const base = `${sandbox.url}/v1/Account/${SANDBOX_AUTH_ID}/Call/`;
    const baseline = await best(5, async () => {
      const uuids: string[] = [];
      for (let offset = 0; ; offset += 20) {
        const page = (await (
          await fetch(`${base}?status=live&limit=20&offset=${offset}`, { headers: { Authorization: auth } })
        ).json()) as { calls: string[] };
        uuids.push(...page.calls);
        if (page.calls.length < 20) break;
      }
      for (const uuid of uuids) {
        await (await fetch(`${base}${uuid}/?status=live`, { headers: { Authorization: auth } })).json();
      }
    });
    const ours = await best(5, async () => {
      if ((await client.listLiveCalls()).length !== 40) throw new Error('expected 40 calls');
    });
    record('client: list 40 live calls with details', ours / baseline, 1.5);
  } finally {
    await sandbox.close();
  }
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  await benchListener();
  await benchSignature();
  await benchStore();
  await benchLiveCalls();
  let failed = 0;
  for (const r of results) {
    const ok = r.ratio <= r.goal;
    if (!ok) failed++;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(46)} ${r.ratio.toFixed(2).padStart(7)} ${r.unit} (goal ≤ ${r.goal})`,
    );
  }
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

void main();
