// Shared bits of the real-host harness: paths, the pinned code-server version, child-process helpers,
// and one cleanup registry so that every process the harness starts is stopped on exit, Ctrl-C or failure.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Pinned: VS Code 1.100.3; newer code-server releases need Node 22+. */
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_PREFIX = path.join(REPO_ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_BIN = path.join(CODE_SERVER_PREFIX, 'node_modules', '.bin', 'code-server');
export const CHROMIUM_PATH = process.env.PLIVO_CHROMIUM_PATH || '/usr/bin/chromium';
export const VSIX_PATH = path.join(REPO_ROOT, 'dist', 'plivo-call-recording.vsix');
export const EXTENSION_ID = 'plivo-community.plivo-call-recording';

/** True when the given module (import.meta.url) is the script node was started with. */
export function isMain(moduleUrl) {
  return !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Runs a command with inherited stdio (or captured output with `capture: true`).
 * Resolves { code, stdout, stderr }; rejects with a readable error on a non-zero exit unless `allowFail`.
 */
export function run(cmd, args = [], { cwd = REPO_ROOT, env, capture = false, allowFail = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
    const untrack = trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      untrack();
      reject(new Error(`could not start ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      untrack();
      const result = { code: code ?? (signal ? 128 : 1), signal, stdout, stderr };
      if (result.code !== 0 && !allowFail) {
        const tail = capture ? `\n${(stdout + stderr).trim().split('\n').slice(-30).join('\n')}` : '';
        const err = new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}${tail}`);
        err.result = result;
        reject(err);
      } else {
        resolve(result);
      }
    });
  });
}

/** Environment for processes we start: without variables that would make code-server talk to another VS Code. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  }
  return { ...env, ...extra };
}

/**
 * Environment for code-server itself: code-server writes ~/.config/code-server/config.yaml (with a random password)
 * and ~/.local/share/code-server/coder-logs on ANY start, even `--version`. Point its XDG dirs at `baseDir` instead.
 */
export function codeServerEnv(baseDir, extra = {}) {
  return cleanEnv({
    XDG_CONFIG_HOME: path.join(baseDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(baseDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(baseDir, 'xdg-cache'),
    ...extra,
  });
}

// ---- cleanup registry -------------------------------------------------------------------------------

const asyncCleanups = new Set(); // () => Promise<void>, run on SIGINT/SIGTERM/fatal errors
const syncCleanups = new Set(); // () => void, last resort on process 'exit'
let handlersInstalled = false;
let signalled = false;

/** True once a signal (Ctrl-C, SIGTERM, SIGHUP) started stopping everything: processes ending now are expected. */
export function shuttingDown() {
  return signalled;
}

/**
 * Registers cleanup for a started resource. `stop` is async (graceful), `kill` is sync (used on 'exit').
 * Returns an unregister function.
 */
export function onCleanup({ stop, kill }) {
  installHandlers();
  if (stop) asyncCleanups.add(stop);
  if (kill) syncCleanups.add(kill);
  return () => {
    if (stop) asyncCleanups.delete(stop);
    if (kill) syncCleanups.delete(kill);
  };
}

/** Runs every registered async cleanup (used by signal handlers, also callable by scripts). */
export async function cleanupAll() {
  const stops = [...asyncCleanups];
  asyncCleanups.clear();
  await Promise.allSettled(stops.map((s) => s()));
}

function trackChild(child) {
  return onCleanup({
    kill: () => {
      try {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    },
  });
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const kill of [...syncCleanups]) {
      try {
        kill();
      } catch {
        /* best effort */
      }
    }
  });
  let stopping = false;
  const onSignal = (signal, code) => {
    if (stopping) {
      process.exit(code); // second Ctrl-C: the 'exit' handler still kills what is left
    }
    stopping = true;
    signalled = true;
    console.error(`\n${signal}: stopping everything the harness started…`);
    cleanupAll().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('SIGHUP', () => onSignal('SIGHUP', 129));
}
