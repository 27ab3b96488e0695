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
const STEPS = {
  'host install': { cmd: ['node', 'scripts/host/install.mjs'], timeout: 20 * MIN },
  'check-types': { cmd: ['npm', 'run', '--silent', 'check-types'], timeout: 10 * MIN },
  lint: { cmd: ['npm', 'run', '--silent', 'lint'], timeout: 10 * MIN },
  'compile-tests': { cmd: ['npm', 'run', '--silent', 'compile-tests'], timeout: 10 * MIN },
  package: { cmd: ['npm', 'run', '--silent', 'package'], timeout: 10 * MIN },
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
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(full, pattern));
    else if (e.isFile() && pattern.test(e.name)) out.push(full);
  }
  return out.sort();
}

async function runStep(name) {
  const step = STEPS[name];
  const started = Date.now();
  const result = {
    name,
    ok: false,
    tests: !!step.test,
    passed: 0,
    failed: 0,
    skipped: 0,
    ms: 0,
    note: '',
    failures: [],
  };
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
    const r = await runLive(cmd, args, { env, timeout: step.timeout });
    result.ms = Date.now() - started;
    result.ok = r.code === 0 && !r.timedOut;
    if (!result.ok) {
      result.failed = 1;
      result.note = r.timedOut ? 'timed out' : r.error ? r.error : `exit ${r.code}`;
      result.failures.push({ title: name, error: result.note });
    }
    return;
  }

  mkdirSync(RESULTS, { recursive: true });
  let code;
  let timedOut = false;
  if (step.test === 'integration') {
    const file = path.join(RESULTS, 'integration.json');
    rmSync(file, { force: true });
    const r = await runLive('node', ['scripts/host/runIntegration.mjs'], {
      env: { ...env, PLIVO_TEST_RESULTS: file },
      timeout: step.timeout,
    });
    ({ code, timedOut } = r);
    try {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      result.passed = json.passed ?? 0;
      result.failed = json.failed ?? 0;
      result.skipped = json.pending ?? 0;
      result.failures = json.failures ?? [];
    } catch {
      result.note = 'no results file';
    }
  } else {
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
      ? findFiles(dir, step.pattern)
      : existsSync(dir)
        ? [path.relative(REPO_ROOT, dir) + '/']
        : [];
    if (targets.length === 0) {
      result.ms = Date.now() - started;
      result.failed = 1;
      result.note = `no test files in ${step.dir} (did compile-tests run?)`;
      result.failures.push({ title: name, error: result.note });
      console.log(`[test] ${result.note}`);
      return;
    }
    const args = [
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
    ];
    // e2e: one code-server + browser at a time (2 cores), no test hanging forever. (Not --test-force-exit: it cuts the
    // TAP file short; a file kept alive by a leaked handle ends at the stage timeout instead.)
    if (name === 'e2e') args.push('--test-concurrency=1', '--test-timeout=300000');
    const r = await runLive(
      'node',
      [...args, ...targets.map((t) => (path.isAbsolute(t) ? path.relative(REPO_ROOT, t) : t))],
      {
        env,
        timeout: step.timeout,
      },
    );
    ({ code, timedOut } = r);
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
  }
  result.ms = Date.now() - started;
  // A stage must not look green because it crashed before counting anything, or ran nothing.
  if (timedOut) {
    result.note = `timed out after ${seconds(step.timeout)}`;
    result.failed += 1;
    result.failures.push({ title: name, error: result.note });
  } else if (code !== 0 && result.failed === 0) {
    result.note = `${result.note ? `${result.note}; ` : ''}exited with ${code} without a failed test`;
    result.failed = 1;
    result.failures.push({ title: name, error: result.note });
  } else if (result.passed + result.failed === 0) {
    result.note = 'ran no test';
    result.failed = 1;
    result.failures.push({ title: name, error: 'ran no test' });
  }
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
  if (interrupted) {
    results.push({
      name,
      ok: false,
      tests: !!STEPS[name].test,
      passed: 0,
      failed: 1,
      skipped: 0,
      ms: 0,
      note: 'not run: interrupted',
      failures: [],
    });
    continue;
  }
  await runStep(name);
}
console.log(`[test] total ${seconds(Date.now() - t0)}`);
const failed = printSummary();
process.exit(interrupted ? 130 : failed > 0 ? 1 : 0);
