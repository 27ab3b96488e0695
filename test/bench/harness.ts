// What every benchmark row shares: interleaved pairs, their statistics, goals, and child processes.
// A shared, busy machine makes single timings meaningless; a baseline and a subject measured
// alternately (ABAB…) see the same noise, so the per-pair ratio holds while the absolute times swing.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { LoadRequest, LoadResult } from './loadgen';

/** `<=`: the figure must not exceed the goal; `>=`: it must reach it. */
export interface Goal {
  op: '<=' | '>=';
  value: number;
}

export interface RowResult {
  /** Row group, e.g. `listener + history`. */
  row: string;
  /** What this line measures, e.g. `req/s ratio`. */
  metric: string;
  /** `x` for ratios, or an absolute unit such as `ms`. */
  unit: string;
  /** Median over the pairs or repetitions; undefined when the row could not run (see `note`). */
  median?: number;
  /** Smallest and largest of the per-pair figures. */
  min?: number;
  max?: number;
  /** Number of pairs (or repetitions) the median is taken over. */
  pairs?: number;
  goal: Goal;
  status: 'ok' | 'MISS' | 'n/a';
  /** What the baseline and the subject are, or why the row is n/a. */
  note: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** One result line from per-pair (or per-repetition) figures. */
export function summarize(
  row: string,
  metric: string,
  unit: string,
  figures: readonly number[],
  goal: Goal,
  note: string,
): RowResult {
  const mid = median(figures);
  const met = goal.op === '<=' ? mid <= goal.value : mid >= goal.value;
  return {
    row,
    metric,
    unit,
    median: mid,
    min: Math.min(...figures),
    max: Math.max(...figures),
    pairs: figures.length,
    goal,
    status: met ? 'ok' : 'MISS',
    note,
  };
}

export function notAvailable(row: string, metric: string, unit: string, goal: Goal, note: string): RowResult {
  return { row, metric, unit, goal, status: 'n/a', note };
}

/**
 * Runs baseline and subject alternately, `pairs` times each, and returns what `measure` makes of every pair.
 * The order inside a pair alternates too (AB, BA, AB…), so neither side always runs on a warmer machine.
 */
export async function interleave<T, R>(
  pairs: number,
  baseline: () => Promise<T>,
  subject: () => Promise<T>,
  measure: (baseline: T, subject: T) => R,
): Promise<R[]> {
  // One unrecorded round of each: JIT warm-up and lazy initialisation would otherwise land in pair 1.
  await baseline();
  await subject();
  const results: R[] = [];
  for (let i = 0; i < pairs; i++) {
    let a: T;
    let b: T;
    if (i % 2 === 0) {
      a = await baseline();
      b = await subject();
    } else {
      b = await subject();
      a = await baseline();
    }
    results.push(measure(a, b));
  }
  return results;
}

/** CPU time (user + system, all threads of this process) spent in `work`, in milliseconds. */
export async function cpuMs<T>(work: () => Promise<T>): Promise<{ cpu: number; value: T }> {
  const start = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(start);
  return { cpu: (used.user + used.system) / 1000, value };
}

/**
 * CPU of this process per callback while the forked load generator sends `load` (paced: `intervalMs` set), until
 * `settled` resolves (e.g. the history has saved them) and at least `windowMs` after the first was sent (so that
 * both sides of a pair are measured over equally long windows when the process has work of its own).
 */
export async function pacedCpuPerCallback(
  loadgen: Child,
  load: LoadRequest,
  settled: () => Promise<void>,
  windowMs = 0,
): Promise<number> {
  const { cpu } = await cpuMs(async () => {
    const started = performance.now();
    const result = await loadgen.ask<LoadResult>(load);
    if (result.failures) throw new Error(`${result.failures} of ${load.count} requests failed`);
    await settled();
    const wait = started + windowMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  });
  return cpu / load.count;
}

/** One pair of a paced CPU row: each side's CPU per callback (ms) and the subject's ratio to the baseline. */
export interface CpuPair {
  ratio: number;
  a: number;
  b: number;
}

export function cpuPair(a: number, b: number): CpuPair {
  return { ratio: b / a, a, b };
}

/** The median CPU per callback of one side of the pairs, in whole µs: shown beside a ratio, for scale. */
export function medianMicros(pairs: readonly CpuPair[], side: 'a' | 'b'): number {
  return Math.round(median(pairs.map((p) => p[side] * 1000)));
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

/** A compiled module next to this one (the bench runs from out/test/bench/). */
export function benchModule(name: string): string {
  return join(__dirname, `${name}.js`);
}

/**
 * A child process speaking one request / one answer at a time over IPC. Load generators and servers the
 * subject talks to run in such children, so they never share the measured process's event loop or CPU account.
 */
export class Child {
  readonly #process: ChildProcess;

  private constructor(process: ChildProcess) {
    this.#process = process;
  }

  static async start(module: string, args: string[] = []): Promise<Child> {
    const child = new Child(
      fork(benchModule(module), args, {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        // --expose-gc for the heap row; libuv's io_uring would hide file writes from the history-writes row's counter.
        execArgv: ['--expose-gc'],
        env: { ...process.env, UV_USE_IO_URING: '0' },
      }),
    );
    await child.#next(); // the child says it is ready
    return child;
  }

  async ask<T>(message: unknown): Promise<T> {
    this.#process.send(message as object);
    return this.#next<T>();
  }

  async stop(): Promise<void> {
    if (this.#process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#process.once('exit', resolve));
    this.#process.kill();
    await exited;
  }

  #next<T>(): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`bench child exited (${code}) before answering`));
      this.#process.once('exit', onExit);
      this.#process.once('message', (answer: { error?: string; value: T }) => {
        this.#process.off('exit', onExit);
        if (answer.error) reject(new Error(answer.error));
        else resolve(answer.value);
      });
    });
  }
}

/** The child side of `Child`: answers each message with `handle`'s result, in order. */
export function serveParent<M>(handle: (message: M) => Promise<unknown>): void {
  let queue = Promise.resolve();
  process.on('message', (message) => {
    queue = queue.then(async () => {
      try {
        process.send?.({ value: await handle(message as M) });
      } catch (error) {
        process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    });
  });
  process.send?.({ value: 'ready' });
}
