import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findFreePort } from '../../src/callbacks/listener';
import { detectCloudflared, detectNgrok, detectTunnel, loopbackPortOf } from '../../src/callbacks/tunnels';
import { StandIn } from './helpers/standIn';
import { lateAnswer, type LateAnswer } from './helpers/lateAnswer';

function ngrokAnswer(...tunnels: { public_url: string; addr: string }[]): unknown {
  return {
    tunnels: tunnels.map((t, i) => ({
      name: `t${i}`,
      public_url: t.public_url,
      proto: 'https',
      config: { addr: t.addr, inspect: true },
    })),
    uri: '/api/tunnels',
  };
}

test('ngrok: every spelling of the listener port in config.addr matches', async (t) => {
  for (const addr of ['localhost:8787', 'http://localhost:8787', '127.0.0.1:8787', 'http://127.0.0.1:8787', '8787']) {
    const api = await StandIn.json(ngrokAnswer({ public_url: 'https://abc.ngrok-free.app', addr }));
    t.after(() => api.close());
    assert.deepEqual(
      await detectNgrok(api.url, 8787),
      { kind: 'found', url: 'https://abc.ngrok-free.app', source: 'ngrok' },
      addr,
    );
    assert.equal(api.requests[0].url, '/api/tunnels');
  }
});

test('ngrok: the https tunnel is preferred over its http twin, and other ports are skipped', async (t) => {
  const api = await StandIn.json(
    ngrokAnswer(
      { public_url: 'https://other.ngrok.app', addr: 'http://localhost:3000' },
      { public_url: 'http://abc.ngrok.app', addr: 'http://localhost:8787' },
      { public_url: 'https://abc.ngrok.app/', addr: 'http://localhost:8787' },
    ),
  );
  t.after(() => api.close());
  assert.equal((await detectNgrok(`${api.url}/api/`, 8787)).kind, 'found');
  assert.deepEqual(await detectNgrok(`${api.url}/`, 8787), {
    kind: 'found',
    url: 'https://abc.ngrok.app',
    source: 'ngrok',
  });
});

test('ngrok: tunnels for other ports or hosts are named in the reason', async (t) => {
  const api = await StandIn.json(
    ngrokAnswer(
      { public_url: 'https://a.ngrok.app', addr: 'http://localhost:3000' },
      { public_url: 'https://b.ngrok.app', addr: '192.168.1.5:8787' },
    ),
  );
  t.after(() => api.close());
  assert.deepEqual(await detectNgrok(api.url, 8787), {
    kind: 'none',
    source: 'ngrok',
    reason: 'ngrok is running but forwards port 3000 and 192.168.1.5:8787, not 8787',
  });
  const single = await StandIn.json(ngrokAnswer({ public_url: 'https://a.ngrok.app', addr: 'localhost:3000' }));
  t.after(() => single.close());
  assert.deepEqual(await detectNgrok(single.url, 8787), {
    kind: 'none',
    source: 'ngrok',
    reason: 'ngrok is running but forwards port 3000, not 8787',
  });
});

test('ngrok: no tunnels, not running, garbage, wrong shape and HTTP errors each say what happened', async (t) => {
  const empty = await StandIn.json({ tunnels: [] });
  const garbage = await StandIn.start((_req, res) => res.writeHead(200).end('<html>hello</html>'));
  const shapeless = await StandIn.json({ tunnels: 'none' });
  const failing = await StandIn.start((_req, res) => res.writeHead(502).end('bad gateway'));
  t.after(() => Promise.all([empty, garbage, shapeless, failing].map((s) => s.close())));
  const freePort = await findFreePort(41_000);

  assert.deepEqual(await detectNgrok(empty.url, 8787), {
    kind: 'none',
    source: 'ngrok',
    reason: 'ngrok is running but has no tunnels open',
  });
  assert.deepEqual(await detectNgrok(`http://127.0.0.1:${freePort}`, 8787), {
    kind: 'none',
    source: 'ngrok',
    reason: `ngrok is not running (nothing answers at http://127.0.0.1:${freePort})`,
  });
  assert.deepEqual(await detectNgrok(garbage.url, 8787), {
    kind: 'error',
    source: 'ngrok',
    message: `ngrok at ${garbage.url} did not answer JSON at /api/tunnels; is it really ngrok?`,
  });
  assert.deepEqual(await detectNgrok(shapeless.url, 8787), {
    kind: 'error',
    source: 'ngrok',
    message: `ngrok's agent API answered without a "tunnels" list`,
  });
  assert.deepEqual(await detectNgrok(failing.url, 8787), {
    kind: 'error',
    source: 'ngrok',
    message: `ngrok at ${failing.url} answered /api/tunnels with HTTP 502`,
  });
});

