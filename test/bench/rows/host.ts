// The paced row again, in code-server's real extension host with the whole extension (test/bench/host/index.ts):
// installs the host as the tests do, builds the extension, and runs that entry through the integration runner.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RowResult } from '../harness';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

async function node(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, [join(REPO_ROOT, script), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${script} failed:\n${tail}`);
  }
}

export async function hostRow(): Promise<RowResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'plivo-bench-host-'));
  try {
    await node('scripts/host/install.mjs');
    // As it ships: minified, as `npm run package` builds it.
    await node('scripts/build.mjs', ['--production']);
    const rowsFile = join(dir, 'rows.json');
    await node('scripts/host/runIntegration.mjs', [join(REPO_ROOT, 'out', 'test', 'bench', 'host', 'index.js')], {
      PLIVO_BENCH_RESULTS: rowsFile,
      PLIVO_TEST_RESULTS: join(dir, 'run.json'),
    });
    return JSON.parse(await readFile(rowsFile, 'utf8')) as RowResult[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
