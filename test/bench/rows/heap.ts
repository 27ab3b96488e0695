// Heap held per stored callback, relative to its JSON size, once the history is loaded from disk.
// The row runs in its own forked process started with --expose-gc, so nothing else moves the heap.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonBytes, receivedCallbackFactory } from '../fixtures';
import { gc, summarize, type RowResult } from '../harness';
import { openHistory } from '../subjects';

const REPETITIONS = 5;

async function measure(maxHistory: number): Promise<RowResult> {
  const dir = await mkdtemp(join(tmpdir(), 'plivo-bench-heap-'));
  try {
    const sample = await receivedCallbackFactory();
    const writer = await openHistory(dir, maxHistory);
    await Promise.all(Array.from({ length: maxHistory }, (_, i) => writer.add(sample(i))));
    await writer.dispose();
    const ratios: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) ratios.push(await heapPerJsonByte(dir, maxHistory));
    return summarize(
      'history heap',
      `heap / JSON size, ${maxHistory} stored`,
      'x',
      ratios,
      { op: '<=', value: 1.5 },
      `${REPETITIONS} loads of a full history; heapUsed delta after GC`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * One load of the history in `dir`. Its own function, so the store it loads is garbage once it returns: a local of
 * the loop in `measure` would stay alive in the async function's frame until the next load had replaced it.
 */
async function heapPerJsonByte(dir: string, maxHistory: number): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = await openHistory(dir, maxHistory);
  gc();
  const held = process.memoryUsage().heapUsed - before;
  const callbacks = store.list();
  if (callbacks.length !== maxHistory) throw new Error(`loaded ${callbacks.length} of ${maxHistory} callbacks`);
  await store.dispose();
  return held / jsonBytes(callbacks);
}

export async function heapRow(): Promise<RowResult[]> {
  return [await measure(500), await measure(5000)];
}
