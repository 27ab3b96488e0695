// Entry point that code-server's extension host loads as `extensionTestsPath` (same contract as @vscode/test-electron):
// runs every out/test/integration/**/*.test.js with mocha (bdd) inside the real extension host.
// Started by scripts/host/runIntegration.mjs (code-server) or @vscode/test-cli (.vscode-test.mjs, desktop VS Code).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface IntegrationResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

function writeResults(results: IntegrationResults): void {
  const file = process.env.PLIVO_TEST_RESULTS;
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
}

export async function run(): Promise<void> {
  const results: IntegrationResults = { passed: 0, failed: 0, pending: 0, failures: [] };
  // Written first so that a crash before mocha reports anything still leaves a trace.
  writeResults({ ...results, failed: 1, failures: [{ title: 'integration runner', error: 'did not finish' }] });
  try {
    const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
    const files = findTests(__dirname);
    if (files.length === 0) throw new Error(`no *.test.js files under ${__dirname} (did compile-tests run?)`);
    for (const f of files) mocha.addFile(f);
    await mocha.loadFilesAsync();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', () => results.passed++);
      runner.on('pending', () => results.pending++);
      runner.on('fail', (test: Mocha.Runnable, err: unknown) => {
        results.failed++;
        results.failures.push({ title: test.fullTitle(), error: errorText(err) });
      });
    });
  } catch (err) {
    results.failed++;
    results.failures.push({ title: 'integration runner', error: errorText(err) });
    console.error(`integration runner failed: ${errorText(err)}`);
  }
  writeResults(results);
  console.log(
    `integration: ${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} pending` : ''}`,
  );
  if (results.failed > 0) {
    throw new Error(`${results.failed} integration test(s) failed: ${results.failures.map((f) => f.title).join('; ')}`);
  }
}
