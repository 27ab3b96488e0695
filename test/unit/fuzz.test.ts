// Standing fuzz suite: deterministic hostile requests (deep nesting, huge headers, invalid UTF-8,
// broken chunking, prototype-pollution keys, slow headers, ...) against the callback listener and
// the sandbox, over raw loopback sockets. Afterwards both must still answer valid requests, the
// history must still save and load, memory must stay bounded and no rejection may go unhandled.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test, type TestContext } from 'node:test';
import { CallbackStore } from '../../src/callbacks/store';
import { signCallbackHeaders } from '../../src/plivo/signature';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';
import { TOKEN, startListener, withTempDir } from './helpers/callbacks';
import { exposeGc } from './helpers/gc';
import { hostileRequest, prng, type HostileRequest, type Target } from './helpers/hostileRequests';
import { rawRequest, statusOf } from './helpers/rawHttp';

const SEED = 20_251_125;
const REQUESTS_PER_TARGET = 520;
const SLOW_CONNECTIONS = 20;
const CONCURRENCY = 16;
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;
const gc = exposeGc();

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));

async function inPool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Sends every request; returns how often each answer status (or "none") came back. */
async function fire(port: number, requests: HostileRequest[]): Promise<Record<string, number>> {
  const tally: Record<string, number> = {};
  await inPool(requests, CONCURRENCY, async (request) => {
    const answer = await rawRequest(port, [request.bytes], { timeoutMs: request.incomplete ? 300 : 3000 });
    const key = String(statusOf(answer) || 'none');
    tally[key] = (tally[key] ?? 0) + 1;
  });
  return tally;
}

/** What one barrage of hostile requests (plus the slow-header connections) did. */
interface Barrage {
  requests: number;
  tally: Record<string, number>;
  elapsedMs: number;
  heapBefore: number;
}

/** Sends the seeded hostile requests for `target` and the slow-header connections at once. */
async function barrage(port: number, target: Target, seed: number): Promise<Barrage> {
  const random = prng(seed);
  const requests = Array.from({ length: REQUESTS_PER_TARGET }, (_, i) => hostileRequest(random, target, i));
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const [tally] = await Promise.all([fire(port, requests), slowHeaders(port, target.host)]);
  return { requests: requests.length, tally, elapsedMs: Math.round(performance.now() - started), heapBefore };
}

/** Reports the barrage's figures and fails when the heap grew past its bound since it started. */
function checkHeap(t: TestContext, name: string, run: Barrage): void {
  gc();
  const heapGrowth = process.memoryUsage().heapUsed - run.heapBefore;
  const { requests, elapsedMs, tally } = run;
  report(t, name, { requests, slow: SLOW_CONNECTIONS, elapsedMs, heapGrowth, tally });
  assert.ok(heapGrowth < HEAP_GROWTH_LIMIT, `heap grew by ${heapGrowth} bytes`);
}

/** Connections that send their headers a few bytes at a time, then give up. */
function slowHeaders(port: number, host: string): Promise<void> {
  const line = `POST /cb HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slow: `;
  return Promise.all(
    Array.from(
      { length: SLOW_CONNECTIONS },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          socket.on('error', () => undefined);
          let sent = 0;
          const timer = setInterval(() => {
            if (socket.destroyed || sent >= 30) {
              clearInterval(timer);
              socket.destroy();
              resolve();
              return;
            }
            socket.write(line.slice(sent, sent + 3) || 'x');
            sent += 3;
          }, 50);
        }),
    ),
  ).then(() => undefined);
}

function prototypeIsClean(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTOTYPE_NAMES);
}
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

function report(t: TestContext, name: string, figures: Record<string, unknown>): void {
  t.diagnostic(`${name}: ${JSON.stringify(figures)}`);
}

test(`listener: ${REQUESTS_PER_TARGET} hostile requests and ${SLOW_CONNECTIONS} slow-header connections`, async (t) => {
  await withTempDir(async (dir) => {
    const store = new CallbackStore(dir, { maxHistory: 200 });
    await store.load();
    const listener = await startListener({ requestTimeoutMs: 2000 });
    t.after(() => listener.stop());
    const saveErrors: unknown[] = [];
    listener.on('callback', (callback) => void store.add(callback).catch((error: unknown) => saveErrors.push(error)));
    const port = Number(new URL(listener.url).port);
    const target: Target = { host: `127.0.0.1:${port}`, path: '/cb', headers: {} };
    const run = await barrage(port, target, SEED);
    const { tally } = run;

    // A valid signed callback is still answered, stored, saved and loadable.
    const params = { call_uuid: 'fz-call', record_url: 'https://m.example/fz.mp3', recording_duration: '3' };
    const res = await fetch(`${listener.url}/cb`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signCallbackHeaders('POST', `${listener.url}/cb`, params, TOKEN),
      },
      body: new URLSearchParams(params),
    });
    assert.equal(res.status, 200);
    const { id } = (await res.json()) as { id: string };
    await store.flush();
    assert.equal(store.get(id)?.signature.state, 'valid');
    assert.deepEqual(saveErrors, [], 'every save succeeded');
    const reloaded = new CallbackStore(dir, { maxHistory: 200 });
    assert.deepEqual(await reloaded.load(), {}, 'the history file loads without a warning');
    assert.ok(reloaded.get(id), 'the valid callback is in the saved history');

    checkHeap(t, 'listener', run);
    assert.ok((tally['200'] ?? 0) > 0 && (tally['400'] ?? 0) > 0 && (tally['403'] ?? 0) > 0, JSON.stringify(tally));
    assert.deepEqual(unhandled, []);
    prototypeIsClean();
  });
});

test(`sandbox: ${REQUESTS_PER_TARGET} hostile requests and ${SLOW_CONNECTIONS} slow-header connections`, async (t) => {
  // Hostile input, not request pacing, is under test here: 520 requests would meet Plivo's rate limit.
  const sandbox = await Sandbox.start({ timeScale: 0.001, rateLimit: false });
  t.after(() => sandbox.close());
  const call = sandbox.addCall();
  const port = Number(new URL(sandbox.url).port);
  const authorization = `Basic ${Buffer.from(`${SANDBOX_AUTH_ID}:${SANDBOX_AUTH_TOKEN}`).toString('base64')}`;
  const target: Target = {
    host: `127.0.0.1:${port}`,
    path: `/v1/Account/${SANDBOX_AUTH_ID}/Call/${call.callUuid}/Record/`,
    headers: { Authorization: authorization },
  };
  const run = await barrage(port, target, SEED + 1);

  const headers = { authorization, 'content-type': 'application/json' };
  const live = await fetch(`${sandbox.url}/v1/Account/${SANDBOX_AUTH_ID}/Call/?status=live`, { headers });
  assert.equal(live.status, 200);
  assert.ok(((await live.json()) as { calls: string[] }).calls.includes(call.callUuid));
  const recorded = await fetch(`${sandbox.url}${target.path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ time_limit: 5 }),
  });
  assert.equal(recorded.status, 202);
  await recorded.arrayBuffer();
  assert.doesNotThrow(() => JSON.stringify(sandbox.requests), 'the request log stays serialisable');

  checkHeap(t, 'sandbox', run);
  assert.deepEqual(unhandled, []);
  prototypeIsClean();
});
