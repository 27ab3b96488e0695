// One answer to "which URL do callbacks go to?", so what the editor shows,
// copies and sends to Plivo is always the same URL.
import { isLoopbackHost } from '../plivo/hostTrust';

/**
 * Listener paths handed out for each kind. Plivo posts the asynchronous API response and the
 * "record done" notification to the same `callback_url`, so `async` shares the recording path.
 */
export const CALLBACK_PATHS = {
  recording: '/plivo/recording',
  transcription: '/plivo/transcription',
  async: '/plivo/recording',
} as const;

export type CallbackUrls = { [K in keyof typeof CALLBACK_PATHS]: string };

export function callbackUrlsFor(base: string): CallbackUrls {
  const root = base.replace(/\/+$/, '');
  return {
    recording: root + CALLBACK_PATHS.recording,
    transcription: root + CALLBACK_PATHS.transcription,
    async: root + CALLBACK_PATHS.async,
  };
}

export type PublicUrlCheck = { url: string; warning?: string } | { error: string };

const SETTING = 'plivo.listener.publicUrl';

/** Validates the manual override: a bare http(s) origin. https is expected; http works but is warned about. */
export function checkPublicUrl(value: string): PublicUrlCheck {
  const text = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return { error: `${SETTING} "${text}" has no scheme: write it as https://${text.replace(/^\/+/, '')}` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: `${SETTING} "${text}" is not a valid URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { error: `${SETTING} must be an https:// URL, not ${url.protocol}` };
  }
  if (url.username || url.password) {
    return { error: `${SETTING} must not contain a user name or password` };
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    return {
      error: `${SETTING} "${text}" has a path or query; give only the tunnel's base URL (${url.origin}): the listener paths such as ${CALLBACK_PATHS.recording} are added to it`,
    };
  }
  const warnings = [
    url.protocol === 'http:'
      ? `${SETTING} ${url.origin} is not https: callbacks and their signatures would cross the internet unencrypted`
      : undefined,
    isLoopbackHost(url.hostname)
      ? `${SETTING} ${url.origin} is on this machine: Plivo's servers cannot reach it`
      : undefined,
  ].filter((w): w is string => w !== undefined);
  return warnings.length ? { url: url.origin, warning: warnings.join('; ') } : { url: url.origin };
}

/** Where the resolved URL came from, in order of precedence. */
export type UrlSource = 'publicUrl' | 'tunnel' | 'forwarded' | 'local';

export interface UrlCandidates {
  /** `plivo.listener.publicUrl`, as typed (may be empty). */
  configuredPublicUrl?: string;
  /** A running tunnel's public URL for the listener's port. */
  detectedTunnelUrl?: string;
  /** The local URL as the editor exposes it (`asExternalUri`: remote, Codespaces, code-server). */
  forwardedUrl?: string;
  /** The listener's own URL, e.g. http://127.0.0.1:8787. */
  localUrl?: string;
}

export interface ResolvedBaseUrl {
  /** Base URL without a trailing slash; undefined when nothing is known (listener not running). */
  url?: string;
  source?: UrlSource;
  /** Problems with a candidate that was still used. */
  warnings: string[];
  /** Problems that made a candidate unusable (it was skipped). */
  errors: string[];
}

const trimSlash = (url: string): string => url.trim().replace(/\/+$/, '');

/** Picks the callback base: publicUrl → detected tunnel → forwarded → local. */
export function resolveCallbackBase(candidates: UrlCandidates): ResolvedBaseUrl {
  const warnings: string[] = [];
  const errors: string[] = [];
  const done = (url: string, source: UrlSource): ResolvedBaseUrl => ({ url, source, warnings, errors });
  if (candidates.configuredPublicUrl?.trim()) {
    const check = checkPublicUrl(candidates.configuredPublicUrl);
    if ('error' in check) errors.push(`${check.error}. It is not used until fixed.`);
    else {
      if (check.warning) warnings.push(check.warning);
      return done(check.url, 'publicUrl');
    }
  }
  if (candidates.detectedTunnelUrl?.trim()) return done(trimSlash(candidates.detectedTunnelUrl), 'tunnel');
  const local = candidates.localUrl?.trim() ? trimSlash(candidates.localUrl) : undefined;
  if (candidates.forwardedUrl?.trim()) {
    const forwarded = trimSlash(candidates.forwardedUrl);
    // On a local desktop, asExternalUri returns the local URL itself: call it what it is.
    return done(forwarded, forwarded === local ? 'local' : 'forwarded');
  }
  return local ? done(local, 'local') : { warnings, errors };
}

export interface CurrentListener {
  /** The resolved base now in use (see resolveCallbackBase); undefined while the listener is stopped. */
  base?: string;
  /** The listener's own URL now, e.g. http://127.0.0.1:8788. */
  localUrl?: string;
  /** Bases handed out before (old tunnels, old forwarded URLs), as remembered by the caller. */
  previousBases?: string[];
  /** Origins of the user's own apps (such as the forward target): never treated as the listener. */
  appOrigins?: string[];
}

