// Integration tests in DESKTOP VS Code, for contributors who have it: `npx vscode-test` (@vscode/test-cli downloads
// VS Code into .vscode-test/ on first use and needs a display; on a headless Linux box use `xvfb-run -a npx vscode-test`).
// Build first: `npm run build && npm run compile-tests`.
// CI and `npm test` run the same tests in code-server instead (scripts/host/runIntegration.mjs), no download needed.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'integration',
  files: 'out/test/integration/**/*.test.js',
  version: '1.100.3', // what code-server 4.100.3 runs; engines.vscode is ^1.99.0
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'bdd', timeout: 60_000 },
});
