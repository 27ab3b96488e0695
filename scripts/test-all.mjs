// `npm test` runs every stage in order and prints one summary; `npm test -- unit|integration|e2e` (or
// `npm run test:integration` / `test:e2e`) runs one test stage with just the steps it needs:
//
//   host install -> check-types + lint -> compile-tests -> package -> unit -> integration -> e2e
//   unit:        compile-tests, unit
//   integration: host install, compile-tests, package, integration (mocha in code-server's extension host)
//   e2e:         host install, compile-tests, package, e2e (node:test + playwright, out/test/e2e/**/*.e2e.js)
//
// The last line is always `N passed, N failed` (tests over all stages; a step or stage that failed, crashed, timed
// out, ran no test or could not run counts as one failure). Exit code: 0 only when nothing failed.
// Reports are kept in test-results/ (unit.tap, integration.json, e2e.tap, e2e screenshots).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, cleanEnv, seconds } from './host/common.mjs';
import { parseTap } from './host/tap.mjs';
import { groupAlive, reapOrphans } from './host/codeServer.mjs';

const RESULTS = path.join(REPO_ROOT, 'test-results');
const MIN = 60_000;

/** A step (no test counts) or a test stage. `needs`: steps that must have succeeded for it to make sense. */
const npmStep = (script) => ({ cmd: ['npm', 'run', '--silent', script], timeout: 10 * MIN });
const STEPS = {
  'host install': { cmd: ['node', 'scripts/host/install.mjs'], timeout: 20 * MIN },
  'check-types': npmStep('check-types'),
  lint: npmStep('lint'),
  'compile-tests': npmStep('compile-tests'),
  package: npmStep('package'),
  unit: { test: 'tap', dir: 'out/test/unit', timeout: 15 * MIN },
  integration: { test: 'integration', needs: ['host install', 'package'], timeout: 15 * MIN },
  e2e: {
    test: 'tap',
    dir: 'out/test/e2e',
    pattern: /\.e2e\.js$/,
    needs: ['host install', 'package'],
    timeout: 40 * MIN,
  },
};

const PLANS = {
  all: ['host install', 'check-types', 'lint', 'compile-tests', 'package', 'unit', 'integration', 'e2e'],
  unit: ['compile-tests', 'unit'],
  integration: ['host install', 'compile-tests', 'package', 'integration'],
  e2e: ['host install', 'compile-tests', 'package', 'e2e'],
};

const which = process.argv[2] ?? 'all';
if (!PLANS[which]) {
  console.error(`usage: node scripts/test-all.mjs [unit|integration|e2e]   (got "${which}")`);
  process.exit(2);
}

