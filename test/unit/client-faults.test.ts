// The client against a stand-in server that misbehaves: every fault must end in a clear PlivoError of the
// fault's kind (never a hang), with bounded memory, and with the Auth Token in no message and no log entry.
// How fast it ends is the machine's business (`npm run bench` measures speed): timeouts are proved by the
// 'timeout' code and the limit the message names, and `settleWithin` only guards against hangs.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { PlivoClient, PlivoError, type RequestLogEntry } from '../../src/plivo';
import { RequestLimiter } from '../../src/plivo/limiter';
import { exposeGc } from './helpers/gc';
import { FaultyServer } from './helpers/faultyServer';
import { lateAnswer } from './helpers/lateAnswer';

const AUTH_ID = 'MAFAULTSUITE00000001';
const AUTH_TOKEN = 'fault-suite-token-ZmF1bHQtc3VpdGU0123456789';
const BASIC = Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64');
const CALL = '6a5e3d5c-2b3f-4e1a-9c7d-0123456789ab';
const gc = exposeGc();

/** Fails instead of hanging when the client never settles; `ms` is a hang guard, far above any deadline under test. */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<{ error?: PlivoError; elapsedMs: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the client did not settle within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([promise, deadline]);
    return { elapsedMs: performance.now() - started };
  } catch (error) {
    if (!(error instanceof PlivoError)) throw error;
    return { error, elapsedMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** The wait a timeout message reports, "(gave up after 1.2 s)", in seconds. */
function gaveUpAfterS(message: string): number {
  return Number(/gave up after (\d+(?:\.\d)?) s/.exec(message)?.[1]);
}

describe('client faults', () => {
  let server: FaultyServer;
  let log: RequestLogEntry[];
  const client = (timeoutMs = 1000): PlivoClient =>
    new PlivoClient({
      credentials: { authId: AUTH_ID, authToken: AUTH_TOKEN },
      baseUrl: server.url,
      timeoutMs,
      onRequest: (entry) => log.push(entry),
      retryDelayMs: () => 10,
      // Each test its own budget: a 429 answered in one test must not hold back the next.
      limiter: new RequestLimiter({ defaultBackoffMs: 10 }),
    });

  before(async () => {
    server = await FaultyServer.start();
  });
  after(() => server.close());
  beforeEach(() => {
    log = [];
    server.requests.length = 0;
  });

  test('headers then a stalled body, with garbage collections during the wait: a timeout, not a hang', async (t) => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"api_id":');
    };
    const gcs = [200, 400, 700].map((ms) => setTimeout(gc, ms));
    const { error, elapsedMs } = await settleWithin(client(1000).verifyCredentials(), 10_000);
    gcs.forEach(clearTimeout);
    t.diagnostic(`stall after headers, 1 s timeout, 3 forced GCs: settled after ${Math.round(elapsedMs)} ms`);
    assert.equal(error?.code, 'timeout');
    assert.match(error.message, /within 1 s \(gave up after \d+(\.\d)? s\)/);
    assert.ok(gaveUpAfterS(error.message) >= 1, `gave up early: ${error.message}`);
    assert.equal(server.requests.length, 1, 'a timeout is not retried');
  });

  test('no answer at all: a timeout, not a hang, with garbage collections', async () => {
    server.handler = () => undefined;
    const gcTimer = setTimeout(gc, 200);
    const { error } = await settleWithin(client(500).startRecording(CALL), 10_000);
    clearTimeout(gcTimer);
    assert.equal(error?.code, 'timeout');
    assert.match(error.message, /within 0\.5 s \(gave up after \d+(\.\d)? s\)/);
    assert.ok(gaveUpAfterS(error.message) >= 0.5, `gave up early: ${error.message}`);
    assert.equal(server.requests.length, 1, 'a timeout is not retried');
  });

  // A deadline several times too long still ends in a 'timeout' against a silent server. Here the stand-in answers
  // in full 2.5× the limit after the request, so such a deadline lets the answer through and the call succeeds.
  // Timer order, not the clock, decides: Node fires timers in the order they fall due, the deadline's timer is armed
  // first (a fresh connect or a kept-alive socket only changes how much later the answer's is), and the answer's
  // bytes could only be read in a later turn of the event loop than the one its timer fired in.
  for (const phase of ['headers', 'body'] as const) {
    // The test's timeout is the hang guard of the control call.
    test(
      `a whole answer 2.5× the limit late (${phase} late): a timeout, so the deadline is not too long`,
      { timeout: 20_000 },
      async () => {
        const body = JSON.stringify({
          api_id: 'late-answer',
          message: 'call recording started',
          recording_id: 'late-recording',
          url: 'https://media.plivo.com/late-recording.mp3',
        });
        const late = lateAnswer(phase, 750, body, 202);
        server.handler = late.handler;
        const { error } = await settleWithin(client(300).startRecording(CALL), 10_000);
        assert.equal(error?.code, 'timeout', `the late answer was accepted: the deadline is longer than 0.75 s`);
        assert.match(error.message, /within 0\.3 s \(gave up after \d+(\.\d)? s\)/);
        assert.equal(server.requests.length, 1, 'a timeout is not retried');
        await Promise.all(late.sent);

        // The same late answer is a good one: with a deadline far beyond its delay the call takes it.
        const control = lateAnswer(phase, 750, body, 202);
        server.handler = control.handler;
        assert.deepEqual(await client(10_000).startRecording(CALL), {
          kind: 'started',
          apiId: 'late-answer',
          message: 'call recording started',
          url: 'https://media.plivo.com/late-recording.mp3',
          recordingId: 'late-recording',
        });
        await Promise.all(control.sent);
      },
    );
  }

  test('an endless 200 body is cut at 1 MiB with a clear error; memory stays bounded', async (t) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };
    gc();
    const before = process.memoryUsage().heapUsed;
    const { error, elapsedMs } = await settleWithin(client(10_000).verifyCredentials(), 15_000);
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    t.diagnostic(`endless body: rejected after ${Math.round(elapsedMs)} ms, heap growth ${growth} bytes`);
    // Cut by the size cap, not by the 10 s timeout (that would be a 'timeout').
    assert.equal(error?.code, 'bad-response');
    assert.match(error.message, /larger than 1048576 bytes/);
    assert.ok(growth < 32 * 1024 * 1024, `heap grew by ${growth} bytes`);
  });

  test('a declared Content-Length over the cap is refused before reading', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      res.write('{');
    };
    const { error } = await settleWithin(client().verifyCredentials(), 5000);
    assert.equal(error?.code, 'bad-response');
    assert.match(error.message, /larger than 1048576 bytes/);
  });

  test('connection reset: a network error; GETs are retried twice, POSTs not', async () => {
    server.handler = (req) => req.socket.resetAndDestroy();
    const get = await settleWithin(client().verifyCredentials(), 5000);
    assert.equal(get.error?.code, 'network');
    assert.match(get.error.message, /Could not reach Plivo at/);
    assert.equal(server.requests.length, 3);
    server.requests.length = 0;
    const post = await settleWithin(client().startRecording(CALL), 5000);
    assert.equal(post.error?.code, 'network');
    assert.equal(server.requests.length, 1);
  });

  test('5xx: a server error after the GET retries', async () => {
    server.handler = (_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
    const { error } = await settleWithin(client().verifyCredentials(), 5000);
    assert.equal(error?.code, 'server-error');
    assert.match(error.message, /\(503\): down/);
    assert.equal(server.requests.length, 3);
  });

  test('429 with Retry-After: waits that long before retrying, then succeeds', async () => {
    let calls = 0;
    server.handler = (_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(429, { 'retry-after': '1' }).end('{"error":"slow down"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"api_id":"a","calls":[]}');
    };
    const started = performance.now();
    assert.deepEqual(await client().listLiveCallUuids(), []);
    assert.ok(performance.now() - started >= 950, 'the retry waited for Retry-After');
    assert.deepEqual(
      log.map((e) => e.status),
      [429, 200],
    );
  });

  test('429 on a POST: rate-limited, naming the wait', async () => {
    server.handler = (_req, res) => res.writeHead(429, { 'retry-after': '7' }).end();
    const { error } = await settleWithin(client().startRecording(CALL), 5000);
    assert.equal(error?.code, 'rate-limited');
    assert.equal(error.retryAfterSeconds, 7);
    assert.match(error.message, /shared with your own app .*Try again in 7 s\./);
  });

  test('invalid JSON in a 200: bad-response quoting the start of the body', async () => {
    server.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"api_id": nope');
    const { error } = await settleWithin(client().startRecording(CALL), 5000);
    assert.equal(error?.code, 'bad-response');
    assert.match(error.message, /not JSON: "\{"api_id": nope"/);
  });

  test('a redirect is not followed: clear error, the target never gets the token', async () => {
    server.handler = (req, res) => {
      if (req.url?.startsWith('/elsewhere')) {
        res.end('{}');
        return;
      }
      res.writeHead(302, { location: `${server.url}/elsewhere` }).end();
    };
    const { error } = await settleWithin(client().startRecording(CALL), 5000);
    assert.equal(error?.code, 'bad-response');
    assert.match(
      error.message,
      /answered 302, a redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere; redirects are not followed/,
    );
    assert.equal(server.requests.filter((r) => r.url.startsWith('/elsewhere')).length, 0);
  });

  test('a deeply nested error body does not break the error message', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    server.handler = (_req, res) => res.writeHead(400).end(`{"error":{"detail":${deep}}}`);
    const { error } = await settleWithin(client().startRecording(CALL), 5000);
    assert.equal(error?.code, 'bad-request');
  });

  for (const [status, where] of [
    [400, 'error field'],
    [500, 'error field'],
    [401, 'error field'],
    [200, 'non-JSON 200 body'],
    [418, 'plain body'],
  ] as const) {
    test(`echoed credentials (${status}, ${where}): no token in the message, details or log`, async () => {
      server.handler = (req, res) => {
        const echo = `auth=${req.headers.authorization} token=${AUTH_TOKEN} b64=${BASIC} enc=${encodeURIComponent(AUTH_TOKEN)}`;
        const body = where === 'error field' ? JSON.stringify({ api_id: 'e1', error: echo }) : echo;
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      };
      const { error } = await settleWithin(client().startRecording(CALL), 5000);
      assert.ok(error, 'the request failed');
      const seen = JSON.stringify({ message: error.message, server: error.serverMessage, log, error });
      for (const secret of [AUTH_TOKEN, BASIC, `Basic ${BASIC}`, encodeURIComponent(AUTH_TOKEN)]) {
        // A cut-off secret leaks too: look for its first 16 characters.
        assert.ok(!seen.includes(secret.slice(0, 16)), `"${secret.slice(0, 16)}…" leaked: ${seen}`);
      }
      assert.equal(log.length, 1);
      if (status !== 401) assert.match(error.message, /\[redacted\]/);
    });
  }
});
