// The listener answers only requests addressed to it: its own address, the addresses it was handed
// out as, and configured hosts; web pages (a foreign Origin, or DNS rebinding) get 403.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { AllowedHosts, hostOf } from '../../src/callbacks/hostCheck';
import type { ReceivedCallback } from '../../src/callbacks/model';
import { startListener } from './helpers/callbacks';

function post(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/cb`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end('call_uuid=c-1&record_url=https%3A%2F%2Fm.example%2Fr.mp3');
  });
}

test('own addresses are answered; a foreign Host (DNS rebinding) gets 403 with a clear reason', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const port = new URL(listener.url).port;
  const seen: ReceivedCallback[] = [];
  listener.on('callback', (cb) => seen.push(cb));
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
    assert.equal((await post(listener.url, { host })).status, 200, host);
  }
  for (const host of [`attacker.example:${port}`, `127.0.0.1:${Number(port) + 1}`, 'localhost', `localhost.:${port}`]) {
    const res = await post(listener.url, { host });
    assert.equal(res.status, 403, host);
    assert.match(res.body, /is not this listener's address \(set plivo\.listener\.publicUrl/);
  }
  assert.equal(seen.filter((cb) => cb.status === 200).length, 4);
  const refused = seen.filter((cb) => cb.status === 403);
  assert.equal(refused.length, 4, 'refused requests are still shown');
  assert.deepEqual(refused[0].params, {}, 'a refused body is not parsed');
});

test('a foreign Origin gets 403; an Origin of an allowed host is fine', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  for (const origin of ['https://evil.example', 'null', 'file://']) {
    const res = await post(listener.url, { origin });
    assert.equal(res.status, 403, origin);
    assert.match(res.body, /requests from web pages are not accepted/);
  }
  assert.equal((await post(listener.url, { origin: listener.url })).status, 200);
});

test('hosts of the handed-out base URLs and setAllowedHosts() are allowed', async (t) => {
  const listener = await startListener({
    getSignedBaseUrls: () => ['https://words.trycloudflare.com/base'],
    allowedHosts: ['first.example'],
  });
  t.after(() => listener.stop());
  assert.equal((await post(listener.url, { host: 'words.trycloudflare.com' })).status, 200);
  assert.equal((await post(listener.url, { host: 'first.example' })).status, 200);
  assert.equal((await post(listener.url, { host: 'abc.ngrok.app' })).status, 403);
  listener.setAllowedHosts(['https://abc.ngrok.app/plivo', 'code.example:8080']);
  assert.equal((await post(listener.url, { host: 'abc.ngrok.app' })).status, 200);
  assert.equal((await post(listener.url, { host: 'abc.ngrok.app', origin: 'https://abc.ngrok.app' })).status, 200);
  assert.equal((await post(listener.url, { host: 'code.example:8080' })).status, 200);
  assert.equal((await post(listener.url, { host: 'code.example:9090' })).status, 403);
  assert.equal((await post(listener.url, { host: 'first.example' })).status, 403, 'replaced, not added');
});

test('hostOf and AllowedHosts', () => {
  assert.equal(hostOf('https://ABC.ngrok.app/x'), 'abc.ngrok.app');
  assert.equal(hostOf('http://127.0.0.1:8787'), '127.0.0.1:8787');
  assert.equal(hostOf('code.example:8080/proxy'), 'code.example:8080');
  assert.equal(hostOf('  '), undefined);
  assert.match(new AllowedHosts(['127.0.0.1:1']).problem({}) ?? '', /no Host header/);
  assert.equal(new AllowedHosts(['127.0.0.1:1']).problem({ host: '127.0.0.1:1' }), undefined);
});
