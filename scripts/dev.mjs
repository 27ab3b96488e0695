// `npm run dev`: the extension in a real VS Code (code-server) in your browser, against the offline sandbox.
//   1. installs code-server + Chromium deps if missing (npm run host:install),
//   2. builds dist/plivo-call-recording.vsix (npm run package) and the sandbox,
//   3. starts the sandbox (3 live calls that come and go) and code-server with the vsix installed,
//      plivo.apiBaseUrl = the sandbox and PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN = the sandbox's demo credentials,
//   4. prints the URL to open; Ctrl-C stops everything.
// Env: PORT (code-server, default 8080), PLIVO_SANDBOX_PORT (sandbox, default: any free port).
// code-server listens on 127.0.0.1 only; from another machine use an SSH tunnel: ssh -L 8080:127.0.0.1:8080 host
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT, VSIX_PATH, onCleanup, run, seconds, shuttingDown } from './host/common.mjs';
import { freePort, startCodeServer } from './host/codeServer.mjs';
import { installHost } from './host/install.mjs';

const port = Number(process.env.PORT || 8080);
const sandboxPort = Number(process.env.PLIVO_SANDBOX_PORT || 0);

/** Bundles src/sandbox (plain Node, no VS Code) so the dev server does not depend on the whole project type-checking. */
async function loadSandbox() {
  const esbuild = await import('esbuild');
  const outDir = path.join(REPO_ROOT, '.vscode-test', 'dev');
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'sandbox.cjs');
  await esbuild.build({
    entryPoints: [path.join(REPO_ROOT, 'src', 'sandbox', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}

async function main() {
  const t0 = Date.now();
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`PORT=${process.env.PORT} is not a port number`);
  if ((await freePort(port)) === undefined)
    throw new Error(`port ${port} on 127.0.0.1 is in use; pick another:  PORT=8081 npm run dev`);

  await installHost();
  console.log('[dev] npm run package');
  await run('npm', ['run', '--silent', 'package']);

  const { Sandbox, SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN } = await loadSandbox();
  const sandbox = await Sandbox.start({ port: sandboxPort, liveCalls: 3, churn: true });
  onCleanup({ stop: () => sandbox.close() });
  console.log(`[dev] sandbox listening on ${sandbox.url}`);

  const cs = await startCodeServer({
    port,
    vsixPath: VSIX_PATH,
    settings: { 'plivo.apiBaseUrl': sandbox.url },
    env: { PLIVO_AUTH_ID: SANDBOX_AUTH_ID, PLIVO_AUTH_TOKEN: SANDBOX_AUTH_TOKEN },
  });

  console.log(`
Ready in ${seconds(Date.now() - t0)}. Open in your browser:

    ${cs.url}/?folder=${cs.workspaceDir}

then click the Plivo icon in the activity bar. The extension talks to the offline sandbox (${sandbox.url})
with its demo credentials, already set for you through the environment:
    Auth ID:    ${SANDBOX_AUTH_ID}
    Auth Token: ${SANDBOX_AUTH_TOKEN}
(Plivo: Set Credentials accepts them too.) Settings, state and the workspace are fresh temp folders, removed on exit.
code-server log: ${cs.logFile}
Press Ctrl-C to stop everything.`);

  const ended = await cs.exited;
  if (shuttingDown()) return; // Ctrl-C: the cleanup handlers stop code-server, close the sandbox and exit 130
  console.error(`[dev] code-server stopped unexpectedly (${JSON.stringify(ended)}):\n${cs.logTail(30)}`);
  await cs.stop();
  await sandbox.close();
  process.exit(1);
}

main().catch(async (err) => {
  console.error(`[dev] FAILED: ${err.message}`);
  process.exit(1);
});