// The deadline tests are proved by the kind of answer ("did not answer within …", given only when the deadline
// fired) and by not giving up early; how soon after the deadline the answer comes depends on the machine, so
// only the test's timeout, a hang guard, bounds it.
test('a hanging agent is given up on at the deadline, before or after its headers', { timeout: 20_000 }, async (t) => {
  const silent = await StandIn.start(() => undefined);
  const stalled = await StandIn.start((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"tunnels": [');
  });
  t.after(() => Promise.all([silent.close(), stalled.close()]));
  for (const api of [silent, stalled]) {
    const started = performance.now();
    const result = await detectNgrok(api.url, 8787, { timeoutMs: 300 });
    const elapsed = performance.now() - started;
    assert.deepEqual(result, {
      kind: 'error',
      source: 'ngrok',
      message: `ngrok at ${api.url} did not answer within 0.3 s`,
    });
    assert.ok(elapsed >= 250, `gave up after ${Math.round(elapsed)} ms, before the deadline`);
  }
});

// A deadline several times too long still gives "did not answer within 0.3 s" against a silent agent. Here the agent
// answers in full 2.5× the deadline after the request, so such a deadline lets the answer through and finds the
// tunnel. Timer order, not the clock, decides: Node fires timers in the order they fall due, and the deadline
// (deadlineSignal's AbortSignal.timeout, a timer of this process) is armed before the answer's timer.
test(
  'an agent answering in full 2.5× the deadline late is given up on, before or after its headers',
  { timeout: 30_000 },
  async (t) => {
    const ngrokBody = JSON.stringify(ngrokAnswer({ public_url: 'https://late.ngrok.app', addr: 'localhost:8787' }));
    const cloudflaredBody = JSON.stringify({ hostname: 'late-words.trycloudflare.com' });
    const answers: LateAnswer[] = [];
    const lateAgent = (phase: 'headers' | 'body', body: string): Promise<StandIn> => {
      const answer = lateAnswer(phase, 750, body);
      answers.push(answer);
      return StandIn.start(answer.handler);
    };
    const cases = [
      { source: 'ngrok', phase: 'headers', api: await lateAgent('headers', ngrokBody) },
      { source: 'ngrok', phase: 'body', api: await lateAgent('body', ngrokBody) },
      { source: 'cloudflared', phase: 'headers', api: await lateAgent('headers', cloudflaredBody) },
      { source: 'cloudflared', phase: 'body', api: await lateAgent('body', cloudflaredBody) },
    ] as const;
    t.after(() => Promise.all(cases.map(({ api }) => api.close())));
    const detect = (source: 'ngrok' | 'cloudflared', url: string, timeoutMs: number) =>
      source === 'ngrok' ? detectNgrok(url, 8787, { timeoutMs }) : detectCloudflared(url, { timeoutMs });
    const found = {
      ngrok: { kind: 'found', url: 'https://late.ngrok.app', source: 'ngrok' },
      cloudflared: { kind: 'found', url: 'https://late-words.trycloudflare.com', source: 'cloudflared' },
    };
    // Side by side: each request has its own pair of timers (deadline, answer), whose order the others do not change.
    const outcomes = await Promise.allSettled(
      cases.map(async ({ source, phase, api }) => {
        assert.deepEqual(
          await detect(source, api.url, 300),
          { kind: 'error', source, message: `${source} at ${api.url} did not answer within 0.3 s` },
          `${source}, ${phase} late: the late answer was taken, so the deadline is longer than 0.75 s`,
        );
        // The same late answer is a good one: with a deadline far beyond its delay it is taken.
        assert.deepEqual(await detect(source, api.url, 10_000), found[source], `${source}, ${phase} late`);
        assert.equal(api.requests.length, 2);
      }),
    );
    const failures = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [(outcome.reason as Error).message.split('\n')[0]] : [],
    );
    assert.deepEqual(failures, []);
    await Promise.all(answers.flatMap((answer) => answer.sent));
  },
);

