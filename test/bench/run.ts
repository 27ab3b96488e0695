/**
 * `npm run bench`: every row compares the project's code with a baseline in the same run, interleaved, and
 * prints the median of the per-pair figures with their spread. Each row runs in its own child process; results
 * go to bench/results.json with the machine they were measured on. A missed goal prints MISS but does not fail
 * the run (timed goals are no tests); only a row that cannot run at all sets a non-zero exit code.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Child, type RowResult } from './harness';
import { ROWS } from './row';

const RESULTS_FILE = join(__dirname, '..', '..', '..', 'bench', 'results.json');

function figure(value: number | undefined): string {
  if (value === undefined) return '';
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function cells(r: RowResult): string[] {
  const spread = r.min === undefined ? '' : r.min === r.max ? '' : `${figure(r.min)}–${figure(r.max)}`;
  return [
    r.status,
    r.row,
    r.metric,
    r.median === undefined ? 'n/a' : `${figure(r.median)} ${r.unit}`,
    spread,
    `${r.goal.op === '<=' ? '≤' : '≥'} ${r.goal.value} ${r.unit}`,
    r.pairs === undefined ? '' : String(r.pairs),
    r.note,
  ];
}

/** A Markdown table, readable as printed and ready for the README. */
function table(results: RowResult[]): string {
  const header = ['', 'row', 'metric', 'median', 'spread (min–max)', 'goal', 'n', 'what'];
  const rows = [header, ...results.map(cells)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
}

async function runRow(name: string): Promise<RowResult[]> {
  const started = performance.now();
  const child = await Child.start('row');
  try {
    const results = await child.ask<RowResult[]>(name);
    console.error(`  ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return results;
  } finally {
    await child.stop();
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const results: RowResult[] = [];
  let broken = 0;
  // `npm run bench -- signature tree` runs only those rows (and leaves bench/results.json alone).
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !(name in ROWS));
  if (unknown.length) throw new Error(`no row ${unknown.join(', ')}; rows: ${Object.keys(ROWS).join(', ')}`);
  for (const name of only.length ? only : Object.keys(ROWS)) {
    try {
      results.push(...(await runRow(name)));
    } catch (error) {
      broken++;
      console.error(`  ${name}: could not run\n${(error as Error).message}`);
      results.push({
        row: name,
        metric: 'could not run',
        unit: '',
        goal: { op: '<=', value: 0 },
        status: 'n/a',
        note: String((error as Error).message.split('\n')[0]),
      });
    }
  }
  const cpu = cpus();
  const machine = {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpuCount: cpu.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
  };
  const count = (status: RowResult['status']): number => results.filter((r) => r.status === status).length;
  const summary = { ok: count('ok'), miss: count('MISS'), na: count('n/a') };
  if (!only.length) {
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify({ date: started.toISOString(), durationSeconds: Math.round((Date.now() - started.getTime()) / 1000), machine, summary, rows: results }, null, 2)}\n`,
    );
  }
  console.log(table(results));
  console.log(
    `\n${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}, ${started.toISOString()}; load average at end ${machine.loadAverageAtEnd.join(' ')}`,
  );
  console.log(
    `${summary.ok} ok, ${summary.miss} MISS, ${summary.na} n/a${only.length ? '' : '; written to bench/results.json'}`,
  );
  if (broken) process.exitCode = 1;
}

void main();
