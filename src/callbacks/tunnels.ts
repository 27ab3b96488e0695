// Finds the public URL of a tunnel already running on this machine by asking
// the tunnel agent's local API (loopback only; nothing on the internet is polled).
import { isLoopbackHost } from '../plivo/hostTrust';
import { deadlineSignal, errorCode, isTimeout, readCapped, seconds } from './httpRead';

export type TunnelSource = 'ngrok' | 'cloudflared';

export type TunnelDetection =
  | { kind: 'found'; url: string; source: TunnelSource }
  /** Nothing to use, for an expected reason (agent not running, no tunnel for this port). */
  | { kind: 'none'; source: TunnelSource; reason: string }
  /** The agent answered, but not in a way we can use; worth showing as a problem. */
  | { kind: 'error'; source: TunnelSource; message: string };

export interface DetectOptions {
  /** Default 1.5 s: the agent is local, a slower answer means it is stuck. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_NGROK_API_URL = 'http://127.0.0.1:4040';
/** The address `tunnelCommand` passes to cloudflared's `--metrics` (its own default differs between versions). */
export const DEFAULT_CLOUDFLARED_METRICS_URL = 'http://127.0.0.1:20241';

const DEFAULT_TIMEOUT_MS = 1500;
/** An agent's tunnel list is a few KiB; anything far bigger is not the agent. */
const MAX_ANSWER_BYTES = 256 * 1024;

type JsonAnswer = { ok: true; json: unknown } | { ok: false; detection: TunnelDetection };

/** `base` + `path`, refusing anything but a loopback http URL: these APIs have no authentication. */
function apiUrl(source: TunnelSource, base: string, path: string): URL | string {
  let url: URL;
  try {
    url = new URL(base.trim());
  } catch {
    return `the ${source} address "${base}" is not a URL (expected something like http://127.0.0.1:4040)`;
  }
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
    return `the ${source} address ${base} must be an http:// address on this machine (127.0.0.1 or localhost)`;
  }
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.search = '';
  return url;
}

async function getJson(source: TunnelSource, base: string, path: string, options: DetectOptions): Promise<JsonAnswer> {
  const error = (message: string): JsonAnswer => ({ ok: false, detection: { kind: 'error', source, message } });
  const url = apiUrl(source, base, path);
  if (typeof url === 'string') return error(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const where = `${source} at ${url.origin}`;
  try {
    // redirect 'manual': with 'error', Node 20's fetch can miss the abort while a stalled body is pending.
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: deadlineSignal(timeoutMs, options.signal),
    });
    const body = await readCapped(response, MAX_ANSWER_BYTES);
    if (!response.ok) return error(`${where} answered ${url.pathname} with HTTP ${response.status}`);
    if (body.truncated) return error(`${where} sent more than ${MAX_ANSWER_BYTES / 1024} KiB; is it really ${source}?`);
    try {
      return { ok: true, json: JSON.parse(body.text) };
    } catch {
      return error(`${where} did not answer JSON at ${url.pathname}; is it really ${source}?`);
    }
  } catch (cause) {
    if (options.signal?.aborted) return error(`${source} check cancelled`);
    if (isTimeout(cause)) return error(`${where} did not answer within ${seconds(timeoutMs)}`);
    if (errorCode(cause) === 'ECONNREFUSED') {
      return {
        ok: false,
        detection: { kind: 'none', source, reason: `${source} is not running (nothing answers at ${url.origin})` },
      };
    }
    return error(`${where} could not be read: ${(cause as Error).message}`);
  }
}

/** The port a tunnel's `config.addr` forwards to, when it is on this machine. */
export function loopbackPortOf(addr: string): number | undefined {
  const text = addr.trim();
  if (/^\d+$/.test(text)) return Number(text);
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
    if (!isLoopbackHost(url.hostname)) return undefined;
    if (url.port) return Number(url.port);
    return url.protocol === 'https:' ? 443 : 80;
  } catch {
    return undefined;
  }
}

interface NgrokTunnel {
  publicUrl: string;
  addr: string;
}

