import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunOnceScheduler } from '../../src/common/runOnceScheduler';

/** Resolves after `ms`: Node fires timers in the order they fall due, so a later one sees the scheduler's run. */
const after = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('requests before the run share it; a request after it schedules another', async () => {
  let runs = 0;
  const scheduler = new RunOnceScheduler(() => runs++, 5);
  scheduler.schedule();
  scheduler.schedule();
  scheduler.schedule();
  assert.equal(runs, 0, 'nothing runs at once');
  await after(20);
  assert.equal(runs, 1);
  scheduler.schedule();
  await after(20);
  assert.equal(runs, 2);
});

test('cancel and dispose drop the pending run', async () => {
  let runs = 0;
  const cancelled = new RunOnceScheduler(() => runs++, 5);
  cancelled.schedule();
  cancelled.cancel();
  const disposed = new RunOnceScheduler(() => runs++, 5);
  disposed.schedule();
  disposed.dispose();
  await after(20);
  assert.equal(runs, 0);
});
