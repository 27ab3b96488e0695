import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallbackListener } from '../../src/callbacks/listener';
import type { ReceivedCallback } from '../../src/callbacks/model';
import { checkRoundTrip, isRoundTripCheck, type CallbackEvent } from '../../src/callbacks/roundTrip';
import { findFreePort } from '../../src/callbacks/listener';
import { TOKEN, startListener } from './helpers/callbacks';
import { StandIn } from './helpers/standIn';

function eventOf(listener: CallbackListener): CallbackEvent {
  return (handler: (callback: ReceivedCallback) => void) => {
    listener.on('callback', handler);
    return { dispose: () => listener.off('callback', handler) };
  };
}

/** A stand-in tunnel: relays each request to `target` and its answer back, as ngrok does. */
function tunnelTo(target: string): Promise<StandIn> {
  return StandIn.start((req, res, body) => {
    void fetch(target + (req.url ?? '/'), {
      method: req.method,
      headers: Object.fromEntries(
        Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host'),
      ),
      body: req.method === 'GET' ? undefined : body,
    }).then(async (answer) => res.writeHead(answer.status).end(await answer.text()));
  });
}

test('a public URL that reaches the listener passes, with the round-trip time and a verified signature', async (t) => {
  let tunnelUrl = '';
  const listener = await startListener({ getSignedBaseUrls: () => [tunnelUrl] });
  const tunnel = await tunnelTo(listener.url);
  tunnelUrl = tunnel.url;
  t.after(() => Promise.all([listener.stop(), tunnel.close()]));
  const seen: ReceivedCallback[] = [];
  listener.on('callback', (callback) => seen.push(callback));

  const result = await checkRoundTrip(`${tunnel.url}/`, eventOf(listener), { authToken: TOKEN });
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  assert.ok(result.kind === 'ok' && result.roundTripMs >= 0 && result.warning === undefined);
  assert.match(result.url, new RegExp(`^${tunnel.url}/plivo/recording\\?plivo_url_check=`));
  assert.equal(seen.length, 1);
  assert.equal(isRoundTripCheck(seen[0]), true);
  assert.equal(listener.listenerCount('callback'), 1, 'the check unsubscribes');
});

test('a signature that does not verify through the public URL is reported as a warning', async (t) => {
  const listener = await startListener();
  const tunnel = await tunnelTo(listener.url);
  t.after(() => Promise.all([listener.stop(), tunnel.close()]));
  const result = await checkRoundTrip(tunnel.url, eventOf(listener), { authToken: TOKEN });
  assert.equal(result.kind, 'ok');
  assert.match(
    (result as { warning: string }).warning,
    new RegExp(`signature did not verify .*the listener does not know ${tunnel.url} as its public URL`),
  );
});

test('a URL that leads elsewhere, or nowhere, fails with the reason', async (t) => {
  const listener = await startListener();
  const elsewhere = await StandIn.start((_req, res) => res.writeHead(404).end('Tunnel not found'));
  t.after(() => Promise.all([listener.stop(), elsewhere.close()]));
  const wrong = await checkRoundTrip(elsewhere.url, eventOf(listener));
  assert.deepEqual(
    { kind: wrong.kind, message: (wrong as { message: string }).message },
    {
      kind: 'failed',
      message: `${elsewhere.url} answered HTTP 404, but the request never reached the listener: the URL leads somewhere else (is the tunnel forwarding the listener's port?).`,
    },
  );
  const port = await findFreePort(43_000);
  const dead = await checkRoundTrip(`http://127.0.0.1:${port}`, eventOf(listener));
  assert.equal(dead.kind, 'failed');
  assert.match(
    (dead as { message: string }).message,
    /failed: connection refused: is your app running on 127\.0\.0\.1:\d+\?\.$/,
  );
  assert.equal(listener.listenerCount('callback'), 0);
});

test('ordinary callbacks are not mistaken for a check', () => {
  const callback = { path: '/plivo/recording?x=1' } as ReceivedCallback;
  assert.equal(isRoundTripCheck(callback), false);
});