function ngrokTunnels(json: unknown): NgrokTunnel[] | undefined {
  const list = (json as { tunnels?: unknown } | null)?.tunnels;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((entry: unknown) => {
    const tunnel = entry as { public_url?: unknown; config?: { addr?: unknown } } | null;
    const publicUrl = tunnel?.public_url;
    const addr = tunnel?.config?.addr;
    return typeof publicUrl === 'string' && /^https?:\/\//.test(publicUrl) && typeof addr === 'string'
      ? [{ publicUrl: publicUrl.replace(/\/+$/, ''), addr }]
      : [];
  });
}

function listOf(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Where the other tunnels go, in the words a user reads: "port 3000", "192.168.1.5:8787". */
function describeTargets(tunnels: NgrokTunnel[]): string {
  const targets = tunnels.map(({ addr }) => {
    const port = loopbackPortOf(addr);
    return port === undefined ? addr : `port ${port}`;
  });
  return listOf([...new Set(targets)]);
}

/**
 * The https public URL of the ngrok tunnel forwarding to `port` on this machine, read from
 * the agent API (`GET /api/tunnels`). Never rejects.
 */
export async function detectNgrok(
  apiBaseUrl: string,
  port: number,
  options: DetectOptions = {},
): Promise<TunnelDetection> {
  // ngrok's documentation names the API base with its /api suffix; accept it either way.
  const answer = await getJson('ngrok', apiBaseUrl.trim().replace(/\/api\/*$/, ''), '/api/tunnels', options);
  if (!answer.ok) return answer.detection;
  const tunnels = ngrokTunnels(answer.json);
  if (!tunnels) {
    return { kind: 'error', source: 'ngrok', message: `ngrok's agent API answered without a "tunnels" list` };
  }
  if (tunnels.length === 0) {
    return { kind: 'none', source: 'ngrok', reason: 'ngrok is running but has no tunnels open' };
  }
  const ours = tunnels.filter((tunnel) => loopbackPortOf(tunnel.addr) === port);
  if (ours.length === 0) {
    return {
      kind: 'none',
      source: 'ngrok',
      reason: `ngrok is running but forwards ${describeTargets(tunnels)}, not ${port}`,
    };
  }
  // ngrok v2 opens an http and an https tunnel for one addr; Plivo should get the https one.
  const best = ours.find((tunnel) => tunnel.publicUrl.startsWith('https://')) ?? ours[0];
  return { kind: 'found', url: best.publicUrl, source: 'ngrok' };
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * The quick tunnel's URL from cloudflared's metrics server (`GET /quicktunnel` → `{"hostname"}`).
 * cloudflared does not report which local port the tunnel serves, so the answer is only trusted
 * because `metricsUrl` belongs to a cloudflared the user configured or started for the listener's port.
 */
export async function detectCloudflared(metricsUrl: string, options: DetectOptions = {}): Promise<TunnelDetection> {
  const answer = await getJson('cloudflared', metricsUrl, '/quicktunnel', options);
  if (!answer.ok) return answer.detection;
  const hostname = (answer.json as { hostname?: unknown } | null)?.hostname;
  if (hostname === '') {
    return {
      kind: 'none',
      source: 'cloudflared',
      reason:
        'cloudflared is running without a quick tunnel (named tunnels do not report their hostname: set plivo.listener.publicUrl)',
    };
  }
  if (typeof hostname !== 'string' || !HOSTNAME.test(hostname)) {
    return {
      kind: 'error',
      source: 'cloudflared',
      message: `cloudflared's /quicktunnel answer has no usable "hostname"`,
    };
  }
  return { kind: 'found', url: `https://${hostname.toLowerCase()}`, source: 'cloudflared' };
}

export interface DetectTunnelSettings extends DetectOptions {
  ngrokApiUrl: string;
  cloudflaredMetricsUrl: string;
}

/**
 * Asks both agents at once. ngrok wins when both have a tunnel, since only its answer proves the port.
 * Returns the winner, or every answer so the caller can explain why nothing was found.
 */
export async function detectTunnel(
  port: number,
  settings: DetectTunnelSettings,
): Promise<{ found?: Extract<TunnelDetection, { kind: 'found' }>; results: TunnelDetection[] }> {
  const results = await Promise.all([
    detectNgrok(settings.ngrokApiUrl, port, settings),
    detectCloudflared(settings.cloudflaredMetricsUrl, settings),
  ]);
  const found = results.find(
    (result): result is Extract<TunnelDetection, { kind: 'found' }> => result.kind === 'found',
  );
  return found ? { found, results } : { results };
}
