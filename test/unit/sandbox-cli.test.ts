import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CLI_PORT, DEFAULT_CLI_RATE_LIMIT, parseCliArgs } from '../../src/sandbox/cliArgs';

describe('sandbox CLI arguments', () => {
  test("defaults to port 8099, three calls, real time, Plivo's rate limit", () => {
    assert.deepEqual(parseCliArgs([], {}), {
      port: DEFAULT_CLI_PORT,
      calls: 3,
      timeScale: 1,
      rateLimit: DEFAULT_CLI_RATE_LIMIT,
      help: false,
    });
    assert.equal(DEFAULT_CLI_PORT, 8099);
    assert.equal(DEFAULT_CLI_RATE_LIMIT, 300);
  });

  test('reads --name value and --name=value', () => {
    assert.deepEqual(parseCliArgs(['--port', '9000', '--calls=5', '--time-scale', '0.1', '--rate-limit=0'], {}), {
      port: 9000,
      calls: 5,
      timeScale: 0.1,
      rateLimit: 0,
      help: false,
    });
  });

  test('takes the port from PLIVO_SANDBOX_PORT unless --port is given', () => {
    assert.equal(parseCliArgs([], { PLIVO_SANDBOX_PORT: '8200' }).port, 8200);
    assert.equal(parseCliArgs(['--port', '0'], { PLIVO_SANDBOX_PORT: '8200' }).port, 0);
  });

  test('allows a busy account of 5,000 live calls', () => {
    assert.equal(parseCliArgs(['--calls', '5000'], {}).calls, 5000);
  });

  test('recognises --help', () => {
    assert.equal(parseCliArgs(['--help'], {}).help, true);
    assert.equal(parseCliArgs(['-h'], {}).help, true);
  });

  test('explains bad input', () => {
    assert.throws(() => parseCliArgs(['--port', '70000'], {}), /--port must be an integer from 0 to 65535/);
    assert.throws(() => parseCliArgs(['--port'], {}), /--port needs a value/);
    assert.throws(() => parseCliArgs(['--calls', '-1'], {}), /--calls/);
    assert.throws(() => parseCliArgs(['--calls', '10001'], {}), /--calls must be an integer from 0 to 10000/);
    assert.throws(() => parseCliArgs(['--time-scale', '0'], {}), /--time-scale must be a positive number/);
    assert.throws(() => parseCliArgs(['--rate-limit', '-5'], {}), /--rate-limit must be an integer/);
    assert.throws(() => parseCliArgs(['--verbose', '1'], {}), /unknown option --verbose/);
    assert.throws(() => parseCliArgs([], { PLIVO_SANDBOX_PORT: 'http' }), /PLIVO_SANDBOX_PORT/);
  });
});
