import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiHostTrust,
  assertRecordOptions,
  httpUrlProblem,
  PlivoError,
  safeExternalUrl,
  TIME_LIMIT_BOUNDS,
  timeLimitProblem,
  type RecordOptions,
} from '../../src/plivo';
import { parseRecordParams } from '../../src/sandbox/recordParams';

function clientAccepts(options: RecordOptions): boolean {
  try {
    assertRecordOptions(options);
    return true;
  } catch (error) {
    assert.ok(error instanceof PlivoError && error.code === 'invalid-argument');
    return false;
  }
}

function sandboxAccepts(params: Record<string, unknown>): boolean {
  try {
    parseRecordParams(params);
    return true;
  } catch (error) {
    assert.equal((error as { status?: number }).status, 400);
    return false;
  }
}

test('time_limit: whole seconds from 1 to 86400, identically in the client and the sandbox', () => {
  assert.deepEqual(TIME_LIMIT_BOUNDS, { min: 1, max: 86_400 });
  const cases: Array<[number, boolean]> = [
    [1, true],
    [60, true],
    [86_400, true],
    [0, false],
    [-1, false],
    [1.5, false],
    [86_401, false],
    [1e12, false],
    [2 ** 53 + 2, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
  ];
  for (const [value, ok] of cases) {
    assert.equal(timeLimitProblem(value) === undefined, ok, `timeLimitProblem(${value})`);
    assert.equal(clientAccepts({ timeLimit: value }), ok, `client, ${value}`);
    assert.equal(sandboxAccepts({ time_limit: value }), ok, `sandbox JSON, ${value}`);
    if (Number.isFinite(value) && value >= 0) {
      assert.equal(sandboxAccepts({ time_limit: String(value) }), ok, `sandbox form, "${value}"`);
    }
  }
  assert.match(timeLimitProblem(1e12) ?? '', /from 1 to 86400 \(got 1000000000000\)/);
});

test('URLs: absolute http(s) with a host and no whitespace anywhere, identically in the client and the sandbox', () => {
  const cases: Array<[string, boolean]> = [
    ['https://example.com/cb', true],
    ['http://127.0.0.1:8787/plivo?x=1', true],
    ['https://example.com/cb%20ok', true],
    [' https://example.com/cb', false],
    ['https://example.com/cb ', false],
    ['https://example.com/cb with space', false],
    ['https://example.com/\tcb', false],
    ['https://example.com/cb\n', false],
    ['https://exa\u0000mple.com/', false],
    ['/relative', false],
    ['ftp://example.com/x', false],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ];
  for (const [url, ok] of cases) {
    assert.equal(httpUrlProblem(url) === undefined, ok, `httpUrlProblem(${JSON.stringify(url)})`);
    assert.equal(clientAccepts({ callbackUrl: url }), ok, `client callback_url ${JSON.stringify(url)}`);
    assert.equal(clientAccepts({ transcriptionUrl: url }), ok, `client transcription_url ${JSON.stringify(url)}`);
    assert.equal(sandboxAccepts({ callback_url: url }), ok, `sandbox callback_url ${JSON.stringify(url)}`);
    assert.equal(sandboxAccepts({ transcription_url: url }), ok, `sandbox transcription_url ${JSON.stringify(url)}`);
  }
  assert.match(httpUrlProblem('https://example.com/cb with space') ?? '', /contains spaces.*%20/);
});

test('safeExternalUrl opens only http(s) URLs', () => {
  assert.equal(safeExternalUrl('https://media.plivo.com/r/abc.mp3'), 'https://media.plivo.com/r/abc.mp3');
  assert.equal(safeExternalUrl('http://127.0.0.1:9/x.wav'), 'http://127.0.0.1:9/x.wav');
  for (const bad of [
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'file:///etc/passwd',
    'command:workbench.action.terminal.new',
    'vscode://settings',
    'ftp://example.com/a',
    '//example.com/a',
    'https://exa mple.com/',
    '',
    undefined,
    42,
  ]) {
    assert.equal(safeExternalUrl(bad), undefined, String(bad));
  }
});

test('apiHostTrust: plivo, loopback, insecure, other', () => {
  const cases: Array<[string, ReturnType<typeof apiHostTrust>]> = [
    ['https://api.plivo.com', 'plivo'],
    ['https://API.Plivo.com/', 'plivo'],
    ['https://api-eu.plivo.com/v1', 'plivo'],
    ['https://api.plivo.com.', 'plivo'],
    ['http://api.plivo.com', 'insecure'],
    ['https://plivo.com.evil.example', 'other'],
    ['https://evilplivo.com', 'other'],
    ['https://api.plivo.com@evil.example', 'other'],
    ['https://evil.example/api.plivo.com', 'other'],
    ['http://127.0.0.1:4010', 'loopback'],
    ['https://127.0.0.1:4010', 'loopback'],
    ['http://127.1:4010', 'loopback'],
    ['http://127.255.0.9', 'loopback'],
    ['http://localhost:4010', 'loopback'],
    ['http://[::1]:4010', 'loopback'],
    ['http://[::ffff:127.0.0.1]:4010', 'loopback'],
    ['http://sandbox.localhost:4010', 'insecure'],
    ['http://128.0.0.1', 'insecure'],
    ['http://10.0.0.5:4010', 'insecure'],
    ['http://0.0.0.0:4010', 'insecure'],
    ['https://my-proxy.example', 'other'],
    ['ftp://api.plivo.com', 'other'],
    ['not a url', 'other'],
  ];
  for (const [url, trust] of cases) assert.equal(apiHostTrust(url), trust, url);
});
