// Starting and stopping code-server (VS Code in the browser) and a headless Chromium for it.
// Used by the integration runner, the e2e harness and `npm run dev`. Why each flag and wait is there is said
// where it is set.
/* global AbortSignal */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CHROMIUM_PATH,
  CODE_SERVER_BIN,
  CODE_SERVER_PREFIX,
  CODE_SERVER_VERSION,
  REPO_ROOT,
  codeServerEnv,
  onCleanup,
  run,
  seconds,
} from './common.mjs';

/** User settings written before the first browser connects (no walkthrough editor, no update/telemetry chatter). */
export const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.editor.restoreViewState': false,
  'files.hotExit': 'off',
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

/** Chromium flags: root needs --no-sandbox; the rest keep a headless test browser from phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-domain-reliability',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-breakpad',
  '--no-first-run',
  '--no-default-browser-check',
  '--metrics-recording-only',
  '--password-store=basic',
];

/**
 * The one free-port helper of the scripts and the e2e harness: binds `port` on 127.0.0.1 (0, the default: any free
 * port) and releases it. Resolves the port, or undefined when the given port is taken.
 */
export async function freePort(port = 0) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const bound = srv.address().port;
      srv.close(() => resolve(bound));
    });
  });
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** SIGTERM a process group, wait for it to empty, SIGKILL what is left after `graceMs`. */
export async function stopGroup(pgid, graceMs = 10_000) {
  const signal = (sig) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* gone */
    }
  };
  if (!groupAlive(pgid)) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (!groupAlive(pgid)) return;
  signal('SIGKILL');
  const hard = Date.now() + 5_000;
  while (groupAlive(pgid) && Date.now() < hard) await sleep(100);
}

// ---- registry of running code-servers, so that a process that was SIGKILLed cannot leave one behind -------------
// Each started server is recorded in .vscode-test/run/ with the pid of the process that owns it; reapOrphans() stops
// the servers whose owner is gone (scripts/test-all.mjs calls it after every stage, startCodeServer before starting).

const RUN_DIR = path.join(REPO_ROOT, '.vscode-test', 'run');

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** True when some process of group `pgid` runs our installed code-server (guards against a reused group id). */
function groupRunsOurCodeServer(pgid) {
  let found = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== pgid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(CODE_SERVER_PREFIX)) found = true;
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