export type RememberedUrlUpdate =
  | { action: 'kept'; url: string }
  | { action: 'rewritten'; url: string; from: string }
  | { action: 'dropped'; from: string; reason: string };

const LISTENER_PATHS: ReadonlySet<string> = new Set(Object.values(CALLBACK_PATHS));
/** Hosts of free tunnels whose names change each run: a URL there outlives its tunnel. */
const EPHEMERAL_TUNNEL_HOST =
  /\.(trycloudflare\.com|ngrok-free\.app|ngrok-free\.dev|ngrok\.app|ngrok\.dev|ngrok\.io)$/i;
/** code-server's and similar port forwards: http://host/proxy/8787/... */
const PROXY_PREFIX = /^\/proxy\/\d+(?=\/)/;

function parse(url: string): URL | undefined {
  try {
    return new URL(url.trim());
  } catch {
    return undefined;
  }
}

/** `url` minus the base it starts with (path and query after it), or undefined when it is not under that base. */
function underBase(url: URL, base: string): string | undefined {
  const parsed = parse(base);
  if (!parsed || parsed.origin !== url.origin) return undefined;
  const prefix = parsed.pathname.replace(/\/+$/, '');
  if (prefix && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return undefined;
  return url.pathname.slice(prefix.length) + url.search;
}

/** The listener path (with query) a remembered URL was aimed at, when it was aimed at a listener at all. */
function listenerRest(url: URL, current: CurrentListener): string | undefined {
  for (const base of [current.localUrl, ...(current.previousBases ?? [])]) {
    const rest = base === undefined ? undefined : underBase(url, base);
    if (rest !== undefined) return rest;
  }
  if (current.appOrigins?.some((origin) => parse(origin)?.origin === url.origin)) return undefined;
  const path = url.pathname.replace(PROXY_PREFIX, '');
  const atListenerPath = LISTENER_PATHS.has(path);
  const looksLikeListener =
    isLoopbackHost(url.hostname) || EPHEMERAL_TUNNEL_HOST.test(url.hostname) || PROXY_PREFIX.test(url.pathname);
  return atListenerPath && looksLikeListener ? path + url.search : undefined;
}

/**
 * Brings a remembered ("last used") callback URL up to date: one that pointed at an earlier listener
 * (another port, an old tunnel or forwarded base, any loopback or ephemeral-tunnel URL at a listener path)
 * is moved onto the current base with the same path; if there is no current base it is dropped.
 * Anything else (the user's own app) is kept as it was.
 */
export function refreshRememberedUrl(remembered: string, current: CurrentListener): RememberedUrlUpdate {
  const url = parse(remembered);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return { action: 'dropped', from: remembered, reason: `"${remembered}" is not an http(s) URL` };
  }
  if (current.base !== undefined && underBase(url, current.base) !== undefined) {
    return { action: 'kept', url: remembered };
  }
  const rest = listenerRest(url, current);
  if (rest === undefined) return { action: 'kept', url: remembered };
  if (current.base === undefined) {
    return {
      action: 'dropped',
      from: remembered,
      reason: `${remembered} pointed at an earlier callback listener, and the listener is not running now`,
    };
  }
  return { action: 'rewritten', url: trimSlash(current.base) + rest, from: remembered };
}

const REMOTE_LABELS: Record<string, string> = {
  'ssh-remote': 'a machine over SSH',
  wsl: 'WSL',
  'dev-container': 'a dev container',
  tunnel: 'a machine through a VS Code tunnel',
};

/**
 * One message for a remote window (`vscode.env.remoteName`) explaining that the editor's port forward is
 * not a public URL; undefined in a local window. In Codespaces a public forwarded port does reach Plivo.
 */
export function remoteWindowAdvice(
  remoteName: string | undefined,
  port: number,
  forwardedUrl?: string,
): string | undefined {
  if (!remoteName) return undefined;
  const forwarded = forwardedUrl ? ` as ${forwardedUrl}` : '';
  if (remoteName === 'codespaces') {
    return (
      `The callback listener runs in this codespace on port ${port}, forwarded${forwarded}. While the port is private only you can open it; ` +
      `Plivo's servers need it public: in the Ports view, right-click port ${port} → Port Visibility → Public. ` +
      'Or start a tunnel (Plivo: Start Public Tunnel), or set plivo.listener.publicUrl.'
    );
  }
  const where = REMOTE_LABELS[remoteName] ?? `a remote host (${remoteName})`;
  return (
    `The callback listener runs on ${where}, on 127.0.0.1:${port}. The editor forwards it to your computer${forwarded}, ` +
    "but that address is private to you: Plivo's servers need a public URL. Start a tunnel on that host " +
    '(Plivo: Start Public Tunnel), or set plivo.listener.publicUrl to one you run yourself.'
  );
}
