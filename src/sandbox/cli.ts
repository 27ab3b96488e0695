// `npm run sandbox`: the offline sandbox as a standalone server, for trying the extension
// (or any Plivo client) without an account.
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, SANDBOX_SUBACCOUNTS } from './accounts';
import { RATE_LIMIT_WINDOW, RATE_LIMIT_WINDOW_MS, USAGE, parseCliArgs, type CliArgs } from './cliArgs';
import { Sandbox } from './sandbox';
import type { SandboxCallbackLog, SandboxRequestLog } from './types';

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseCliArgs(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }

  let sandbox: Sandbox;
  try {
    sandbox = await Sandbox.start({
      port: args.port,
      liveCalls: args.calls,
      churn: true,
      timeScale: args.timeScale,
      rateLimit: args.rateLimit === 0 ? false : { requests: args.rateLimit, windowMs: RATE_LIMIT_WINDOW_MS },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    console.error(
      `Port ${args.port} is already in use. Choose another with --port N (npm run sandbox -- --port 8100), ` +
        'set PLIVO_SANDBOX_PORT, or use --port 0 for any free port.',
    );
    process.exitCode = 1;
    return;
  }

  console.log(`Plivo sandbox listening on ${sandbox.url}
  Auth ID:    ${SANDBOX_AUTH_ID}
  Auth Token: ${SANDBOX_AUTH_TOKEN}
${SANDBOX_SUBACCOUNTS.map((s) => `  Subaccount ${s.name}: ${s.authId} / ${s.authToken}`).join('\n')}
VS Code setting (settings.json):
  "plivo.apiBaseUrl": "${sandbox.url}"
${args.calls} simulated live call(s); calls end and new ones arrive over time.
${args.rateLimit === 0 ? 'No rate limit.' : `Rate limit: ${args.rateLimit} API requests per account per ${RATE_LIMIT_WINDOW}, then 429 (as Plivo).`} Press Ctrl+C to stop.`);
  sandbox.on('request', (e: SandboxRequestLog) => console.log(formatRequest(e)));
  sandbox.on('callback', (e: SandboxCallbackLog) => console.log(formatCallback(e)));

  const stop = (signal: NodeJS.Signals): void => {
    console.log(`\n${signal}: stopping the sandbox.`);
    // Nothing else holds the event loop, so the process exits once the server is closed.
    void sandbox.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function formatRequest(e: SandboxRequestLog): string {
  const query = new URLSearchParams(e.query).toString();
  return `${time(e.at)} ${e.method} ${e.path}${query ? `?${query}` : ''} → ${e.status}`;
}

function formatCallback(e: SandboxCallbackLog): string {
  const outcome = e.error ? `failed: ${e.error}` : `→ ${e.status}`;
  return `${time(e.at)} callback ${e.kind} ${e.method} ${e.url} ${outcome}`;
}

function time(at: Date): string {
  return at.toISOString().slice(11, 23);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
