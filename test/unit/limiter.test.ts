import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { PlivoClient, PlivoError } from '../../src/plivo';
import { RequestLimiter, type RequestPriority } from '../../src/plivo/limiter';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';

const credentials = { authId: 'MAXXXXXXXXXXXXXXXXXX', authToken: 'limiter-test-token' };
const UUID = '6653422c-91b6-4716-9fad-9463daaeeec2';

interface Arrival {
  at: number;
  method: string;
  path: string;
}

/** A loopback stand-in for Plivo's API that notes when each request arrives. */
async function standIn(
  respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => json(res, 200, liveCall()),
): Promise<{ url: string; arrivals: Arrival[]; close: () => Promise<void> }> {
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    arrivals.push({ at: performance.now(), method: req.method ?? '', path: req.url ?? '' });
    req.resume();
    req.on('end', () => respond(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function liveCall(): object {
  return { api_id: 'a-1', call_uuid: UUID, from: '14155550100', to: '14155550199', direction: 'inbound' };
}

/** Most arrivals within any window of `windowMs`, sliding over every arrival. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end] < sorted[start] + windowMs) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

function client(url: string, limiter: RequestLimiter): PlivoClient {
  return new PlivoClient({ credentials, baseUrl: url, limiter, retryDelayMs: () => 1, timeoutMs: 10_000 });
}

describe('RequestLimiter', () => {
  test('holds the budget in every sliding window under a burst of 1,000 requests from several clients', async () => {
    const server = await standIn();
    const windowMs = 250;
    const maxRequests = 100;
    const limiter = new RequestLimiter({ maxRequests, windowMs });
    try {
      const clients = Array.from({ length: 4 }, () => client(server.url, limiter));
      const started = performance.now();
      await Promise.all(
        clients.flatMap((c, i) =>
          Array.from({ length: 250 }, (_, n) =>
            c.getLiveCall(UUID, { priority: (i + n) % 3 === 0 ? 'user' : 'background' }),
          ),
        ),
      );
      const elapsed = performance.now() - started;
      assert.equal(server.arrivals.length, 1000);
      const busiest = busiestWindow(
        server.arrivals.map((a) => a.at),
        windowMs,
      );
      assert.ok(busiest <= maxRequests, `${busiest} requests arrived within one ${windowMs} ms window`);
      // Ten windows' worth of requests cannot finish before nine windows have passed. (How much longer they take
      // depends on the machine: no upper bound here.)
      assert.ok(elapsed >= 9 * windowMs, `finished in ${Math.round(elapsed)} ms`);
      assert.equal(limiter.stats().queued, 0);
    } finally {
      await server.close();
    }
  });

  test('user requests go ahead of queued background requests', async () => {
    const limiter = new RequestLimiter({ maxRequests: 2, windowMs: 100, userReserve: 0 });
    const order: string[] = [];
    const take = (name: string, priority: RequestPriority): Promise<void> =>
      limiter.acquire(priority).then((release) => {
        order.push(name);
        release();
      });
    const all = [
      take('poll-1', 'background'),
      take('poll-2', 'background'),
      take('poll-3', 'background'),
      take('poll-4', 'background'),
      take('record', 'user'),
      take('poll-5', 'background'),
      take('stop', 'user'),
    ];
    await Promise.resolve();
    assert.deepEqual(limiter.stats().queuedUser, 2);
    assert.deepEqual(limiter.stats().queuedBackground, 3);
    assert.deepEqual(limiter.stats().sentInWindow, 2);
    await Promise.all(all);
    assert.deepEqual(order, ['poll-1', 'poll-2', 'record', 'stop', 'poll-3', 'poll-4', 'poll-5']);
  });

  test('background requests leave a reserve of each window to user requests, which are granted at once', async () => {
    const limiter = new RequestLimiter({ maxRequests: 10, windowMs: 10_000 });
    const releases: (() => void)[] = [];
    const cancel = new AbortController();
    const polls = Array.from({ length: 20 }, () =>
      limiter.acquire('background', cancel.signal).then(
        (r) => releases.push(r),
        () => undefined,
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(releases.length, 9, 'a tenth of the budget is kept back from background requests');
    assert.equal(limiter.stats().queuedBackground, 11);
    const stop = await limiter.acquire('user');
    assert.equal(limiter.stats().sentInWindow, 10);
    stop();
    cancel.abort(); // the polls still queued leave the queue
    await Promise.all(polls);
    assert.equal(limiter.stats().queued, 0);
  });

  test('a client sends GETs as background and Record/Stop as user requests unless told otherwise', async () => {
    const server = await standIn((req, res) =>
      req.method === 'GET' ? json(res, 200, liveCall()) : json(res, 202, { api_id: 'r', message: 'ok', url: 'u' }),
    );
    const limiter = new RequestLimiter({ maxRequests: 1, windowMs: 150 });
    try {
      const c = client(server.url, limiter);
      await c.getLiveCall(UUID); // takes the only slot of this window
      const poll = c.getLiveCall(UUID);
      const record = c.startRecording(UUID);
      const urgentPoll = c.getLiveCall(UUID, { priority: 'user' });
      await Promise.all([poll, record, urgentPoll]);
      assert.deepEqual(
        server.arrivals.map((a) => a.method),
        ['GET', 'POST', 'GET', 'GET'],
      );
      assert.ok(server.arrivals[3].at - server.arrivals[1].at >= 2 * 150 - 5, 'one request per window');
    } finally {
      await server.close();
    }
  });

  test('a Recordings list the user asked for goes ahead of queued polling; a polled one waits its turn', async () => {
    const server = await standIn((req, res) =>
      req.url?.includes('/Recording/')
        ? json(res, 200, {
            api_id: 'l',
            meta: { limit: 20, offset: 0, total_count: 0, next: null, previous: null },
            objects: [],
          })
        : json(res, 200, liveCall()),
    );
    const limiter = new RequestLimiter({ maxRequests: 1, windowMs: 150 });
    try {
      const c = client(server.url, limiter);
      await c.getLiveCall(UUID); // takes the only slot of this window
      const poll = c.getLiveCall(UUID);
      const polledList = c.listRecordings();
      const askedList = c.listRecordings({ offset: 20, priority: 'user' });
      await Promise.all([poll, polledList, askedList]);
      const what = (path: string): string =>
        path.includes('/Recording/') ? `list ${/offset=(\d+)/.exec(path)?.[1]}` : 'call';
      assert.deepEqual(
        server.arrivals.map((a) => what(a.path)),
        ['call', 'list 20', 'call', 'list 0'],
      );
    } finally {
      await server.close();
    }
  });

  test('a 429 with Retry-After pauses every queued request of the account, then the GET is retried', async () => {
    let first = true;
    const server = await standIn((_req, res) => {
      if (first) {
        first = false;
        return json(res, 429, { api_id: 'x', error: 'too many requests' }, { 'Retry-After': '1' });
      }
      json(res, 200, liveCall());
    });
    const limiter = new RequestLimiter({ maxRequests: 50, windowMs: 5000 });
    try {
      const [a, b] = [client(server.url, limiter), client(server.url, limiter)];
      const requestedAt = Date.now();
      const limited = a.getLiveCall(UUID);
      while (server.arrivals.length === 0 || limiter.stats().pausedUntil === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const pausedAt = server.arrivals[0].at;
      // The pause ends 1 s (the Retry-After) after the 429, which came between `requestedAt` and now; the 10 ms
      // allow for reading two clocks, not for the machine's speed.
      const pausedUntil = limiter.stats().pausedUntil ?? 0;
      assert.ok(pausedUntil >= requestedAt + 990, `paused until ${Math.round(pausedUntil - requestedAt)} ms after`);
      assert.ok(pausedUntil <= Date.now() + 1010, `paused for ${Math.round(pausedUntil - Date.now())} ms more`);
      const other = b.getLiveCall(UUID);
      await Promise.all([limited, other]);
      assert.equal(server.arrivals.length, 3);
      for (const later of server.arrivals.slice(1)) {
        assert.ok(later.at - pausedAt >= 990, `a request went out ${Math.round(later.at - pausedAt)} ms after the 429`);
      }
      assert.equal(limiter.stats().pausedUntil, undefined);
    } finally {
      await server.close();
    }
  });

  test('a 429 without Retry-After pauses for the default backoff; a POST is not retried', async () => {
    const server = await standIn((req, res) =>
      req.method === 'POST' ? json(res, 429, { api_id: 'x', error: 'slow down' }) : json(res, 200, liveCall()),
    );
    const limiter = new RequestLimiter({ maxRequests: 50, windowMs: 5000, defaultBackoffMs: 300 });
    try {
      const c = client(server.url, limiter);
      await assert.rejects(c.startRecording(UUID), (e: PlivoError) => e.code === 'rate-limited');
      const limitedAt = server.arrivals[0].at;
      await c.getLiveCall(UUID);
      assert.equal(server.arrivals.length, 2);
      assert.ok(server.arrivals[1].at - limitedAt >= 290, 'the next request waited for the backoff');
    } finally {
      await server.close();
    }
  });

  test('cancelling a queued request removes it from the queue; it is never sent', async () => {
    const server = await standIn();
    const limiter = new RequestLimiter({ maxRequests: 1, windowMs: 200 });
    try {
      const c = client(server.url, limiter);
      await c.getLiveCall(UUID);
      const controller = new AbortController();
      const cancelled = c.getLiveCall(UUID, { signal: controller.signal });
      const next = c.getLiveCall(UUID);
      await Promise.resolve();
      assert.equal(limiter.stats().queued, 2);
      controller.abort();
      await assert.rejects(cancelled, (e: PlivoError) => e.code === 'network' && /cancelled/.test(e.message));
      assert.equal(limiter.stats().queued, 1);
      await next;
      assert.equal(server.arrivals.length, 2);
      await assert.rejects(limiter.acquire('user', AbortSignal.abort()));
    } finally {
      await server.close();
    }
  });

  test('the budget can change while requests wait', async () => {
    const limiter = new RequestLimiter({ maxRequests: 1, windowMs: 60_000, userReserve: 0 });
    (await limiter.acquire('user'))();
    const waiting = limiter.acquire('background');
    await Promise.resolve();
    assert.equal(limiter.stats().queued, 1);
    limiter.maxRequests = 2;
    await waiting;
    assert.equal(limiter.stats().sentInWindow, 2);
    assert.throws(() => (limiter.maxRequests = 0), /positive integer/);
  });

  test('tells listeners when requests start and stop waiting and how many wait, not of requests granted at once', async () => {
    const limiter = new RequestLimiter({ maxRequests: 2, windowMs: 150, userReserve: 0 });
    const seen: number[] = [];
    const subscription = limiter.onDidChange(() => seen.push(limiter.stats().queued));
    const granted = await Promise.all([limiter.acquire(), limiter.acquire()]);
    assert.deepEqual(seen, [], 'two requests within the budget wait for nothing');
    const waiting = [limiter.acquire(), limiter.acquire('user')];
    assert.deepEqual(seen, [1, 2]);
    for (const release of granted) release();
    for (const release of await Promise.all(waiting)) release();
    assert.deepEqual(seen, [1, 2, 0], 'both granted in one turn when the window turned');
    subscription.dispose();
    (await limiter.acquire())();
    await Promise.race([limiter.acquire(), new Promise((resolve) => setTimeout(resolve, 50))]);
    assert.deepEqual(seen, [1, 2, 0], 'nothing after dispose');
  });

  test('tells listeners when a 429 pause starts and when it ends, even with nothing queued', async () => {
    const limiter = new RequestLimiter({ maxRequests: 10, windowMs: 5000 });
    const seen: (number | undefined)[] = [];
    limiter.onDidChange(() => seen.push(limiter.stats().pausedUntil));
    const before = Date.now();
    limiter.reportRateLimited(0.2);
    assert.equal(seen.length, 1);
    assert.ok(seen[0] !== undefined && seen[0] >= before + 150 && seen[0] <= Date.now() + 250, 'says until when');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(seen.slice(1), [undefined], 'the end of the pause is told on time');
    assert.equal(limiter.stats().pausedUntil, undefined);
  });

  test('a listener added during a pause that began unheard still hears it end; a throwing listener stops nobody', async () => {
    const limiter = new RequestLimiter({ maxRequests: 10, windowMs: 5000 });
    limiter.reportRateLimited(0.15);
    let told = 0;
    limiter.onDidChange(() => {
      throw new Error('faulty view');
    });
    limiter.onDidChange(() => told++);
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(told, 1);
    (await limiter.acquire())();
  });
});

describe("RequestLimiter against the sandbox's Plivo rate limit", () => {
  // Scaled down from Plivo's 300 per 5 s and the default budget of 150, keeping their ratio.
  const plivoLimit = { requests: 20, windowMs: 400 };

  async function burst(limiter: RequestLimiter, count: number): Promise<{ sandbox: Sandbox; results: unknown[] }> {
    const sandbox = await Sandbox.start({ liveCalls: 1, rateLimit: plivoLimit });
    try {
      const plivo = new PlivoClient({
        credentials: { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN },
        baseUrl: sandbox.url,
        limiter,
        retryDelayMs: () => 1,
      });
      const [call] = sandbox.liveCalls();
      const results = await Promise.all(
        Array.from({ length: count }, () => plivo.getLiveCall(call.callUuid).catch((error: unknown) => error)),
      );
      return { sandbox, results };
    } finally {
      await sandbox.close();
    }
  }

  test('the default share of the budget never meets a 429, however many requests queue up', async () => {
    const { sandbox, results } = await burst(new RequestLimiter({ maxRequests: 10, windowMs: 400 }), 50);
    assert.equal(results.filter((r) => r instanceof Error).length, 0);
    assert.deepEqual(
      sandbox.requests.filter((r) => r.status === 429),
      [],
    );
  });

  test('a budget above what Plivo grants meets 429s, pauses, and every GET still succeeds on retry', async () => {
    const limiter = new RequestLimiter({ maxRequests: 40, windowMs: 400, defaultBackoffMs: 400 });
    const { sandbox, results } = await burst(limiter, 30);
    assert.deepEqual(
      results.filter((r) => r instanceof Error),
      [],
    );
    const refused = sandbox.requests.filter((r) => r.status === 429).length;
    assert.ok(refused >= 1 && refused <= 10, `${refused} requests refused`);
  });
});
