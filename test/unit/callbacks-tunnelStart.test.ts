import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  findExecutable,
  findTunnelTool,
  tunnelCommand,
  tunnelInstallHints,
  waitForTunnel,
} from '../../src/callbacks/tunnelStart';
import { detectNgrok, type TunnelDetection } from '../../src/callbacks/tunnels';
import { findFreePort } from '../../src/callbacks/listener';
import { withTempDir } from './helpers/callbacks';

const posixOnly = process.platform === 'win32' ? 'needs a POSIX shell for the fake executable' : false;

/**
 * A fake `ngrok`: a shell script that records its argv and, like the real agent, serves
 * `/api/tunnels` for the port it was asked to forward (on the port in FAKE_NGROK_API_PORT).
 */
async function writeFakeNgrok(dir: string): Promise<string> {
  const agent = join(dir, 'agent.js');
  await writeFile(
    agent,
    `const http = require('node:http');
const port = process.argv[3];
require('node:fs').writeFileSync(process.env.FAKE_NGROK_ARGS, JSON.stringify(process.argv.slice(2)));
const answer = JSON.stringify({ tunnels: [{ public_url: 'https://fake-' + port + '.ngrok-free.app', config: { addr: 'http://localhost:' + port } }] });
// Registers its tunnel a moment after starting, as the real agent does.
setTimeout(() => http.createServer((req, res) => res.end(req.url === '/api/tunnels' ? answer : '')).listen(Number(process.env.FAKE_NGROK_API_PORT), '127.0.0.1'), 300);
setTimeout(() => process.exit(0), 10000);
`,
  );
  const bin = join(dir, 'bin');
  await mkdir(bin);
  const script = join(bin, 'ngrok');
  await writeFile(script, `#!/bin/sh\nexec "${process.execPath}" "${agent}" "$@"\n`);
  await chmod(script, 0o755);
  return bin;
}

test(
  'findExecutable finds a fake ngrok on a temporary PATH, skipping missing and non-executable entries',
  { skip: posixOnly },
  async () => {
    await withTempDir(async (dir) => {
      const bin = await writeFakeNgrok(dir);
      const decoy = join(dir, 'decoy');
      await mkdir(decoy);
      await writeFile(join(decoy, 'ngrok'), 'not executable');
      const path = ['', 'relative/bin', join(dir, 'missing'), decoy, bin].join(':');
      assert.equal(await findExecutable('ngrok', path, { platform: 'linux' }), join(bin, 'ngrok'));
      assert.equal(await findExecutable('cloudflared', path, { platform: 'linux' }), undefined);
      assert.equal(await findExecutable('ngrok', undefined), undefined);
      assert.deepEqual(await findTunnelTool(path, { platform: 'linux' }), {
        tool: 'ngrok',
        executable: join(bin, 'ngrok'),
      });
    });
  },
);

test('findExecutable on Windows tries PATHEXT extensions and quoted entries', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'ngrok.cmd'), '@echo off');
    await writeFile(join(dir, 'ngrok'), 'no extension: not runnable on Windows');
    assert.equal(await findExecutable('ngrok', `"${dir}";C:\\nowhere`, { platform: 'win32' }), join(dir, 'ngrok.cmd'));
    await writeFile(join(dir, 'cloudflared.exe'), 'MZ');
    assert.equal(
      await findExecutable('cloudflared', dir, { platform: 'win32', pathExt: '.EXE' }),
      join(dir, 'cloudflared.exe'),
    );
    assert.equal(await findExecutable('ngrok', dir, { platform: 'win32', pathExt: '.EXE' }), undefined);
  });
});