test('the default deadline is 1.5 s', { timeout: 20_000 }, async (t) => {
  const silent = await StandIn.start(() => undefined);
  t.after(() => silent.close());
  const started = performance.now();
  const result = await detectCloudflared(silent.url);
  const elapsed = performance.now() - started;
  assert.equal(result.kind === 'error' && result.message, `cloudflared at ${silent.url} did not answer within 1.5 s`);
  assert.ok(elapsed >= 1450, `gave up after ${Math.round(elapsed)} ms, before the deadline`);
});

test('an endless answer is cut at the size cap', async (t) => {
  const flood = await StandIn.start((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"tunnels":[], "pad": "${'x'.repeat(1024 * 1024)}"}`);
  });
  t.after(() => flood.close());
  const result = await detectNgrok(flood.url, 8787);
  assert.deepEqual(result, {
    kind: 'error',
    source: 'ngrok',
    message: `ngrok at ${flood.url} sent more than 256 KiB; is it really ngrok?`,
  });
});

test("the caller's cancel stops a check", async (t) => {
  const silent = await StandIn.start(() => undefined);
  t.after(() => silent.close());
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  assert.deepEqual(await detectNgrok(silent.url, 8787, { signal: controller.signal, timeoutMs: 5000 }), {
    kind: 'error',
    source: 'ngrok',
    message: 'ngrok check cancelled',
  });
});

test('agent addresses off this machine or not http are refused without a request', async () => {
  assert.deepEqual(await detectNgrok('http://example.com:4040', 8787), {
    kind: 'error',
    source: 'ngrok',
    message:
      'the ngrok address http://example.com:4040 must be an http:// address on this machine (127.0.0.1 or localhost)',
  });
  assert.equal((await detectCloudflared('not a url')).kind, 'error');
});

test('cloudflared: the quick tunnel hostname becomes an https URL; empty or odd hostnames are explained', async (t) => {
  const quick = await StandIn.json({ hostname: 'Some-Words-Here.trycloudflare.com' });
  const named = await StandIn.json({ hostname: '' });
  const odd = await StandIn.json({ hostname: 'not a host/' });
  t.after(() => Promise.all([quick, named, odd].map((s) => s.close())));
  assert.deepEqual(await detectCloudflared(quick.url), {
    kind: 'found',
    url: 'https://some-words-here.trycloudflare.com',
    source: 'cloudflared',
  });
  assert.equal(quick.requests[0].url, '/quicktunnel');
  const none = await detectCloudflared(named.url);
  assert.equal(none.kind, 'none');
  assert.match((none as { reason: string }).reason, /without a quick tunnel.*plivo\.listener\.publicUrl/);
  assert.deepEqual(await detectCloudflared(odd.url), {
    kind: 'error',
    source: 'cloudflared',
    message: `cloudflared's /quicktunnel answer has no usable "hostname"`,
  });
});

test('detectTunnel prefers ngrok (it proves the port) and returns every answer', async (t) => {
  const ngrok = await StandIn.json(ngrokAnswer({ public_url: 'https://n.ngrok.app', addr: 'localhost:8787' }));
  const cloudflared = await StandIn.json({ hostname: 'c.trycloudflare.com' });
  t.after(() => Promise.all([ngrok.close(), cloudflared.close()]));
  const both = await detectTunnel(8787, { ngrokApiUrl: ngrok.url, cloudflaredMetricsUrl: cloudflared.url });
  assert.equal(both.found?.url, 'https://n.ngrok.app');
  assert.equal(both.results.length, 2);
  const onlyCloudflared = await detectTunnel(9999, { ngrokApiUrl: ngrok.url, cloudflaredMetricsUrl: cloudflared.url });
  assert.equal(onlyCloudflared.found?.url, 'https://c.trycloudflare.com');
});

test('loopbackPortOf reads the port of local addresses only', () => {
  assert.equal(loopbackPortOf('[::1]:8787'), 8787);
  assert.equal(loopbackPortOf('http://localhost'), 80);
  assert.equal(loopbackPortOf('https://127.0.0.1'), 443);
  assert.equal(loopbackPortOf('file:///tmp/x'), undefined);
  assert.equal(loopbackPortOf('example.com:8787'), undefined);
});
