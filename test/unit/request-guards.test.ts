// Whatever a request or an event handler does, the servers answer and the process keeps running.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sandbox } from '../../src/sandbox';
import { nextCallback, startListener } from './helpers/callbacks';
import { rawRequest, statusOf } from './helpers/rawHttp';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));

const portOf = (url: string): number => Number(new URL(url).port);
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('sandbox request guards', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.start();
  });
  after(() => sandbox.close());

  test('a request to // is answered 400 and the sandbox keeps serving', async () => {
    for (const target of ['//', '//x', 'http://[bad/', '/%', '*']) {
      const answer = await rawRequest(portOf(sandbox.url), [
        `GET ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
      ]);
      assert.ok([400, 404].includes(statusOf(answer)), `${target}: ${answer}`);
    }
    assert.equal((await fetch(`${sandbox.url}/elsewhere`)).status, 404);
    await tick();
    assert.deepEqual(unhandled, []);
  });

  test('a throwing request-log handler does not leave a rejection unhandled', async () => {
    const boom = (): never => {
      throw new Error('log handler failed');
    };
    sandbox.once('request', boom);
    assert.equal((await fetch(`${sandbox.url}/elsewhere`)).status, 404);
    await tick();
    assert.deepEqual(unhandled, []);
    assert.equal((await fetch(`${sandbox.url}/elsewhere`)).status, 404);
  });

  test('a deeply nested JSON body is refused 400, not logged as a deep object', async () => {
    const deep = `{"time_limit":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const res = await fetch(`${sandbox.url}/v1/Account/x/Call/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep,
    });
    assert.ok(res.status === 400 || res.status === 401, String(res.status));
    const log = await sandbox.waitFor('request', (r) => r.method === 'POST' && r.path === '/v1/Account/x/Call/');
    assert.doesNotThrow(() => JSON.stringify(log));
  });
});

describe('listener request guards', () => {
  test('a request to // is answered, and the listener keeps serving', async (t) => {
    const listener = await startListener();
    t.after(() => listener.stop());
    const seen = nextCallback(listener);
    const answer = await rawRequest(portOf(listener.url), [
      `POST // HTTP/1.1\r\nHost: 127.0.0.1:${portOf(listener.url)}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=1`,
    ]);
    assert.equal(statusOf(answer), 200, answer);
    assert.equal((await seen).path, '//');
  });

  test('an async callback handler that rejects is reported as a warning, not unhandled', async (t) => {
    const listener = await startListener();
    t.after(() => listener.stop());
    const warnings: string[] = [];
    listener.on('warning', (message) => warnings.push(message));
    listener.on('callback', async () => {
      throw new Error('store is full');
    });
    const res = await fetch(`${listener.url}/cb`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
    assert.equal(res.status, 200);
    await tick();
    assert.deepEqual(unhandled, []);
    assert.ok(
      warnings.some((w) => /'callback' event handler failed: store is full/.test(w)),
      warnings.join('\n'),
    );
  });

  test('throwing callback and warning handlers: the request is answered and the listener lives on', async (t) => {
    const listener = await startListener();
    t.after(() => listener.stop());
    listener.on('callback', () => {
      throw new Error('callback handler');
    });
    listener.on('warning', () => {
      throw new Error('warning handler');
    });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${listener.url}/cb`, { method: 'POST', body: new URLSearchParams({ i: String(i) }) });
      assert.equal(res.status, 200);
    }
  });
});
