import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { plivoSigner, toCurl, toHttpFixture, toJsonFixture, toPowerShell } from '../../src/callbacks/export';
import { outgoingRequestFor } from '../../src/callbacks/relay';
import type { ReceivedCallback } from '../../src/callbacks/model';
import { TOKEN, nextCallback, sampleCallback, startListener } from './helpers/callbacks';

const run = promisify(execFile);

function curlInstalled(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const needsCurl = process.platform === 'win32' || !curlInstalled() ? 'needs curl and a POSIX shell' : false;

/**
 * Runs a produced command as a pasted one is run: read by the shell from its input (a 1 MiB command
 * would not fit in `sh -c`'s argument). Never through a proxy: the target is on loopback.
 */
function shell(command: string): Promise<{ stdout: string }> {
  const running = run('sh', [], { env: { ...process.env, no_proxy: '*', NO_PROXY: '*' } });
  running.child.stdin?.end(command);
  return running;
}

test(
  'the cURL command is signed for its target and verifies there (POST, awkward quoting, GET)',
  { skip: needsCurl },
  async (t) => {
    const listener = await startListener();
    t.after(() => listener.stop());
    const params = { call_uuid: "c-'quoted' $HOME `x`", transcription: 'line 1\nline "2" \\ end', empty: '' };
    for (const method of ['POST', 'GET'] as const) {
      const target = `${listener.url}/plivo/transcription`;
      const curl = toCurl({ method, params }, target, plivoSigner(TOKEN));
      assert.ok(curl.ok);
      const received = nextCallback(listener);
      const { stdout } = await shell(curl.text);
      assert.match(stdout, /^HTTP\/1\.1 200/);
      const callback = await received;
      assert.equal(callback.method, method);
      assert.deepEqual(callback.params, params);
      assert.equal(callback.signature.state, 'valid', callback.signature.detail);
    }
  },
);

test('a 1 MiB body is piped into cURL and arrives whole and signed', { skip: needsCurl }, async (t) => {
  const listener = await startListener({ maxBodyBytes: 4 * 1024 * 1024 });
  t.after(() => listener.stop());
  const params = { call_uuid: 'c-big', transcription: "it's ".repeat(210_000) };
  const curl = toCurl({ method: 'POST', params }, `${listener.url}/plivo/transcription`, plivoSigner(TOKEN));
  assert.ok(curl.ok);
  assert.ok(curl.text.startsWith("printf '%s' 'call_uuid=c-big&"), 'body piped from printf');
  assert.ok(curl.text.endsWith('--data-binary @-'), 'curl reads the body from stdin');
  const received = nextCallback(listener);
  await shell(curl.text);
  const callback = await received;
  assert.equal(callback.params.transcription, params.transcription);
  assert.equal(callback.signature.state, 'valid', callback.signature.detail);
});

/** A stored callback whose body is JSON, as the command outputs below are written for. */
function storedJsonCallback(): ReceivedCallback {
  return sampleCallback({ body: '{"call_uuid":"c"}', contentType: 'application/json', params: { call_uuid: 'c' } });
}

test('cURL output for a stored callback keeps its raw body and content type; unsigned without a signer', () => {
  const stored = storedJsonCallback();
  const curl = toCurl(outgoingRequestFor(stored), 'http://localhost:3000/hook');
  assert.deepEqual(curl, {
    ok: true,
    text: [
      "curl -sS -i -X POST 'http://localhost:3000/hook'",
      "-H 'Content-Type: application/json'",
      `--data-binary '{"call_uuid":"c"}'`,
    ].join(' \\\n  '),
  });
  const signed = toCurl(outgoingRequestFor(stored), 'http://localhost:3000/hook', plivoSigner(TOKEN, '12345'));
  assert.ok(signed.ok && signed.text.includes("-H 'X-Plivo-Signature-V3-Nonce: 12345'"));
});

test('cURL export refuses what a shell cannot carry, saying what to do instead', () => {
  assert.deepEqual(toCurl({ method: 'POST', params: { a: 'x\0y' }, body: 'a=x\0y' }, 'http://localhost:3000'), {
    ok: false,
    message:
      'Cannot build a cURL command: the body contains NUL characters, which a shell command cannot carry. Save it as a JSON fixture instead.',
  });
  assert.deepEqual(toCurl({ method: 'GET', params: { a: 'x'.repeat(1024 * 1024) } }, 'http://localhost:3000'), {
    ok: false,
    message:
      'Cannot build a cURL command: the URL with its query is 1.0 MiB, more than a shell command argument can hold. Save it as a fixture instead.',
  });
  assert.deepEqual(toCurl({ method: 'GET', params: {} }, 'localhost:3000'), {
    ok: false,
    message: 'Cannot build a cURL command: not a valid URL: localhost:3000 (start it with http:// or https://)',
  });
});

/**
 * PowerShell's reading of a double-quoted string: backtick escapes and `$(...)` subexpressions. Only
 * `$([char]N)` is accepted; any other `$` would expand a variable or run code, which is a quoting bug.
 */
function powerShellString(literal: string): string {
  assert.ok(literal.startsWith('"') && literal.endsWith('"'), literal);
  const escapes: Record<string, string> = {
    0: '\0',
    a: '\x07',
    b: '\b',
    e: '\x1b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
  };
  let value = '';
  for (let i = 1; i < literal.length - 1; i++) {
    const char = literal[i];
    if (char === '`') {
      const next = literal[++i];
      value += escapes[next] ?? next;
    } else if (char === '$') {
      const code = /^\$\(\[char\](\d+)\)/.exec(literal.slice(i));
      assert.ok(code, `PowerShell would expand ${literal.slice(i, i + 12)}`);
      value += String.fromCharCode(Number(code[1]));
      i += code[0].length - 1;
    } else {
      assert.notEqual(char, '"', 'an unescaped quote ends the string early');
      value += char;
    }
  }
  return value;
}

const PS_STRING = '"(?:[^"`]|`.)*"';
const PS_COMMAND = new RegExp(
  `^Invoke-WebRequest -UseBasicParsing -Method (GET|POST) -Uri (${PS_STRING})` +
    `(?: -Headers @\\{\\n((?: {4}${PS_STRING} = ${PS_STRING}\\n)*) {2}\\})?` +
    `(?: -ContentType (${PS_STRING}) -Body \\(\\[System\\.Text\\.Encoding\\]::UTF8\\.GetBytes\\((${PS_STRING})\\)\\))?$`,
  's',
);

/**
 * Sends what PowerShell would send for a command from toPowerShell (PowerShell is not installed on the test
 * machines): the strings as PowerShell reads them, the body as the UTF-8 bytes the command asks for.
 */
async function runPowerShell(command: string): Promise<number> {
  assert.match(command, /^[\x20-\x7e\n]*$/, 'only printable ASCII, which no console or code page changes');
  // A backtick at the end of a line continues the command.
  const match = PS_COMMAND.exec(command.replaceAll(' `\n  ', ' '));
  assert.ok(match, `not the expected command shape:\n${command}`);
  const [, method, uri, headerLines = '', contentType, body] = match;
  const headers: Record<string, string> = {};
  for (const line of headerLines.trim().split('\n').filter(Boolean)) {
    const pair = new RegExp(`^\\s*(${PS_STRING}) = (${PS_STRING})$`).exec(line);
    assert.ok(pair, line);
    headers[powerShellString(pair[1])] = powerShellString(pair[2]);
  }
  if (contentType) headers['Content-Type'] = powerShellString(contentType);
  const response = await fetch(powerShellString(uri), {
    method,
    headers,
    body: body === undefined ? undefined : Buffer.from(powerShellString(body), 'utf8'),
  });
  await response.arrayBuffer();
  return response.status;
}

test('the PowerShell command survives PowerShell quoting, is signed for its target and verifies there', async (t) => {
  const listener = await startListener();
  t.after(() => listener.stop());
  const params = {
    call_uuid: 'c-\'quoted\' $HOME $(whoami) `x` "dq"',
    transcription: 'line 1\r\nline 2\t“smart” ‘quotes’ नमस्ते 🎙 \\ end',
    empty: '',
  };
  const target = `${listener.url}/plivo/transcription`;
  for (const method of ['POST', 'GET'] as const) {
    const command = toPowerShell({ method, params }, target, plivoSigner(TOKEN));
    assert.ok(command.ok);
    const received = nextCallback(listener);
    assert.equal(await runPowerShell(command.text), 200);
    const callback = await received;
    assert.equal(callback.method, method);
    assert.deepEqual(callback.params, params);
    assert.equal(callback.signature.state, 'valid', callback.signature.detail);
  }
  // A stored JSON body goes byte for byte, non-ASCII text and quotes included.
  const json = JSON.stringify(params);
  const stored = sampleCallback({ body: json, contentType: 'application/json', params });
  const command = toPowerShell(outgoingRequestFor(stored), target, plivoSigner(TOKEN));
  assert.ok(command.ok);
  const received = nextCallback(listener);
  assert.equal(await runPowerShell(command.text), 200);
  const callback = await received;
  assert.equal(callback.body, json);
  assert.equal(callback.contentType, 'application/json');
  assert.equal(callback.signature.state, 'valid', callback.signature.detail);
});

test('PowerShell output: Invoke-WebRequest, one option per line, headers in a table, the body as UTF-8 bytes; limits', () => {
  const stored = storedJsonCallback();
  assert.deepEqual(toPowerShell(outgoingRequestFor(stored), 'http://localhost:3000/hook'), {
    ok: true,
    text: [
      'Invoke-WebRequest -UseBasicParsing -Method POST -Uri "http://localhost:3000/hook"',
      '-ContentType "application/json"',
      '-Body ([System.Text.Encoding]::UTF8.GetBytes("{`"call_uuid`":`"c`"}"))',
    ].join(' `\n  '),
  });
  const signed = toPowerShell({ method: 'GET', params: {} }, 'http://localhost:3000/hook', plivoSigner(TOKEN, '12345'));
  assert.ok(
    signed.ok && signed.text.includes('\n    "X-Plivo-Signature-V3-Nonce" = "12345"\n'),
    signed.ok ? signed.text : '',
  );
  assert.ok(signed.ok && !signed.text.includes('-Body'), 'a GET has no body');
  assert.deepEqual(toPowerShell({ method: 'GET', params: { a: 'x'.repeat(65_519) } }, 'http://localhost:3000'), {
    ok: false,
    message:
      'Cannot build a PowerShell command: the URL with its query is 65 KiB, more than PowerShell accepts in a URL (65,519 characters). Save it as a fixture instead.',
  });
  assert.deepEqual(toPowerShell({ method: 'GET', params: {} }, 'localhost:3000'), {
    ok: false,
    message: 'Cannot build a PowerShell command: not a valid URL: localhost:3000 (start it with http:// or https://)',
  });
});

const SIGNED = sampleCallback({
  id: 'cb-x',
  receivedAt: '2025-01-01T00:00:09.000Z',
  path: '/plivo/recording?x=1',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    'x-plivo-signature-v3': 'sig',
    'x-plivo-signature-v3-nonce': '42',
    'user-agent': 'PlivoHTTP',
  },
  body: 'call_uuid=c-9&record_url=https%3A%2F%2Fm.example%2Fr.mp3',
  params: { call_uuid: 'c-9', record_url: 'https://m.example/r.mp3' },
  summary: { callUuid: 'c-9' },
});