test('tunnelCommand: the argv for each tool, cloudflared with an explicit metrics address', () => {
  assert.deepEqual(tunnelCommand('ngrok', '/bin/ngrok', 8787), {
    tool: 'ngrok',
    executable: '/bin/ngrok',
    args: ['http', '8787'],
    apiUrl: 'http://127.0.0.1:4040',
  });
  assert.deepEqual(tunnelCommand('cloudflared', 'cloudflared', 8787, 'http://127.0.0.1:20300'), {
    tool: 'cloudflared',
    executable: 'cloudflared',
    args: ['tunnel', '--url', 'http://127.0.0.1:8787', '--metrics', '127.0.0.1:20300'],
    apiUrl: 'http://127.0.0.1:20300',
  });
  assert.deepEqual(tunnelCommand('cloudflared', 'cloudflared', 9000).args.slice(-1), ['127.0.0.1:20241']);
});

test(
  'started from its argv, the fake ngrok is picked up from its agent API once it registers',
  { skip: posixOnly },
  async (t) => {
    await withTempDir(async (dir) => {
      const bin = await writeFakeNgrok(dir);
      const found = await findTunnelTool(bin, { platform: 'linux' });
      assert.ok(found);
      const apiPort = await findFreePort(42_000);
      const command = tunnelCommand(found.tool, found.executable, 8787, `http://127.0.0.1:${apiPort}`);
      const argsFile = join(dir, 'args.json');
      const child = execFile(command.executable, command.args, {
        env: { ...process.env, FAKE_NGROK_ARGS: argsFile, FAKE_NGROK_API_PORT: String(apiPort) },
      });
      const exited = once(child, 'exit');
      t.after(async () => {
        child.kill();
        await exited;
      });
      const result = await waitForTunnel(() => detectNgrok(command.apiUrl, 8787), { timeoutMs: 8000, intervalMs: 100 });
      assert.deepEqual(result, { kind: 'found', url: 'https://fake-8787.ngrok-free.app', source: 'ngrok' });
      assert.deepEqual(JSON.parse(await readFile(argsFile, 'utf8')), ['http', '8787']);
    });
  },
);

// Proved by what waitForTunnel returns and how often it asked, not by how soon: the test's timeout is the hang guard.
test('waitForTunnel gives up at its deadline with the last answer, and on cancel', { timeout: 20_000 }, async () => {
  let calls = 0;
  // Each answer carries its number, so the one returned shows which call it came from.
  const notYet = async (): Promise<TunnelDetection> => ({ kind: 'none', source: 'ngrok', reason: `try ${++calls}` });
  const started = performance.now();
  const result = await waitForTunnel(notYet, { timeoutMs: 200, intervalMs: 50 });
  const elapsed = performance.now() - started;
  // How many calls fit in 200 ms depends on the machine; at least one more than the first must.
  assert.ok(calls >= 2, `${calls} calls`);
  assert.deepEqual(result, { kind: 'none', source: 'ngrok', reason: `try ${calls}` }, 'the last answer');
  assert.ok(elapsed >= 200, `gave up after ${Math.round(elapsed)} ms, before the deadline`);

  // The cancel (at 30 ms) ends the first 1 s pause: without it the next call would come at 1 s.
  let cancelCalls = 0;
  const none: TunnelDetection = { kind: 'none', source: 'ngrok', reason: 'ngrok is not running' };
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 30);
  assert.deepEqual(
    await waitForTunnel(async () => (cancelCalls++, none), {
      timeoutMs: 5000,
      intervalMs: 1000,
      signal: controller.signal,
    }),
    none,
  );
  assert.equal(cancelCalls, 1, 'given up during the first pause');
});

test('install hints name both tools, a package command where common, and the official pages', () => {
  const mac = tunnelInstallHints('darwin');
  assert.deepEqual(
    mac.hints.map((h) => [h.tool, h.install, h.url]),
    [
      [
        'cloudflared',
        'brew install cloudflared',
        'https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/',
      ],
      ['ngrok', 'brew install ngrok', 'https://ngrok.com/download'],
    ],
  );
  assert.match(
    mac.message,
    /^Neither cloudflared nor ngrok was found on PATH\. Install cloudflared \(quick tunnels need no account; `brew install cloudflared`\) or ngrok/,
  );
  const linux = tunnelInstallHints('linux');
  assert.equal(linux.hints[0].install, undefined);
  assert.doesNotMatch(linux.message, /undefined/);
});
