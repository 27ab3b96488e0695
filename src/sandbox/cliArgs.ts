// Command-line options of `npm run sandbox`.
import { PLIVO_RATE_LIMIT } from '../plivo/limiter';

export interface CliArgs {
  port: number;
  calls: number;
  timeScale: number;
  /** Requests per account per RATE_LIMIT_WINDOW_MS before 429; 0: no limit. */
  rateLimit: number;
  help: boolean;
}

export const DEFAULT_CLI_PORT = 8099;
/** Enough for a busy account (the scale the Calls view is tested at). */
export const MAX_CLI_CALLS = 10_000;

/** Plivo's own limit, over its window (RATE_LIMIT_WINDOW_MS). */
export const DEFAULT_CLI_RATE_LIMIT = PLIVO_RATE_LIMIT.requests;
export const RATE_LIMIT_WINDOW_MS = PLIVO_RATE_LIMIT.windowMs;
/** The window as the usage and the banner write it, e.g. "5 s". */
export const RATE_LIMIT_WINDOW = `${RATE_LIMIT_WINDOW_MS / 1000} s`;

export const USAGE = `Usage: npm run sandbox -- [--port N] [--calls N] [--time-scale X] [--rate-limit N]
  --port N        port to listen on (default ${DEFAULT_CLI_PORT}, or $PLIVO_SANDBOX_PORT; 0 = any free port)
  --calls N       simulated live calls at start (default 3, at most ${MAX_CLI_CALLS})
  --time-scale X  multiply simulated durations, e.g. 0.1 for ten times faster (default 1)
  --rate-limit N  API requests per account per ${RATE_LIMIT_WINDOW} before the sandbox answers 429, as Plivo does
                  (default ${DEFAULT_CLI_RATE_LIMIT}; 0 = no limit)`;

/** Accepts `--name value` and `--name=value`. Throws an Error with a message fit for the user. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliArgs {
  const args: CliArgs = {
    port: DEFAULT_CLI_PORT,
    calls: 3,
    timeScale: 1,
    rateLimit: DEFAULT_CLI_RATE_LIMIT,
    help: false,
  };
  if (env.PLIVO_SANDBOX_PORT) args.port = port(env.PLIVO_SANDBOX_PORT, 'PLIVO_SANDBOX_PORT');
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    if (name === '--help' || name === '-h') {
      args.help = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    if (name === '--port') args.port = port(value, name);
    else if (name === '--calls') args.calls = integer(value, name, 0, MAX_CLI_CALLS);
    else if (name === '--time-scale') args.timeScale = positiveNumber(value, name);
    else if (name === '--rate-limit') args.rateLimit = integer(value, name, 0, Number.MAX_SAFE_INTEGER);
    else throw new Error(`unknown option ${name}`);
  }
  return args;
}

function port(value: string, name: string): number {
  return integer(value, name, 0, 65535);
}

function integer(value: string, name: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

function positiveNumber(value: string, name: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new Error(`${name} must be a positive number, got "${value}"`);
  }
  return n;
}
