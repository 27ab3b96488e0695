// Listener + history vs a bare node:http server reading the same bodies. Both servers run in this process
// (the process under test); the load comes from a forked generator.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALLBACK_PATH, receivedCallbackFactory } from '../fixtures';
import {
  Child,
  cpuPair,
  interleave,
  median,
  medianMicros,
  pacedCpuPerCallback,
  summarize,
  type RowResult,
} from '../harness';
import type { LoadRequest, LoadResult } from '../loadgen';
import { openHistory, startBareServer, startHistoryListener, type History, type RunningServer } from '../subjects';

const ROW = 'listener + history';
const BURST = 5000;
const CONCURRENCY = 20;
/** The paced stream, also run in the extension host (test/bench/host/index.ts). */
export const PACED = 200;
export const PACE_MS = 20;
// A burst's p99 rests on its 50 slowest answers and a paced run on 200 callbacks, both at the mercy of a shared
// machine's scheduler: more pairs than the other rows, so one unlucky pair moves the median less.
const BURST_PAIRS = 21;
const PACED_PAIRS = 11;
const MAX_HISTORY = 500;

interface Side {
  server: RunningServer;
  history?: History;
}

export async function listenerRow(): Promise<RowResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'plivo-bench-listener-'));
  const loadgen = await Child.start('loadgen');
  const store = await openHistory(dir, MAX_HISTORY);
  const sample = await receivedCallbackFactory();
  // A full history, as after a while of use: every callback then also drops the oldest one.
  await Promise.all(Array.from({ length: MAX_HISTORY }, (_, i) => store.add(sample(i))));
  await store.flush();
  const bare: Side = { server: await startBareServer() };
  const subject: Side = { server: await startHistoryListener(store), history: store };
  try {
    // Each side gets callbacks signed for its own URL; the bare server reads the same bytes without checking them.
    const load = (side: Side, extra: Partial<LoadRequest>): Promise<LoadResult> =>
      loadgen.ask<LoadResult>({
        url: `${side.server.url}${CALLBACK_PATH}`,
        count: BURST,
        concurrency: CONCURRENCY,
        ...extra,
      } satisfies LoadRequest);
    const burst = async (side: Side): Promise<LoadResult> => {
      const result = await load(side, {});
      if (result.failures) throw new Error(`${result.failures} of ${BURST} requests failed`);
      await side.history?.flush();
      return result;
    };
    const burstPairs = await interleave(
      BURST_PAIRS,
      () => burst(bare),
      () => burst(subject),
      (a, b) => ({ throughput: a.elapsedMs / b.elapsedMs, p99: b.p99Ms / a.p99Ms, a, b }),
    );
    // CPU of this process from the first arrival until the history has saved the last one.
    const paced = (side: Side): Promise<number> =>
      pacedCpuPerCallback(
        loadgen,
        { url: `${side.server.url}${CALLBACK_PATH}`, count: PACED, intervalMs: PACE_MS, concurrency: CONCURRENCY },
        async () => side.history?.flush(),
      );
    const cpuPairs = await interleave(
      PACED_PAIRS,
      () => paced(bare),
      () => paced(subject),
      cpuPair,
    );
    // The absolute figures swing with the machine's load; they are shown for scale, the ratios are what count.
    const perSecond = (side: 'a' | 'b'): string =>
      Math.round(median(burstPairs.map((p) => (BURST * 1000) / p[side].elapsedMs))).toLocaleString('en-US');
    const p99 = (side: 'a' | 'b'): string => median(burstPairs.map((p) => p[side].p99Ms)).toFixed(2);
    const note =
      `${BURST} signed form callbacks at concurrency ${CONCURRENCY}, history full at ${MAX_HISTORY}; ` +
      `medians bare ${perSecond('a')} vs ${perSecond('b')} req/s, p99 ${p99('a')} vs ${p99('b')} ms`;
    return [
      summarize(
        ROW,
        'req/s ratio',
        'x',
        burstPairs.map((p) => p.throughput),
        { op: '>=', value: 0.8 },
        note,
      ),
      summarize(
        ROW,
        'p99 latency ratio',
        'x',
        burstPairs.map((p) => p.p99),
        { op: '<=', value: 1.5 },
        note,
      ),
      summarize(
        ROW,
        'CPU per callback ratio, paced',
        'x',
        cpuPairs.map((p) => p.ratio),
        { op: '<=', value: 2 },
        `${PACED} callbacks, one per ${PACE_MS} ms; CPU until saved; medians bare ${medianMicros(cpuPairs, 'a')} vs ` +
          `${medianMicros(cpuPairs, 'b')} µs per callback`,
      ),
    ];
  } finally {
    await bare.server.stop();
    await subject.server.stop();
    await loadgen.stop();
    await store.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
