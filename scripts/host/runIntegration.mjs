// Runs the mocha integration tests (out/test/integration/**/*.test.js) inside code-server's real extension host.
// Mechanism: the workbench reads extensionDevelopmentPath / extensionTestsPath
// from the URL's `payload` parameter, forwards the extension host's output to window.codeAutomationLog and reports the
// end of the run through window.codeAutomationExit(code).
//
// Needs: `npm run compile-tests` (out/test/integration/index.js) and a built extension (dist/extension.js: `npm run build`
// or `npm run package`). Results JSON goes to $PLIVO_TEST_RESULTS (default test-results/integration.json).
// An argument names another entry of the same contract to run instead (the bench's host row: out/test/bench/host).
// Exit code: the extension host's (0 = all passed), 124 on timeout, 1 when the harness itself failed.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { REPO_ROOT, isMain, seconds } from './common.mjs';
import { launchBrowser, startCodeServer } from './codeServer.mjs';

const TIMEOUT_MS = 10 * 60_000;

/** Lines the workbench itself logs while loading, not worth showing next to the test output (PLIVO_VERBOSE=1 shows them). */
const NOISE = [
  /^Resolv(?:ing|ed) connection token/,
  /^Creating a socket/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
  /ENOTFOUND open-vsx\.org/, // the extension gallery is unreachable offline, harmless
  /ERR_NAME_NOT_RESOLVED/,
];

export async function runIntegration({
  resultsFile = process.env.PLIVO_TEST_RESULTS || path.join(REPO_ROOT, 'test-results', 'integration.json'),
  verbose = !!process.env.PLIVO_VERBOSE,
  testsPath = path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js'),
} = {}) {
  if (!existsSync(testsPath))
    throw new Error(`${path.relative(REPO_ROOT, testsPath)} is missing: run  npm run compile-tests`);
  const main = path.join(REPO_ROOT, 'dist', 'extension.js');
  if (!existsSync(main)) throw new Error(`${path.relative(REPO_ROOT, main)} is missing: run  npm run build`);
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  rmSync(resultsFile, { force: true });

  const t0 = Date.now();
  let cs;
  let browser;
  try {
    cs = await startCodeServer({ env: { PLIVO_TEST_RESULTS: resultsFile } });
    browser = await launchBrowser();
    const page = await browser.newPage();
    let finish;
    const exited = new Promise((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // The extension host forwards console.* calls with their raw arguments (format string first, as mocha's reporter uses).
      const text = Array.isArray(args) ? format(...args) : String(args);
      if (!verbose && NOISE.some((re) => re.test(text))) return;
      for (const line of text.split('\n')) (type === 'error' ? console.error : console.log)(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(Number(code) || 0));
    page.on('crash', () => finish('page crashed'));
    const payload = [
      ['extensionDevelopmentPath', cs.remoteUri(REPO_ROOT)],
      ['extensionTestsPath', cs.remoteUri(testsPath)],
    ];
    console.log(`[integration] running ${path.relative(REPO_ROOT, testsPath)} in code-server's extension host…`);
    await page.goto(cs.workbenchUrl({ payload }));
    let timer;
    const outcome = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS))),
    ]);
    clearTimeout(timer);

    let results = null;
    try {
      results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    } catch {
      /* the extension host never got to write it */
    }
    let code;
    if (outcome === 'timeout') {
      console.error(
        `[integration] TIMEOUT: no result after ${seconds(TIMEOUT_MS)}. code-server log:\n${cs.logTail(40)}`,
      );
      code = 124;
    } else if (typeof outcome === 'string') {
      console.error(`[integration] ${outcome}`);
      code = 1;
    } else {
      code = outcome;
    }
    if (!results) {
      results = {
        passed: 0,
        failed: 1,
        failures: [{ title: 'integration run', error: `no results written (exit ${code})` }],
      };
    }
    if (code !== 0 && results.failed === 0) {
      results.failed = 1;
      results.failures.push({ title: 'integration run', error: `extension host exited with ${code}` });
    }
    console.log(
      `[integration] exit ${code}, ${results.passed} passed, ${results.failed} failed in ${seconds(Date.now() - t0)}`,
    );
    return { code, ...results };
  } finally {
    await browser?.close().catch(() => {});
    await cs?.stop();
  }
}

if (isMain(import.meta.url)) {
  runIntegration(process.argv[2] ? { testsPath: path.resolve(process.argv[2]) } : {})
    .then((r) => process.exit(r.code === 0 ? 0 : r.code || 1))
    .catch((err) => {
      console.error(`[integration] FAILED: ${err.stack ?? err.message}`);
      process.exit(1);
    });
}
