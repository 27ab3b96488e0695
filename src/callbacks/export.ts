// A stored callback as something to run or keep outside the editor: a cURL or PowerShell
// command signed for a chosen target, or a fixture file (REST Client .http or JSON).
import { signCallbackHeaders } from '../plivo/signature';
import type { ReceivedCallback } from './model';
import { outgoingRequestFor, parseTarget, plivoHeaders, withQuery, type OutgoingCallback } from './relay';

/** Headers that sign `params` for `url` (see plivoSigner); the chosen target decides the URL. */
export type CallbackSigner = (
  method: 'GET' | 'POST',
  url: string,
  params: Record<string, string>,
) => Record<string, string>;

export function plivoSigner(authToken: string, nonce?: string): CallbackSigner {
  return (method, url, params) => signCallbackHeaders(method, url, params, authToken, nonce);
}

export type ExportResult = { ok: true; text: string } | { ok: false; message: string };

const FORM = 'application/x-www-form-urlencoded';
/**
 * Linux refuses a single program argument over 128 KiB; bodies past this limit go through
 * the shell's printf builtin and a pipe instead of curl's command line.
 */
const INLINE_ARGUMENT_BYTES = 64 * 1024;

/** POSIX shell single quotes: nothing inside is expanded; a quote is closed, escaped and reopened. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function bodyOf(request: Omit<OutgoingCallback, 'headers'>): { body: string; contentType: string } | undefined {
  if (request.method === 'GET') return undefined;
  return request.body !== undefined
    ? { body: request.body, contentType: request.contentType ?? FORM }
    : { body: new URLSearchParams(request.params).toString(), contentType: FORM };
}

/** What a command sends: the final URL, the headers (signed for the target when a signer is given), the body. */
interface CommandRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  payload?: { body: string; contentType: string };
}

/** What a kind of command is called, and the longest URL it can carry. */
interface CommandKind {
  what: string;
  maxUrlBytes: number;
  urlLimit: string;
}

const CURL: CommandKind = {
  what: 'a cURL command',
  maxUrlBytes: INLINE_ARGUMENT_BYTES,
  urlLimit: 'a shell command argument can hold',
};
// Windows PowerShell's web cmdlets refuse longer URLs (System.Uri in .NET Framework).
const POWERSHELL: CommandKind = {
  what: 'a PowerShell command',
  maxUrlBytes: 65_519,
  urlLimit: 'PowerShell accepts in a URL (65,519 characters)',
};

/** The request a copied command sends to `targetUrl`, or why no command of this kind can carry it. */
function commandRequest(
  request: Omit<OutgoingCallback, 'headers'>,
  targetUrl: string,
  signer: CallbackSigner | undefined,
  { what, maxUrlBytes, urlLimit }: CommandKind,
): CommandRequest | { ok: false; message: string } {
  const target = parseTarget(targetUrl);
  if (typeof target === 'string') return { ok: false, message: `Cannot build ${what}: ${target}` };
  const url = request.method === 'GET' ? withQuery(targetUrl, request.params) : targetUrl;
  if (Buffer.byteLength(url) > maxUrlBytes) {
    return {
      ok: false,
      message: `Cannot build ${what}: the URL with its query is ${size(Buffer.byteLength(url))}, more than ${urlLimit}. Save it as a fixture instead.`,
    };
  }
  const payload = bodyOf(request);
  const headers = {
    ...(payload ? { 'Content-Type': payload.contentType } : {}),
    ...signer?.(request.method, targetUrl, request.params),
  };
  return { method: request.method, url, headers, payload };
}

/**
 * A POSIX-shell cURL command that sends `request` to `targetUrl`, signed for that URL when a signer is given.
 * Large bodies are piped in (`--data-binary @-`); what a shell cannot carry is refused with the reason.
 */