/** @type {{name: string, ok: boolean, tests: boolean, passed: number, failed: number, skipped: number, ms: number, note: string, failures: {title: string, error: string}[]}[]} */
const results = [];
let current = null; // running child, for Ctrl-C forwarding
let interrupted = false;

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[test] ${sig}: stopping the running stage…`);
    if (current) killGroup(current, 'SIGINT');
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* gone */
  }
}

/** Runs a command in its own process group with live output; resolves { code, timedOut }. */
function runLive(cmd, args, { env, timeout }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    current = child;
    let timedOut = false;
    const timer = setTimeout(async () => {
      timedOut = true;
      console.error(`\n[test] timed out after ${seconds(timeout)}: stopping ${cmd} ${args.join(' ')}`);
      killGroup(child, 'SIGTERM');
      await sleep(15_000);
      killGroup(child, 'SIGKILL');
    }, timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      current = null;
      resolve({ code: 127, timedOut, error: err.message });
    });
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      current = null;
      // Processes of the stage may still be cleaning up (a test file stopping its code-server): give them time,
      // then kill what is left in the group, and stop any code-server whose owner died without stopping it.
      const deadline = Date.now() + 20_000;
      while (groupAlive(child.pid) && Date.now() < deadline) await sleep(200);
      killGroup(child, 'SIGKILL');
      await reapOrphans({ log: (msg) => console.log(`[test] ${msg}`) });
      resolve({ code: code ?? (signal ? 128 : 1), timedOut, signal });
    });
  });
}

function findFiles(dir, pattern) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .filter((file) => pattern.test(path.basename(file)))
    .map((file) => path.join(dir, file))
    .sort();
}

function newResult(name, note = '') {
  return { name, ok: false, tests: !!STEPS[name].test, passed: 0, failed: 0, skipped: 0, ms: 0, note, failures: [] };
}

/** Counts one failure for a step or stage that failed as a whole (crashed, timed out, ran nothing). */
function fail(result, note) {
  result.note = result.note ? `${result.note}; ${note}` : note;
  result.failed += 1;
  result.failures.push({ title: result.name, error: note });
}

/** The integration stage: mocha in code-server's extension host, counted from its JSON results file. */
async function runIntegration(result, step, env) {
  const file = path.join(RESULTS, 'integration.json');
  rmSync(file, { force: true });
  const run = await runLive('node', ['scripts/host/runIntegration.mjs'], {
    env: { ...env, PLIVO_TEST_RESULTS: file },
    timeout: step.timeout,
  });
  try {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    Object.assign(result, {
      passed: json.passed ?? 0,
      failed: json.failed ?? 0,
      skipped: json.pending ?? 0,
      failures: json.failures ?? [],
    });
  } catch {
    result.note = 'no results file';
  }
  return run;
}

/** A node:test stage, counted from its TAP report. Undefined when there is no test file to run. */
async function runTap(result, step, env) {
  const { name } = result;
  const dir = path.join(REPO_ROOT, step.dir);
  const tapFile = path.join(RESULTS, `${name}.tap`);
  rmSync(tapFile, { force: true });
  if (name === 'e2e') {
    // Failure screenshots of earlier runs would be confused with this run's (the named ones are overwritten anyway).
    for (const f of readdirSync(RESULTS))
      if (/^failure-.*\.png$/.test(f)) rmSync(path.join(RESULTS, f), { force: true });
  }
  // The e2e files are *.e2e.js, which node's directory search does not pick up: list them explicitly.
  const targets = step.pattern
    ? findFiles(dir, step.pattern).map((t) => path.relative(REPO_ROOT, t))
    : existsSync(dir)
      ? [path.relative(REPO_ROOT, dir) + '/']
      : [];
  if (targets.length === 0) return undefined;
  const args = ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout'];
  args.push('--test-reporter=tap', `--test-reporter-destination=${tapFile}`);
  // e2e: one code-server + browser at a time (2 cores), no test hanging forever. (Not --test-force-exit: it cuts the
  // TAP file short; a file kept alive by a leaked handle ends at the stage timeout instead.)
  if (name === 'e2e') args.push('--test-concurrency=1', '--test-timeout=300000');
  const run = await runLive('node', [...args, ...targets], { env, timeout: step.timeout });
  if (existsSync(tapFile)) {
    const { totals, failures, leaves } = parseTap(readFileSync(tapFile, 'utf8'));
    if (totals.pass === undefined) result.note = 'TAP report has no summary (run cut short?): counted its test lines';
    result.passed = totals.pass ?? leaves.pass;
    result.failed = totals.pass === undefined ? leaves.fail : (totals.fail ?? 0) + (totals.cancelled ?? 0);
    result.skipped = (totals.skipped ?? 0) + (totals.todo ?? 0);
    result.failures = failures;
  } else {
    result.note = 'no TAP report';
  }
  return run;
}

async function runStep(name) {
  const step = STEPS[name];
  const started = Date.now();
  const result = newResult(name);
  results.push(result);

  const missing = (step.needs ?? []).filter(
    (dep) => PLANS[which].includes(dep) && !results.find((r) => r.name === dep)?.ok,
  );
  if (missing.length) {
    result.note = `not run: ${missing.join(', ')} failed`;
    result.failed = 1;
    console.log(`\n[test] ── ${name}: NOT RUN (${missing.join(', ')} failed)`);
    return;
  }
  console.log(`\n[test] ── ${name} ${'─'.repeat(Math.max(3, 60 - name.length))}`);
  const env = cleanEnv({ PLIVO_TEST_STAGE: name });

  if (!step.test) {
    const [cmd, ...args] = step.cmd;
    const run = await runLive(cmd, args, { env, timeout: step.timeout });
    result.ms = Date.now() - started;
    result.ok = run.code === 0 && !run.timedOut;
    if (!result.ok) fail(result, run.timedOut ? 'timed out' : (run.error ?? `exit ${run.code}`));
    return;
  }

  mkdirSync(RESULTS, { recursive: true });
  const run = step.test === 'integration' ? await runIntegration(result, step, env) : await runTap(result, step, env);
  result.ms = Date.now() - started;
  // A stage must not look green because it crashed before counting anything, or ran nothing.
  if (!run) {
    fail(result, `no test files in ${step.dir} (did compile-tests run?)`);
    console.log(`[test] ${result.note}`);
  } else if (run.timedOut) fail(result, `timed out after ${seconds(step.timeout)}`);
  else if (run.code !== 0 && result.failed === 0) fail(result, `exited with ${run.code} without a failed test`);
  else if (result.passed + result.failed === 0) fail(result, 'ran no test');
  result.ok = result.failed === 0;
}

function printSummary() {
  const rows = results.map((r) => {
    const status = r.tests
      ? `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`
      : r.ok
        ? 'ok'
        : 'FAILED';
    return `  ${r.name.padEnd(14)} ${status.padEnd(32)} ${r.ms ? seconds(r.ms).padStart(8) : ''.padStart(8)}${r.note ? `  (${r.note})` : ''}`;
  });
  const failures = results.flatMap((r) =>
    r.failures.map(
      (f) => `  ✖ ${r.name}: ${f.title}${f.error ? `\n      ${f.error.split('\n').slice(0, 6).join('\n      ')}` : ''}`,
    ),
  );
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`\n[test] ── summary (${which}) ${'─'.repeat(40)}`);
  console.log(rows.join('\n'));
  if (failures.length) console.log(`\nfailures:\n${failures.join('\n')}`);
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed;
}

const t0 = Date.now();
for (const name of PLANS[which]) {
  if (interrupted) results.push({ ...newResult(name, 'not run: interrupted'), failed: 1 });
  else await runStep(name);
}
console.log(`[test] total ${seconds(Date.now() - t0)}`);
const failed = printSummary();
process.exit(interrupted ? 130 : failed > 0 ? 1 : 0);
