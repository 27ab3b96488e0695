import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ForwardQueue } from '../../src/callbacks/forwardQueue';
import { forwardToApp } from '../../src/callbacks/relay';
import { sampleCallback } from './helpers/callbacks';
import { CallbackReceiver } from './helpers/sandboxReceiver';

/** A forward that runs until `finish` is called, noting when it started. */
function heldForward(started: number[], index: number): { forward: () => Promise<number>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    forward: async () => {
      started.push(index);
      await done;
      return index;
    },
    finish: () => finish(),
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('runs at most maxInFlight forwards at once, the waiting ones oldest first as slots free up', async () => {
  const queue = new ForwardQueue({ maxInFlight: 2, maxWaiting: 10 });
  const started: number[] = [];
  const held = Array.from({ length: 5 }, (_, i) => heldForward(started, i));
  const results = held.map(({ forward }) => queue.run(forward));
  await turn();
  assert.deepEqual(started, [0, 1]);
  assert.equal(queue.waiting, 3);
  assert.equal(queue.running, 2);

  held[1].finish();
  await turn();
  assert.deepEqual(started, [0, 1, 2], 'the oldest waiting one takes the freed slot');
  held[0].finish();
  held[2].finish();
  await turn();
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  held[3].finish();
  held[4].finish();
  assert.deepEqual(
    await Promise.all(results),
    [0, 1, 2, 3, 4].map((result) => ({ refused: false, result })),
  );
  assert.equal(queue.running, 0, 'every slot is free again');
  assert.equal(queue.waiting, 0);
});

test('refuses a forward at once while maxWaiting wait, and takes new ones again once they have run', async () => {
  const queue = new ForwardQueue({ maxInFlight: 1, maxWaiting: 2 });
  const started: number[] = [];
  const held = Array.from({ length: 3 }, (_, i) => heldForward(started, i));
  const results = held.map(({ forward }) => queue.run(forward));
  let ranRefused = false;
  const refused = await queue.run(async () => {
    ranRefused = true;
  });
  assert.deepEqual(refused, { refused: 'full' });
  assert.equal(ranRefused, false, 'a refused forward is never run');

  held.forEach(({ finish }) => finish());
  await Promise.all(results);
  assert.deepEqual(await queue.run(async () => 'again'), { refused: false, result: 'again' });
});

test('cancelWaiting refuses the waiting forwards without running them; the running ones finish', async () => {
  const queue = new ForwardQueue({ maxInFlight: 1 });
  const started: number[] = [];
  const held = Array.from({ length: 3 }, (_, i) => heldForward(started, i));
  const results = held.map(({ forward }) => queue.run(forward));
  await turn();
  queue.cancelWaiting();
  held.forEach(({ finish }) => finish());
  assert.deepEqual(await Promise.all(results), [
    { refused: false, result: 0 },
    { refused: 'cancelled' },
    { refused: 'cancelled' },
  ]);
  assert.deepEqual(started, [0]);
  assert.deepEqual(await queue.run(async () => 'after'), { refused: false, result: 'after' });
});

test('a forward that throws hands its slot on and rejects with its error', async () => {
  const queue = new ForwardQueue({ maxInFlight: 1 });
  const failing = queue.run(async () => {
    await turn();
    throw new Error('app exploded');
  });
  const next = queue.run(async () => 'next');
  await assert.rejects(failing, /app exploded/);
  assert.deepEqual(await next, { refused: false, result: 'next' });
});

test('a burst forwarded through the queue reaches the app a few requests at a time, each exactly once', async (t) => {
  let open = 0;
  let mostAtOnce = 0;
  const app = await CallbackReceiver.start({
    respond: (_callback, res) => {
      mostAtOnce = Math.max(mostAtOnce, ++open);
      setTimeout(() => {
        open--;
        res.writeHead(200).end();
      }, 20);
    },
  });
  t.after(() => app.close());
  const queue = new ForwardQueue({ maxInFlight: 3 });
  const results = await Promise.all(
    Array.from({ length: 30 }, () => queue.run(() => forwardToApp(sampleCallback(), app.url(''), { timeoutMs: 5000 }))),
  );
  assert.ok(results.every((queued) => !queued.refused && queued.result?.status === 200));
  assert.equal(app.received.length, 30);
  assert.equal(mostAtOnce, 3);
});
