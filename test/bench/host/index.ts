// The extension host's CPU per received callback, measured inside code-server's real extension host (loaded as
// `extensionTestsPath` by scripts/host/runIntegration.mjs; started by test/bench/rows/host.ts). The whole pipeline
// runs as a user has it: the listener, the history, the log line, the recordings, and the Callbacks view open.
// The baseline is a bare node:http server in the same host, so both sides share the host's own idle work (the
// editor's port detection, file watchers): each side's window lasts equally long, and the ratio is per window.
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { activateExtension } from '../../integration/util';
import { CALLBACK_PATH } from '../fixtures';
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
import type { IntegrationResults } from '../../integration';
import { PACED, PACE_MS } from '../rows/listener';
import { startBareServer } from '../subjects';

const HOST_ROW = 'extension host';
/** After the last arrival: longer than the history's save delay (1 s) and the view's redraw delays. */
const SETTLE_MS = 1500;
const PAIRS = 7;

async function measure(): Promise<RowResult[]> {
  const { services } = await activateExtension();
  // The offline sandbox (its account active, its calls in the Calls view): its Auth Token signs what the load
  // generator sends, so every callback verifies, and no request leaves the machine.
  await services.sandbox.start();
  await vscode.commands.executeCommand('plivo.callbacks.focus');
  const listenerUrl = await services.listener.start(0);
  const bare = await startBareServer();
  const loadgen = await Child.start('loadgen');
  try {
    const paced = (url: string, saved: () => Promise<void>): Promise<number> =>
      pacedCpuPerCallback(
        loadgen,
        { url: `${url}${CALLBACK_PATH}`, count: PACED, intervalMs: PACE_MS, concurrency: 20 },
        saved,
        PACED * PACE_MS + SETTLE_MS,
      );
    const pairs = await interleave(
      PAIRS,
      () => paced(bare.url, async () => undefined),
      () => paced(listenerUrl ?? '', () => services.callbacks.flush()),
      cpuPair,
    );
    // The host's own work lands on both sides; what the extension adds per callback is the difference.
    const added = Math.round(median(pairs.map((p) => (p.b - p.a) * 1000)));
    return [
      summarize(
        HOST_ROW,
        'CPU per callback ratio, paced',
        'x',
        pairs.map((p) => p.ratio),
        { op: '<=', value: 2 },
        `code-server's extension host, Callbacks view open; ${PACED} callbacks, one per ${PACE_MS} ms, then ` +
          `${SETTLE_MS / 1000} s; medians bare ${medianMicros(pairs, 'a')} vs ${medianMicros(pairs, 'b')} µs per callback, the host's idle ` +
          `work included on both sides (the extension adds ${added} µs)`,
      ),
    ];
  } finally {
    await loadgen.stop();
    await bare.stop();
    await services.listener.stop();
    await services.sandbox.stop();
  }
}

/** The runner's contract (see test/integration/index.ts): resolve when done; results go to files named by env. */
export async function run(): Promise<void> {
  const rowsFile = process.env.PLIVO_BENCH_RESULTS;
  const testsFile = process.env.PLIVO_TEST_RESULTS;
  let rows: RowResult[];
  let failure: string | undefined;
  try {
    rows = await measure();
  } catch (error) {
    failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    rows = [];
  }
  if (rowsFile) writeFileSync(rowsFile, JSON.stringify(rows));
  if (testsFile) {
    const failures = failure ? [{ title: 'host bench', error: failure }] : [];
    const results: IntegrationResults = { passed: failure ? 0 : 1, failed: failures.length, pending: 0, failures };
    writeFileSync(testsFile, JSON.stringify(results));
  }
  if (failure) throw new Error(failure);
}