test('.http fixture: REST Client request with a base URL variable, Plivo headers and the body', () => {
  assert.deepEqual(toHttpFixture(SIGNED, 'https://abc.ngrok.app/'), {
    ok: true,
    text: `# Plivo record callback for call c-9, received 2025-01-01T00:00:09.000Z
# Signature headers are the ones Plivo sent: they verify only at the URL Plivo called.
@baseUrl = https://abc.ngrok.app

POST {{baseUrl}}/plivo/recording?x=1
content-type: application/x-www-form-urlencoded
x-plivo-signature-v3: sig
x-plivo-signature-v3-nonce: 42

call_uuid=c-9&record_url=https%3A%2F%2Fm.example%2Fr.mp3
`,
  });
  const get = sampleCallback({
    method: 'GET',
    path: '/plivo/recording?call_uuid=c',
    body: '',
    contentType: undefined,
    headers: {},
  });
  const text = (toHttpFixture(get) as { text: string }).text;
  assert.match(text, /\n\nGET \{\{baseUrl\}\}\/plivo\/recording\?call_uuid=c\n$/);
  assert.match(text, /@baseUrl = http:\/\/127\.0\.0\.1:8787/);
});

test('.http fixture refuses bodies the format would misread; a truncated body is rebuilt and says so', () => {
  const json = (body: string) => sampleCallback({ body, contentType: 'application/json', params: { a: 'b' } });
  assert.match((toHttpFixture(json('{"a":\n### "b"}')) as { message: string }).message, /starts with "###"/);
  assert.match((toHttpFixture(json('{"a":"{{b}}"}')) as { message: string }).message, /contains "\{\{"/);
  const big = 'x'.repeat(1024 * 1024);
  const truncated = sampleCallback({ body: 'a=xxx', bodyTruncated: true, params: { a: big } });
  const fixture = toHttpFixture(truncated);
  assert.ok(fixture.ok);
  assert.match(
    fixture.text,
    /# The body was longer than the stored part, so it is rebuilt from the callback's parameters\./,
  );
  assert.ok(fixture.text.endsWith(`\n\na=${big}\n`));
});

test('JSON fixture carries method, path, kept headers, params and body', () => {
  assert.deepEqual(JSON.parse(toJsonFixture(SIGNED)), {
    description: 'Plivo record callback for call c-9, received 2025-01-01T00:00:09.000Z',
    notes: ['Signature headers are the ones Plivo sent: they verify only at the URL Plivo called.'],
    method: 'POST',
    path: '/plivo/recording?x=1',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-plivo-signature-v3': 'sig',
      'x-plivo-signature-v3-nonce': '42',
    },
    params: { call_uuid: 'c-9', record_url: 'https://m.example/r.mp3' },
    body: 'call_uuid=c-9&record_url=https%3A%2F%2Fm.example%2Fr.mp3',
  });
});
