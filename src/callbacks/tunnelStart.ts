// What "Start Public Tunnel" needs before it opens a terminal: is a tunnel tool
// installed, the exact argv for the listener's port, and what to say when none is.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_CLOUDFLARED_METRICS_URL,
  DEFAULT_NGROK_API_URL,
  type TunnelDetection,
  type TunnelSource,
} from './tunnels';

export interface FindExecutableOptions {
  /** Defaults to this process's platform. */
  platform?: NodeJS.Platform;
  /** Windows' PATHEXT; defaults to `.EXE;.CMD;.BAT;.COM`. */
  pathExt?: string;
}

async function isExecutableFile(file: string, windows: boolean): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    // Windows has no execute bit: the extension is what makes a file runnable.
    if (!windows) await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The full path of `name` as the OS would find it on `pathVariable`, without running a shell.
 * On Windows each PATHEXT extension is tried (`ngrok.exe`, `ngrok.cmd`, …).
 */
export async function findExecutable(
  name: string,
  pathVariable: string | undefined,
  options: FindExecutableOptions = {},
): Promise<string | undefined> {
  const platform = options.platform ?? process.platform;
  const windows = platform === 'win32';
  const delimiter = windows ? ';' : ':';
  const extensions = windows ? ['', ...(options.pathExt ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)] : [''];
  for (const rawDir of (pathVariable ?? '').split(delimiter)) {
    // Windows PATH entries may be quoted; an empty entry would mean the current directory, which we never search.
    const dir = rawDir.trim().replace(/^"(.*)"$/, '$1');
    if (!dir || !isAbsolute(dir)) continue;
    for (const extension of extensions) {
      if (windows && extension === '' && !/\.[^\\/.]+$/.test(name)) continue;
      const candidate = join(dir, name + extension.toLowerCase());
      if (await isExecutableFile(candidate, windows)) return candidate;
    }
  }
  return undefined;
}

export interface TunnelCommand {
  tool: TunnelSource;
  executable: string;
  args: string[];
  /** Where its URL can then be read: the ngrok agent API or cloudflared's metrics server. */
  apiUrl: string;
}

/**
 * The command that opens a tunnel to the listener. cloudflared gets `--metrics` explicitly so its quick-tunnel
 * URL can be read back at a known address (its default metrics port differs between versions).
 */
export function tunnelCommand(
  tool: TunnelSource,
  executable: string,
  listenerPort: number,
  apiUrl = tool === 'ngrok' ? DEFAULT_NGROK_API_URL : DEFAULT_CLOUDFLARED_METRICS_URL,
): TunnelCommand {
  if (tool === 'ngrok') return { tool, executable, args: ['http', String(listenerPort)], apiUrl };
  const metrics = new URL(apiUrl).host;
  return {
    tool,
    executable,
    args: ['tunnel', '--url', `http://127.0.0.1:${listenerPort}`, '--metrics', metrics],
    apiUrl,
  };
}

/** Which installed tool to start: cloudflared first, since its quick tunnels need no account or token. */
export async function findTunnelTool(
  pathVariable: string | undefined,
  options: FindExecutableOptions = {},
): Promise<{ tool: TunnelSource; executable: string } | undefined> {
  for (const tool of ['cloudflared', 'ngrok'] as const) {
    const executable = await findExecutable(tool, pathVariable, options);
    if (executable) return { tool, executable };
  }
  return undefined;
}

export interface InstallHint {
  tool: TunnelSource;
  why: string;
  /** Package-manager command for this platform, when there is a common one. */
  install?: string;
  url: string;
}

/** What to tell a user with neither tool installed. The extension never downloads binaries itself. */
export function tunnelInstallHints(platform: NodeJS.Platform = process.platform): {
  message: string;
  hints: InstallHint[];
} {
  const cloudflaredInstall: Partial<Record<NodeJS.Platform, string>> = {
    darwin: 'brew install cloudflared',
    win32: 'winget install --id Cloudflare.cloudflared',
  };
  const ngrokInstall: Partial<Record<NodeJS.Platform, string>> = {
    darwin: 'brew install ngrok',
    win32: 'choco install ngrok',
    linux: 'snap install ngrok',
  };
  const hints: InstallHint[] = [
    {
      tool: 'cloudflared',
      why: 'quick tunnels need no account',
      install: cloudflaredInstall[platform],
      url: 'https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/',
    },
    {
      tool: 'ngrok',
      why: 'needs a free account and its authtoken (ngrok config add-authtoken …)',
      install: ngrokInstall[platform],
      url: 'https://ngrok.com/download',
    },
  ];
  const ways = hints.map((h) => `${h.tool} (${h.why}${h.install ? `; \`${h.install}\`` : ''})`).join(' or ');
  return {
    message: `Neither cloudflared nor ngrok was found on PATH. Install ${ways}, then run Start Public Tunnel again.`,
    hints,
  };
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Asks `detect` until it finds the tunnel a just-started tool opens (ngrok and cloudflared take a few
 * seconds to register), or the time is up. Resolves with the last answer, so a failure can be explained.
 */
export async function waitForTunnel(
  detect: () => Promise<TunnelDetection>,
  options: WaitOptions,
): Promise<TunnelDetection> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const result = await detect();
    if (result.kind === 'found' || options.signal?.aborted || performance.now() >= deadline) return result;
    const pause = Math.min(options.intervalMs ?? 500, Math.max(0, deadline - performance.now()));
    try {
      await sleep(pause, undefined, { signal: options.signal });
    } catch {
      return result;
    }
  }
}