/** Stops code-servers (and removes their temp dirs) left by harness processes that died without cleaning up. */
export async function reapOrphans({ log = (msg) => console.log(`[code-server] ${msg}`) } = {}) {
  if (!existsSync(RUN_DIR)) return 0;
  let reaped = 0;
  for (const name of readdirSync(RUN_DIR)) {
    const file = path.join(RUN_DIR, name);
    let info;
    try {
      info = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    if (processAlive(info.owner)) continue;
    if (info.pgid && groupAlive(info.pgid) && groupRunsOurCodeServer(info.pgid)) {
      log(`stopping code-server (process group ${info.pgid}) left behind by process ${info.owner}`);
      await stopGroup(info.pgid, 5_000);
      reaped++;
    }
    // Chromium exits by itself when its owner dies (Playwright's pipe closes); only its temp home is left to remove.
    if (info.root && /^plivo-(cs|chromium)-/.test(path.basename(info.root)))
      rmSync(info.root, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
  return reaped;
}

/**
 * Starts code-server on 127.0.0.1 with fresh temp user-data / extensions / workspace dirs (unless given).
 * @param {object} [opts]
 * @param {number} [opts.port] default: a free port
 * @param {string} [opts.workspaceDir] folder opened by the workbench; default: a fresh empty temp folder
 * @param {string} [opts.userDataDir] default: fresh temp dir (removed by stop())
 * @param {string} [opts.extensionsDir] default: fresh temp dir (removed by stop())
 * @param {Record<string, unknown>} [opts.settings] user settings merged over DEFAULT_SETTINGS
 * @param {Record<string, string>} [opts.env] extra environment for the server (the extension host inherits it)
 * @param {string} [opts.vsixPath] installed with --install-extension before the server starts
 * @param {number} [opts.timeoutMs] how long to wait for /healthz (default 60 s)
 * @param {boolean} [opts.quiet] do not print progress lines
 */
export async function startCodeServer(opts = {}) {
  if (!existsSync(CODE_SERVER_BIN)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed (${CODE_SERVER_BIN}): run  npm run host:install`,
    );
  }
  const say = opts.quiet ? () => {} : (msg) => console.log(`[code-server] ${msg}`);
  const started = Date.now();
  const root = mkdtempSync(path.join(os.tmpdir(), 'plivo-cs-'));
  const owned = [root];
  const userDataDir = opts.userDataDir ?? path.join(root, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(root, 'extensions');
  const workspaceDir = opts.workspaceDir ?? path.join(root, 'workspace');
  for (const d of [userDataDir, extensionsDir, workspaceDir, path.join(userDataDir, 'User')])
    mkdirSync(d, { recursive: true });
  const logFile = path.join(root, 'code-server.log');
  let child;
  let unregister = () => {};
  let stopped = false;

  let registryFile;
  const removeDirs = () => {
    for (const d of owned) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
    if (registryFile) rmSync(registryFile, { force: true });
  };
  const killSync = () => {
    if (child?.pid && groupAlive(child.pid)) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    try {
      removeDirs();
    } catch {
      /* best effort at exit */
    }
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    if (child?.pid) await stopGroup(child.pid);
    removeDirs();
  };
  unregister = onCleanup({ stop, kill: killSync });

  try {
    const port = opts.port ?? (await freePort());
    const config = path.join(root, 'config.yaml');
    writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const settingsFile = path.join(userDataDir, 'User', 'settings.json');
    let existing = {};
    if (existsSync(settingsFile)) {
      try {
        existing = JSON.parse(readFileSync(settingsFile, 'utf8'));
      } catch {
        existing = {};
      }
    }
    writeFileSync(
      settingsFile,
      JSON.stringify({ ...DEFAULT_SETTINGS, ...existing, ...(opts.settings ?? {}) }, null, 2),
    );
    const env = codeServerEnv(root, opts.env ?? {});
    const common = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

    if (opts.vsixPath) {
      if (!existsSync(opts.vsixPath)) throw new Error(`vsix not found: ${opts.vsixPath} (run  npm run package)`);
      const t = Date.now();
      const r = await run(CODE_SERVER_BIN, [...common, '--install-extension', opts.vsixPath, '--force'], {
        capture: true,
        allowFail: true,
        env,
      });
      const out = (r.stdout + r.stderr).trim();
      if (r.code !== 0 || !/successfully installed/i.test(out)) {
        throw new Error(`installing ${opts.vsixPath} failed (exit ${r.code}):\n${out}`);
      }
      say(`installed ${path.basename(opts.vsixPath)} in ${seconds(Date.now() - t)}`);
    }

    await reapOrphans({ log: say });
    const fd = openSync(logFile, 'a');
    try {
      child = spawn(
        CODE_SERVER_BIN,
        [
          ...common,
          '--auth',
          'none',
          '--bind-addr',
          `127.0.0.1:${port}`,
          '--disable-telemetry',
          '--disable-update-check',
          '--disable-workspace-trust',
          '--disable-getting-started-override',
          '--ignore-last-opened',
          workspaceDir,
        ],
        { env, detached: true, stdio: ['ignore', fd, fd] },
      );
    } finally {
      closeSync(fd);
    }
    if (child.pid) {
      mkdirSync(RUN_DIR, { recursive: true });
      registryFile = path.join(RUN_DIR, `code-server-${child.pid}.json`);
      writeFileSync(registryFile, JSON.stringify({ pgid: child.pid, root, owner: process.pid }));
    }
    let exitInfo = null;
    const exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => resolve((exitInfo = { code, signal })));
      child.on('error', (err) => resolve((exitInfo = { error: err.message })));
    });

    const url = `http://127.0.0.1:${port}`;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exitInfo)
        throw new Error(`code-server exited before it was ready (${JSON.stringify(exitInfo)}):\n${tail(logFile)}`);
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline)
        throw new Error(`code-server did not answer ${url}/healthz within ${seconds(timeoutMs)}:\n${tail(logFile)}`);
      await sleep(100);
    }
    say(`ready at ${url} in ${seconds(Date.now() - started)} (pid ${child.pid}, log ${logFile})`);

    return {
      url,
      port,
      pid: child.pid,
      userDataDir,
      extensionsDir,
      workspaceDir,
      logFile,
      /** Workbench URL for a folder (default: workspaceDir), optionally with a test `payload` (read by the workbench, see runIntegration.mjs). */
      workbenchUrl({ folder = workspaceDir, payload } = {}) {
        let u = `${url}/?folder=${encodeURIComponent(folder)}`;
        if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
        return u;
      },
      /** `vscode-remote://` URI of a server path, as the workbench payload needs it (authority = the Host we browse to). */
      remoteUri(p) {
        return `vscode-remote://127.0.0.1:${port}${p}`;
      },
      logTail: (lines) => tail(logFile, lines),
      /** Resolves with { code, signal } (or { error }) when the server process ends, for whatever reason. */
      exited,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Headless Debian Chromium via playwright-core (no downloaded browser). Closed on exit/Ctrl-C. */
export async function launchBrowser({ headless = true, args = [] } = {}) {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run  npm run host:install`);
  const { chromium } = await import('playwright-core');
  // Chromium writes "Crash Reports" to ~/.config/chromium and dconf to ~/.cache: keep them in a temp dir instead.
  const home = mkdtempSync(path.join(os.tmpdir(), 'plivo-chromium-'));
  mkdirSync(RUN_DIR, { recursive: true });
  const registryFile = path.join(RUN_DIR, `${path.basename(home)}.json`);
  writeFileSync(registryFile, JSON.stringify({ root: home, owner: process.pid }));
  const removeHome = () => {
    rmSync(home, { recursive: true, force: true });
    rmSync(registryFile, { force: true });
  };
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless,
      args: [...CHROMIUM_ARGS, ...args],
      env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
    });
  } catch (err) {
    removeHome();
    throw err;
  }
  const close = async () => {
    try {
      await browser.close();
    } catch {
      /* already closed */
    }
    removeHome();
  };
  const unregister = onCleanup({ stop: close, kill: removeHome });
  browser.on('disconnected', () => {
    unregister();
    removeHome();
  });
  return browser;
}
