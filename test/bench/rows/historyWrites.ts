// Bytes the history writes per callback, relative to the callback's own (JSON) size.
//
// Method: /proc/self/io `wchar` counts every byte this process hands to write(2) and its variants, whichever
// file, temp file or journal they go to, including rewrites and compactions; it does not depend on how the store
// is built. This process does nothing else while it measures (no logging, no sockets; the IPC answer comes after),
// so the delta is the store's writes. The row's process runs with UV_USE_IO_URING=0 so libuv writes through
// write(2) (io_uring writes would not be counted), and a calibration write checks that the counter sees file writes.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonBytes, receivedCallbackFactory } from '../fixtures';
import { notAvailable, summarize, type RowResult } from '../harness';
import { openHistory } from '../subjects';

const ROW = 'history writes';
const GOAL = { op: '<=', value: 4 } as const;
const RUNS = 5;
/** Callbacks a busy listener hands over per turn of the event loop. */
const PER_TURN = 20;

function writtenBytes(): number {
  const match = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  if (!match) throw new Error('no wchar in /proc/self/io');
  return Number(match[1]);
}

async function counterSeesFileWrites(dir: string): Promise<boolean> {
  const size = 1 << 20;
  const before = writtenBytes();
  await writeFile(join(dir, 'calibration'), Buffer.alloc(size));
  const delta = writtenBytes() - before;
  return delta >= size && delta < size * 1.1;
}

async function measure(maxHistory: number): Promise<RowResult> {
  // Two histories' worth per run: every run includes the compactions that steady use brings.
  const perRun = 2 * maxHistory;
  const dir = await mkdtemp(join(tmpdir(), 'plivo-bench-writes-'));
  try {
    const metric = `bytes written / callback size, maxHistory ${maxHistory}`;
    if (!(await counterSeesFileWrites(dir))) {
      return notAvailable(ROW, metric, 'x', GOAL, '/proc/self/io wchar does not count file writes here');
    }
    const sample = await receivedCallbackFactory();
    const store = await openHistory(join(dir, 'store'), maxHistory);
    // Full before measuring: the steady state, where each new callback also drops the oldest.
    await Promise.all(Array.from({ length: maxHistory }, (_, i) => store.add(sample(i))));
    await store.flush();
    const ratios: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const callbacks = Array.from({ length: perRun }, (_, i) => sample(maxHistory + run * perRun + i));
      const size = callbacks.reduce((sum, callback) => sum + jsonBytes(callback), 0);
      const before = writtenBytes();
      // As a busy listener delivers them, a few per turn of the event loop, not all in one tick.
      for (const [index, callback] of callbacks.entries()) {
        void store.add(callback).catch(() => undefined);
        if (index % PER_TURN === PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
      }
      await store.flush();
      ratios.push((writtenBytes() - before) / size);
    }
    await store.dispose();
    return summarize(
      ROW,
      metric,
      'x',
      ratios,
      GOAL,
      `${RUNS} runs of ${perRun} callbacks (compactions included), ${PER_TURN} per event-loop turn; wchar delta / JSON size`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function historyWritesRow(): Promise<RowResult[]> {
  return [await measure(500), await measure(5000)];
}
