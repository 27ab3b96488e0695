// Which requests the listener answers at all: a web page in the user's browser can reach a loopback
// port (directly, or through DNS rebinding under its own host name); its requests carry a Host or
// an Origin that is not the listener's. Plivo, through a tunnel, sends the tunnel's host and no Origin.
import type { IncomingHttpHeaders } from 'node:http';

/** `host[:port]` in lower case from a URL or a bare host entry; undefined when there is none. */
export function hostOf(entry: string): string | undefined {
  const text = entry.trim().toLowerCase();
  if (text === '') return undefined;
  if (!text.includes('://')) return text.replace(/\/.*$/, '');
  try {
    return new URL(text).host || undefined;
  } catch {
    return undefined;
  }
}

/** An allowed entry without a port admits that host on any port (a tunnel's host needs none). */
function matches(host: string, allowed: string): boolean {
  if (host === allowed) return true;
  if (/:\d+$/.test(allowed)) return false;
  return host.replace(/:\d+$/, '') === allowed;
}

/** Allowed hosts normalised once (see `hostOf`), for checking one request after another. */
export class AllowedHosts {
  readonly #hosts: string[];

  constructor(readonly entries: readonly string[]) {
    this.#hosts = entries.map(hostOf).filter((h): h is string => h !== undefined);
  }

  /** Why the request must be refused (403), or undefined when its Host and Origin are allowed. */
  problem(headers: IncomingHttpHeaders): string | undefined {
    const host = headers.host?.trim().toLowerCase();
    const hint = 'set plivo.listener.publicUrl to the address that forwards here';
    if (!host) return `no Host header: requests must name the listener's address (${hint})`;
    if (!this.#hosts.some((a) => matches(host, a))) {
      return `Host ${JSON.stringify(host.slice(0, 100))} is not this listener's address (${hint})`;
    }
    const origin = headers.origin;
    if (origin === undefined) return undefined;
    const originHost = origin === 'null' ? undefined : hostOf(origin);
    if (!originHost || !origin.includes('://') || !this.#hosts.some((a) => matches(originHost, a))) {
      return `requests from web pages are not accepted (Origin ${JSON.stringify(origin.slice(0, 100))})`;
    }
    return undefined;
  }
}
