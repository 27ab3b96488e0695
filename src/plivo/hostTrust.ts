// Whether an API base URL may receive the Auth Token without asking the user first.

/**
 * - `plivo`: https to api.plivo.com or another *.plivo.com host;
 * - `loopback`: http or https to 127.0.0.0/8, ::1 or localhost (a local sandbox);
 * - `insecure`: http:// to any other host (the token would cross the network in clear);
 * - `other`: https to any other host, or not a usable http(s) URL at all.
 */
export type ApiHostTrust = 'plivo' | 'loopback' | 'other' | 'insecure';

export function apiHostTrust(baseUrl: string): ApiHostTrust {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    return 'other';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'other';
  // URL() has already normalised the host: lower case, IPv4 in dotted decimal (127.1 → 127.0.0.1), IPv6 in brackets.
  if (isLoopbackHost(url.hostname)) return 'loopback';
  if (url.protocol === 'http:') return 'insecure';
  const host = url.hostname.replace(/\.$/, '');
  return host === 'plivo.com' || host.endsWith('.plivo.com') ? 'plivo' : 'other';
}

/**
 * A `URL.hostname` of this machine's loopback: 127.0.0.0/8, [::1] (also IPv4-mapped) and "localhost" itself, not
 * *.localhost, which goes to DNS on some systems.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === 'localhost.') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)) return true;
  // ::1, and IPv4-mapped 127.x.x.x as URL() writes it (::ffff:7f00:1).
  return hostname === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname);
}