export function toCurl(
  request: Omit<OutgoingCallback, 'headers'>,
  targetUrl: string,
  signer?: CallbackSigner,
): ExportResult {
  const command = commandRequest(request, targetUrl, signer, CURL);
  if ('ok' in command) return command;
  const { url, headers, payload } = command;
  if (payload?.body.includes('\0')) {
    return {
      ok: false,
      message: `Cannot build ${CURL.what}: the body contains NUL characters, which a shell command cannot carry. Save it as a JSON fixture instead.`,
    };
  }
  // One option per line, so the command reads well when pasted.
  const lines = [`curl -sS -i -X ${command.method} ${shellQuote(url)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  const inline = payload !== undefined && Buffer.byteLength(payload.body) <= INLINE_ARGUMENT_BYTES;
  if (payload) lines.push(`--data-binary ${inline ? shellQuote(payload.body) : '@-'}`);
  const text = lines.join(' \\\n  ');
  return { ok: true, text: payload && !inline ? `printf '%s' ${shellQuote(payload.body)} |\n${text}` : text };
}

/**
 * A PowerShell double-quoted string. Backtick, `$` and `"` are escaped with a backtick; everything but printable
 * ASCII is written as `$([char]N)`, so that no console code page, line ending or "smart" quote (which PowerShell
 * also reads as a quote) can change what is sent.
 */
function powerShellQuote(text: string): string {
  const escaped = text.replace(/[`$"]/g, '`$&').replace(/[^\x20-\x7e]/g, (char) => `$([char]${char.charCodeAt(0)})`);
  return `"${escaped}"`;
}

/**
 * A PowerShell command (Windows PowerShell 5.1 and PowerShell 7) that sends `request` to `targetUrl`, signed for
 * that URL when a signer is given. It uses Invoke-WebRequest rather than curl.exe: Windows PowerShell passes
 * quotes inside arguments to programs altered, and `curl` there is another name for Invoke-WebRequest. The body
 * goes as its UTF-8 bytes, exactly as signed, whatever the console's encoding.
 */
export function toPowerShell(
  request: Omit<OutgoingCallback, 'headers'>,
  targetUrl: string,
  signer?: CallbackSigner,
): ExportResult {
  const command = commandRequest(request, targetUrl, signer, POWERSHELL);
  if ('ok' in command) return command;
  const lines = [`Invoke-WebRequest -UseBasicParsing -Method ${command.method} -Uri ${powerShellQuote(command.url)}`];
  // Invoke-WebRequest takes the content type as a parameter of its own (-ContentType), not as a header.
  const headerLines = Object.entries(command.headers)
    .filter(([name]) => name !== 'Content-Type')
    .map(([name, value]) => `    ${powerShellQuote(name)} = ${powerShellQuote(value)}`);
  // Inside @{ } a line break needs no backtick.
  if (headerLines.length > 0) lines.push(`-Headers @{\n${headerLines.join('\n')}\n  }`);
  if (command.payload) {
    lines.push(`-ContentType ${powerShellQuote(command.payload.contentType)}`);
    lines.push(`-Body ([System.Text.Encoding]::UTF8.GetBytes(${powerShellQuote(command.payload.body)}))`);
  }
  return { ok: true, text: lines.join(' `\n  ') };
}

/** The headers worth keeping in a fixture: the content type and Plivo's signatures (others are transport noise). */
function fixtureHeaders(callback: ReceivedCallback, contentType: string | undefined): Record<string, string> {
  return { ...(contentType ? { 'content-type': contentType } : {}), ...plivoHeaders(callback) };
}

function describe(callback: ReceivedCallback): string {
  const call = callback.summary.callUuid ? ` for call ${callback.summary.callUuid}` : '';
  return `Plivo ${callback.kind} callback${call}, received ${callback.receivedAt}`;
}

/** What a fixture holds: the request as it would be re-sent, and whether its body had to be rebuilt. */
function fixtureRequest(callback: ReceivedCallback) {
  const request = outgoingRequestFor(callback);
  const payload = bodyOf(request);
  const reencoded = payload !== undefined && request.body === undefined && callback.body !== payload.body;
  return { method: request.method, payload, reencoded };
}

/** Notes on how the fixture differs from what arrived, as comment lines. */
function fixtureNotes(callback: ReceivedCallback, reencoded: boolean): string[] {
  return [
    'Signature headers are the ones Plivo sent: they verify only at the URL Plivo called.',
    ...(reencoded
      ? [`The body was longer than the stored part, so it is rebuilt from the callback's parameters.`]
      : []),
    ...(callback.error ? [`The listener refused it: ${callback.error}`] : []),
  ];
}

/**
 * The callback as a REST Client (`.http`) request against `baseUrl` (a file variable the user can change).
 * A body that would end or alter the request in that format is refused with the reason.
 */
export function toHttpFixture(callback: ReceivedCallback, baseUrl = 'http://127.0.0.1:8787'): ExportResult {
  const { method, payload, reencoded } = fixtureRequest(callback);
  if (payload && /^###/m.test(payload.body)) {
    return {
      ok: false,
      message:
        'Cannot save as .http: a body line starts with "###", which ends a request in that format. Save it as JSON instead.',
    };
  }
  if (payload?.body.includes('{{')) {
    return {
      ok: false,
      message:
        'Cannot save as .http: the body contains "{{", which REST Client would read as a variable. Save it as JSON instead.',
    };
  }
  const lines = [
    `# ${describe(callback).replace(/[\r\n]+/g, ' ')}`,
    ...fixtureNotes(callback, reencoded).map((note) => `# ${note.replace(/[\r\n]+/g, ' ')}`),
    `@baseUrl = ${baseUrl.replace(/\/+$/, '')}`,
    '',
    `${method} {{baseUrl}}${callback.path}`,
    ...Object.entries(fixtureHeaders(callback, payload?.contentType)).map(([name, value]) => `${name}: ${value}`),
  ];
  if (payload) lines.push('', payload.body);
  return { ok: true, text: `${lines.join('\n')}\n` };
}

/** The callback as JSON: everything needed to send it again, with the parameters readable on their own. */
export function toJsonFixture(callback: ReceivedCallback): string {
  const request = outgoingRequestFor(callback);
  const payload = bodyOf(request);
  const fixture = {
    description: describe(callback),
    notes: fixtureNotes(
      callback,
      payload !== undefined && request.body === undefined && callback.body !== payload.body,
    ),
    method: request.method,
    path: callback.path,
    headers: fixtureHeaders(callback, payload?.contentType),
    params: callback.params,
    ...(payload ? { body: payload.body } : {}),
  };
  return `${JSON.stringify(fixture, null, 2)}\n`;
}
