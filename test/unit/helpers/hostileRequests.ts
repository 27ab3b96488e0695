// Deterministic generator of hostile raw HTTP requests, for the fuzz suite.

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const HOSTILE_KINDS = [
  'deep-form-response',
  'deep-json-body',
  'deep-json-response-string',
  'bracket-keys',
  'proto-keys-form',
  'proto-keys-json',
  'huge-header',
  'many-headers',
  'invalid-utf8-body',
  'invalid-utf8-path',
  'invalid-utf8-header',
  'broken-chunked',
  'bad-content-length',
  'garbage',
  'odd-target',
  'many-fields',
  'bad-percent',
  'odd-method',
  'foreign-host',
  'big-body',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export interface HostileRequest {
  kind: HostileKind;
  bytes: Buffer;
  /** True when the request is deliberately incomplete: the server is not expected to answer it. */
  incomplete: boolean;
}

export interface Target {
  /** `host:port` to put in the Host header of well-addressed requests. */
  host: string;
  path: string;
  /** Extra headers for well-formed requests (e.g. Authorization for the sandbox). */
  headers: Record<string, string>;
}

const brackets = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

export function hostileRequest(random: () => number, target: Target, index: number): HostileRequest {
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const bytes = (count: number, min = 0, max = 255): Buffer =>
    Buffer.from(Array.from({ length: count }, () => int(min, max)));
  const kind = HOSTILE_KINDS[index % HOSTILE_KINDS.length];
  const base: Record<string, string> = { Host: target.host, Connection: 'close', ...target.headers };
  const build = (
    method: string,
    path: string | Buffer,
    headers: Record<string, string | Buffer>,
    body: string | Buffer = '',
    contentLength = true,
  ): Buffer => {
    const all: Record<string, string | Buffer> = { ...base, ...headers };
    if (contentLength && !('Content-Length' in headers) && !('Transfer-Encoding' in headers)) {
      all['Content-Length'] = String(Buffer.byteLength(body));
    }
    const parts: Buffer[] = [Buffer.from(`${method} `), Buffer.from(path), Buffer.from(' HTTP/1.1\r\n')];
    for (const [name, value] of Object.entries(all)) {
      parts.push(Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n'));
    }
    parts.push(Buffer.from('\r\n'), Buffer.from(body));
    return Buffer.concat(parts);
  };
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const json = { 'Content-Type': 'application/json' };
  const complete = (b: Buffer): HostileRequest => ({ kind, bytes: b, incomplete: false });

  switch (kind) {
    case 'deep-form-response':
      return complete(build('POST', target.path, form, `api_id=fz-${index}&response=${brackets(int(1000, 20_000))}`));
    case 'deep-json-body':
      return complete(build('POST', target.path, json, `{"a":${brackets(int(1000, 20_000))}}`));
    case 'deep-json-response-string':
      return complete(build('POST', target.path, json, JSON.stringify({ response: brackets(int(1000, 20_000)) })));
    case 'bracket-keys': {
      const key = `a${'[b]'.repeat(int(100, 3000))}`;
      return complete(build('POST', target.path, form, `${key}=1&${encodeURIComponent(key)}=2`));
    }
    case 'proto-keys-form':
      return complete(
        build(
          'POST',
          `${target.path}?__proto__[polluted]=1&constructor[prototype][polluted]=1`,
          form,
          pick([
            '__proto__=x&__proto__[polluted]=1',
            'constructor[prototype][polluted]=1&constructor=1',
            '__proto__%5Bpolluted%5D=1&prototype=1',
            'toString=1&hasOwnProperty=1&valueOf=1',
          ]),
        ),
      );
    case 'proto-keys-json':
      return complete(
        build(
          'POST',
          target.path,
          json,
          pick([
            '{"__proto__":{"polluted":1}}',
            '{"constructor":{"prototype":{"polluted":1}}}',
            '{"response":"{\\"__proto__\\":{\\"polluted\\":1}}"}',
            '{"hasOwnProperty":1,"toString":"x","time_limit":{"__proto__":{"polluted":1}}}',
          ]),
        ),
      );
    case 'huge-header':
      return complete(build('POST', target.path, { ...form, 'X-Big': 'x'.repeat(int(17_000, 100_000)) }, 'a=1'));
    case 'many-headers': {
      const headers: Record<string, string> = { ...form };
      for (let i = 0; i < int(100, 3000); i++) headers[`X-H${i}`] = 'v';
      return complete(build('POST', target.path, headers, 'a=1'));
    }
    case 'invalid-utf8-body':
      return complete(build('POST', target.path, pick([form, json, {}]), bytes(int(1, 4000), 0x80, 0xff)));
    case 'invalid-utf8-path':
      return complete(
        build('GET', Buffer.concat([Buffer.from(`${target.path}?a=`), bytes(int(1, 200), 0x80, 0xff)]), {}),
      );
    case 'invalid-utf8-header':
      return complete(build('POST', target.path, { ...form, 'X-Name': bytes(int(1, 200), 0x80, 0xff) }, 'a=1'));
    case 'broken-chunked': {
      const chunked = { ...form, 'Transfer-Encoding': 'chunked' };
      const body = pick([
        'zz\r\nabc\r\n0\r\n\r\n',
        '5\r\nab\r\n0\r\n\r\n',
        'ffffffffffffffff\r\nabc\r\n',
        '3;ext=\u0000\r\nabc\r\n0\r\n\r\n',
        '3\r\nabc\r\n',
        '-1\r\nabc\r\n0\r\n\r\n',
        '3\r\nabc0\r\n\r\n',
      ]);
      return { kind, bytes: build('POST', target.path, chunked, body, false), incomplete: true };
    }
    case 'bad-content-length':
      return {
        kind,
        bytes: build(
          'POST',
          target.path,
          { ...form, 'Content-Length': pick(['100', '-1', '1e3', '10, 20', 'abc', '99999999999999999999']) },
          'a=1',
        ),
        incomplete: true,
      };
    case 'garbage':
      return { kind, bytes: bytes(int(1, 2000)), incomplete: true };
    case 'odd-target':
      return complete(
        build(
          pick(['GET', 'POST']),
          pick([
            '//',
            '//x',
            '*',
            'http://[bad/',
            '/%',
            '/%zz',
            '/..%2f..%2fetc',
            `/${'a'.repeat(int(1000, 8000))}`,
            '?x',
          ]),
          form,
          'a=1',
        ),
      );
    case 'many-fields':
      return complete(
        build('POST', target.path, form, Array.from({ length: int(1001, 20_000) }, (_, i) => `f${i}=${i}`).join('&')),
      );
    case 'bad-percent':
      return complete(
        build('POST', `${target.path}?x=%E0%A4%A&y=%zz`, form, pick(['a=%E0%A4%A', 'a=%zz', '%=1', 'a=%'])),
      );
    case 'odd-method':
      return complete(
        build(pick(['PUT', 'DELETE', 'BREW', 'get', 'OPTIONS', 'PATCH', 'HEAD']), target.path, form, 'a=1'),
      );
    case 'foreign-host':
      return complete(
        build(
          'POST',
          target.path,
          {
            ...form,
            Host: pick(['attacker.example', `attacker.example:${target.host.split(':')[1]}`, '']),
            Origin: pick(['https://evil.example', 'null']),
          },
          'a=1',
        ),
      );
    case 'big-body':
      return complete(build('POST', target.path, form, `a=${'x'.repeat(int(1_100_000, 2_000_000))}`));
  }
}
