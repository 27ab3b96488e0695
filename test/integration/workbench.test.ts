// The callback workbench inside a real extension host: the one URL resolver (a stand-in ngrok agent API and a
// loopback "tunnel" proxy), forwarding, a failing history save, the confirmation before an unverified callback is
// signed, Start Public Tunnel with a fake ngrok on PATH, and the listener coming back after a reload.
// Everything stays on 127.0.0.1.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildTestCallback, findFreePort, FORWARD_MAX_IN_FLIGHT } from '../../src/callbacks';
import { refreshOptionUrls } from '../../src/commands/askRecordOptions';
import { replayIfConfirmed } from '../../src/commands/replayCallback';
import { checkPublicUrl, startTunnel } from '../../src/commands/tunnel';
import { signCallbackHeaders } from '../../src/plivo/signature';
import { SANDBOX_AUTH_TOKEN } from '../../src/sandbox';
import type { Services } from '../../src/services/container';
import type { Views } from '../../src/views';
import { CallbacksTreeProvider } from '../../src/views/callbacksTree';
import { activateExtension, tooltipText, until } from './util';

/** The listener reads the account's Auth Token when the connection changes (the sandbox starting): let it. */
const tokensLoaded = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function serve(handler: (req: Seen, res: import('node:http').ServerResponse) => void): Promise<Running> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () =>
      handler(
        {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        },
        res,
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The user's app: records what it gets, answers JSON (after `delayMs`). */
async function startApp(delayMs = 0): Promise<Running & { requests: Seen[] }> {
  const requests: Seen[] = [];
  const app = await serve((req, res) => {
    requests.push(req);
    const saved = requests.length;
    setTimeout(() => {
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ saved }));
    }, delayMs);
  });
  return { ...app, requests };
}

/** A "tunnel": passes every request on to the listener, Host and all, as ngrok would from its public side. */
function startTunnelProxy(listenerPort: number): Promise<Running> {
  return serve((req, res) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: listenerPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end(req.body);
  });
}

/** ngrok's agent API (`GET /api/tunnels`), listing one tunnel from `publicUrl` to `addr`. */
function startNgrokApi(tunnels: () => { public_url: string; addr: string }[]): Promise<Running> {
  return serve((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        tunnels: tunnels().map((t) => ({
          name: 'command_line',
          proto: 'https',
          public_url: t.public_url,
          config: { addr: t.addr },
        })),
        uri: '/api/tunnels',
      }),
    ),
  );
}

describe('Callback workbench', function () {
  let services: Services;
  let views: Views;
  let listenerPort: number;
  let ngrokApi: Running;
  let tunnel: Running;
  let tunnelListed = true;
  const config = () => vscode.workspace.getConfiguration('plivo');
  const setting = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Global);
  /** Posts `params` to the listener as a form, as Plivo does; resolves to the answer's status and the callback's id. */
  const postToListener = async (
    path: string,
    params: Record<string, string>,
  ): Promise<{ status: number; id: string }> => {
    const response = await fetch(`http://127.0.0.1:${listenerPort}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, id: ((await response.json()) as { id: string }).id };
  };

  before(async function () {
    ({ services, views } = await activateExtension());
    await services.sandbox.stop();
    await services.listener.stop();
    await services.callbacks.load();
    await services.callbacks.clear();
    listenerPort = (await findFreePort(23_000))!;
    tunnel = await startTunnelProxy(listenerPort);
    ngrokApi = await startNgrokApi(() =>
      tunnelListed
        ? [
            { public_url: 'https://other.ngrok-free.app', addr: 'http://localhost:3000' },
            { public_url: tunnel.url, addr: `http://localhost:${listenerPort}` },
          ]
        : [],
    );
    // Nothing answers there: cloudflared "is not running".
    const closedPort = (await findFreePort(24_000))!;
    await setting('tunnel.ngrokApiUrl', ngrokApi.url);
    await setting('tunnel.cloudflaredMetricsUrl', `http://127.0.0.1:${closedPort}`);
    await setting('listener.port', listenerPort);
  });

  after(async function () {
    await services.listener.stop();
    await services.callbacks.clear();
    await services.recordings.clear();
    for (const key of ['tunnel.ngrokApiUrl', 'tunnel.cloudflaredMetricsUrl', 'listener.port', 'listener.forwardUrl']) {
      await setting(key, undefined);
    }
    await tunnel.close();
    await ngrokApi.close();
  });

  it('finds the ngrok tunnel for the listener port and uses its URL everywhere a callback URL appears', async function () {
    await services.listener.start();
    const state = await services.urls.refresh();
    assert.equal(state.source, 'tunnel');
    assert.equal(state.tunnel, 'ngrok');
    assert.equal(state.url, tunnel.url, 'the tunnel to the listener port, not the one to port 3000');
    assert.equal(await services.urls.callbackUrl('transcription'), `${tunnel.url}/plivo/transcription`);
    const copied = await vscode.commands.executeCommand<string>('plivo.copyListenerUrl');
    assert.equal(copied, `${tunnel.url}/plivo/recording`);
    assert.equal(await vscode.env.clipboard.readText(), copied);
    assert.match(
      String(views.callbacks.view.description),
      new RegExp(`127\\.0\\.0\\.1:${tunnel.port} \\(ngrok tunnel\\)`),
    );

    // A "last used" callback URL of an earlier listener (another port) is moved onto the tunnel, never sent stale.
    const fresh = await refreshOptionUrls(services, {
      callbackUrl: 'http://127.0.0.1:1/plivo/recording',
      transcriptionUrl: 'https://my-app.example.com/hooks/t',
    });
    assert.equal(fresh.callbackUrl, `${tunnel.url}/plivo/recording`);
    assert.equal(fresh.transcriptionUrl, 'https://my-app.example.com/hooks/t', "the user's own app is kept");
  });

  it('accepts requests through the tunnel host, verifies signatures for the tunnel URL, and checks the round trip', async function () {
    await services.sandbox.start();
    await tokensLoaded();
    try {
      const token = services.sandbox.active!.credentials.authToken;
      // With the sandbox running its callbacks go to the local URL; the tunnel URL stays known to the listener.
      const params = buildTestCallback('record');
      const response = await fetch(`${tunnel.url}/plivo/recording`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...signCallbackHeaders('POST', `${tunnel.url}/plivo/recording`, params, token),
        },
        body: new URLSearchParams(params).toString(),
      });
      assert.equal(response.status, 200, await response.clone().text());
      const { id } = (await response.json()) as { id: string };
      const stored = await until('stored', () => services.callbacks.get(id));
      assert.equal(stored.signature.state, 'valid', stored.signature.detail);
    } finally {
      await services.sandbox.stop();
    }
    await services.urls.refresh();
    const before = services.callbacks.list().length;
    const result = await checkPublicUrl(services);
    assert.equal(result?.kind, 'ok', result?.kind === 'failed' ? result.message : '');
    assert.ok(result?.kind === 'ok' && result.roundTripMs >= 0);
    assert.equal(services.callbacks.list().length, before, 'the check request is kept out of the history');
  });

  it('forwards to the app keeping the path, or by kind; the row shows the status; checks are not forwarded', async function () {
    // A little slow, as apps are: the list has been redrawn with the new callback before its forward result comes.
    const app = await startApp(300);
    try {
      await setting('listener.forwardUrl', app.url);
      const tree = new CallbacksTreeProvider(services.callbacks);
      tree.grouped = false;
      const events: (string | string[])[] = [];
      const watch = tree.onDidChangeTreeData((e) =>
        events.push(e === undefined ? 'all' : (Array.isArray(e) ? e : [e]).map((n) => ('id' in n ? n.id : '?'))),
      );
      const params = buildTestCallback('transcription');
      const { id } = await postToListener('/plivo/transcription?attempt=1', params);
      // What VS Code does when the list changes: it asks for the rows again.
      await until('the new callback is listed', async () =>
        (await tree.getChildren()).some((node) => 'id' in node && node.id === id),
      );
      const shown = (await tree.getChildren()).find((node) => 'id' in node && node.id === id)!;
      const forwarded = await until('forwarded', () => services.callbacks.get(id)?.forward);
      assert.equal(forwarded.status, 201);
      assert.equal(app.requests[0].url, '/plivo/transcription?attempt=1');
      assert.deepEqual(JSON.parse(forwarded.response!.body), { saved: 1 });
      // The forward result redraws that row alone, through the element it was shown with.
      await until('the row is redrawn', () => events.some((e) => Array.isArray(e) && e.includes(id)));
      assert.match(String(tree.getTreeItem(shown).description), /→ 201 in \d+ ms/);
      watch.dispose();
      tree.dispose();

      await setting('listener.forwardUrl', { recording: `${app.url}/only/recordings` });
      const { id: recordId } = await postToListener('/plivo/recording', buildTestCallback('record'));
      await until('the record callback is forwarded', () => services.callbacks.get(recordId)?.forward);
      assert.equal(app.requests[1].url, '/only/recordings');

      await checkPublicUrl(services);
      assert.equal(app.requests.length, 2, 'the Check Public URL request is not forwarded');
    } finally {
      await setting('listener.forwardUrl', undefined);
      await app.close();
    }
  });

  it('forwards a burst to a stuck app a few at a time, oldest first, and every callback gets there once it answers', async function () {
    // The app holds every request while stuck, as a development server paused in a debugger would.
    let stuck = true;
    const held: (() => void)[] = [];
    const seen: number[] = [];
    let open = 0;
    let mostAtOnce = 0;
    const app = await serve((req, res) => {
      seen.push(Number(new URL(req.url, 'http://app').searchParams.get('n')));
      mostAtOnce = Math.max(mostAtOnce, ++open);
      const answer = (): void => {
        open--;
        res.writeHead(200).end();
      };
      if (stuck) held.push(answer);
      else answer();
    });
    const burst = FORWARD_MAX_IN_FLIGHT + 4;
    try {
      await setting('listener.forwardUrl', app.url);
      const ids: string[] = [];
      for (let i = 0; i < burst; i++) {
        const { status, id } = await postToListener(`/plivo/recording?n=${i}`, buildTestCallback('record'));
        assert.equal(status, 200, 'the listener answers while the app is stuck');
        ids.push(id);
      }
      await until('the app holds as many requests as are let through', () => held.length === FORWARD_MAX_IN_FLIGHT);
      // A moment for any request beyond the bound to arrive, were there one.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(mostAtOnce, FORWARD_MAX_IN_FLIGHT, 'at most that many requests reach the app at once');
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        [...Array(FORWARD_MAX_IN_FLIGHT).keys()],
        'the first callbacks go first; the later ones wait',
      );
      // The listener's status-bar item counts the ones waiting, and says why they wait.
      assert.deepEqual(services.listener.forwarding, { inFlight: FORWARD_MAX_IN_FLIGHT, waiting: 4 });
      const status = views.listenerStatus.item;
      await until('the status bar counts the callbacks waiting for the app', () =>
        status.text.endsWith('$(sync~spin) 4'),
      );
      assert.match(
        tooltipText(status.tooltip),
        new RegExp(`Forwarding to your app: ${FORWARD_MAX_IN_FLIGHT} in flight, 4 waiting`),
      );
      stuck = false;
      held.splice(0).forEach((answer) => answer());
      await until('every callback is forwarded', () =>
        ids.every((id) => services.callbacks.get(id)?.forward?.status === 200),
      );
      await until('the count goes once the app has caught up', () => !status.text.includes('sync~spin'));
      assert.equal(mostAtOnce, FORWARD_MAX_IN_FLIGHT);
      assert.equal(seen.length, burst, 'each callback reached the app once');
    } finally {
      await setting('listener.forwardUrl', undefined);
      held.splice(0).forEach((answer) => answer());
      await app.close();
    }
  });

  it('stopping the listener drops the forwards still waiting; each says so and stays in the history to replay', async function () {
    if (!services.listener.running) await services.listener.start();
    const held: (() => void)[] = [];
    let reached = 0;
    const app = await serve((_req, res) => {
      reached++;
      held.push(() => res.writeHead(200).end());
    });
    const burst = FORWARD_MAX_IN_FLIGHT + 2;
    try {
      await setting('listener.forwardUrl', app.url);
      const ids: string[] = [];
      for (let i = 0; i < burst; i++) {
        ids.push((await postToListener('/plivo/recording', buildTestCallback('record'))).id);
      }
      await until('the app holds as many requests as are let through', () => held.length === FORWARD_MAX_IN_FLIGHT);
      await services.listener.stop();
      const waiting = ids.slice(FORWARD_MAX_IN_FLIGHT);
      for (const id of waiting) {
        const forward = await until('the waiting forward is marked', () => services.callbacks.get(id)?.forward);
        assert.equal(forward.ok, false);
        assert.match(forward.error ?? '', /listener was stopped.*replay/);
      }
      held.splice(0).forEach((answer) => answer());
      await until('the forwards let through finish', () =>
        ids.slice(0, FORWARD_MAX_IN_FLIGHT).every((id) => services.callbacks.get(id)?.forward?.status === 200),
      );
      assert.equal(reached, FORWARD_MAX_IN_FLIGHT, 'the dropped ones never reach the app');
    } finally {
      await setting('listener.forwardUrl', undefined);
      held.splice(0).forEach((answer) => answer());
      await app.close();
      if (!services.listener.running) await services.listener.start();
    }
  });

  it('counts callbacks that arrive while the Callbacks view is hidden on its badge, and showing the view clears it', async function () {
    if (!services.listener.running) await services.listener.start();
    const { view } = views.callbacks;
    await vscode.commands.executeCommand('plivo.callbacks.focus');
    await until('the Callbacks view is shown', () => view.visible);
    await vscode.commands.executeCommand('workbench.view.explorer');
    await until('the Callbacks view is hidden', () => !view.visible);
    assert.equal(view.badge, undefined, 'showing the view cleared the count');
    for (let i = 0; i < 5; i++) await postToListener('/plivo/recording', buildTestCallback('record'));
    const badge = await until('the badge counts the burst', () => (view.badge?.value === 5 ? view.badge : undefined));
    assert.equal(badge.tooltip, '5 new callbacks');
    await vscode.commands.executeCommand('plivo.callbacks.focus');
    await until('showing the view clears the badge', () => view.badge === undefined);
  });

  it('keeps applying and forwarding when the history cannot be saved, shows a warning, and clears it after a save', async function () {
    const app = await startApp();
    const file = services.callbacks.filePath;
    await setting('listener.forwardUrl', app.url);
    try {
      // A folder where the history file should be, and a clear (which rewrites the file): every save fails.
      await rm(file, { recursive: true, force: true });
      await mkdir(join(file, 'blocked'), { recursive: true });
      await services.callbacks.clear();
      const post = async (): Promise<string> =>
        (await postToListener('/plivo/recording', buildTestCallback('record'))).id;
      const id = await post();
      const problem = await until('saving fails', () => services.callbacks.saveProblem);
      assert.ok(problem.length > 0);
      assert.ok(services.callbacks.get(id), 'the callback is kept in memory');
      await until('it is still forwarded', () => services.callbacks.get(id)?.forward);
      assert.equal(app.requests.length, 1);
      assert.match(String(views.callbacks.view.message), /not being saved/);

      await rm(file, { recursive: true, force: true });
      await post();
      await until('a save succeeds again', () => services.callbacks.saveProblem === undefined);
      assert.equal(views.callbacks.view.message, undefined);
    } finally {
      await setting('listener.forwardUrl', undefined);
      await rm(file, { recursive: true, force: true }).catch(() => undefined);
      await services.callbacks.clear();
      await app.close();
    }
  });

  it('asks before signing an unverified callback, and the replay says "unverified"; it never changes a recording', async function () {
    await services.sandbox.start();
    await tokensLoaded();
    const app = await startApp();
    try {
      const apiId = 'a1b2c3d4-0000-4000-8000-000000000001';
      await services.recordings.addStarted('call-unverified', { timeLimit: 600, callbackUrl: 'x' }, {
        kind: 'async',
        apiId,
      } as never);
      const forged = buildTestCallback('record', { apiId, callUuid: 'call-unverified' });
      const { id } = await postToListener('/plivo/recording', forged);
      const callback = await until('stored', () => services.callbacks.get(id));
      assert.equal(callback.signature.state, 'unsigned');
      const recording = await until('the recording is marked', () => {
        const entry = services.recordings.get(apiId);
        return entry?.unverified ? entry : undefined;
      });
      assert.equal(recording.state, 'pending', 'an unsigned callback did not finish it');

      const target = { url: `${app.url}/hook`, name: app.url, listener: false };
      const asked: string[] = [];
      const declined = await replayIfConfirmed(services, callback, target, {
        confirm: async (_c, action) => (asked.push(action), false),
      });
      assert.equal(declined, undefined);
      assert.equal(app.requests.length, 0, 'nothing is sent without the confirmation');
      const sent = await replayIfConfirmed(services, callback, target, { confirm: async () => true });
      assert.deepEqual(asked, ['Replay']);
      assert.equal(sent?.unverified, true);
      assert.equal(app.requests.length, 1);
      const stored = await until('the replay is kept on the callback', () => services.callbacks.get(id)?.replay);
      assert.equal(stored.unverified, true);
      assert.match(
        String(new CallbacksTreeProvider(services.callbacks).getTreeItem(services.callbacks.get(id)!).description),
        /unverified/,
      );
    } finally {
      await services.sandbox.stop();
      await services.recordings.clear();
      await app.close();
    }
  });

  it('an unsigned transcription puts no transcript under a recording while an Auth Token is saved; a signed one does', async function () {
    await services.sandbox.start();
    await tokensLoaded();
    try {
      const url = `http://127.0.0.1:${listenerPort}/plivo/transcription`;
      const target = { recordingId: 'c1c2c3d4-0000-4000-8000-000000000003', callUuid: 'call-transcribed' };
      const other = { recordingId: 'c1c2c3d4-0000-4000-8000-000000000004', callUuid: 'call-other' };
      const post = async (params: Record<string, string>, headers: Record<string, string> = {}): Promise<string> => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams(params).toString(),
        });
        return ((await response.json()) as { id: string }).id;
      };
      const forged = await post(buildTestCallback('transcription', { ...target, transcription: 'Forged words' }));
      const signed = buildTestCallback('transcription', { ...other, transcription: 'Signed words' });
      await post(signed, signCallbackHeaders('POST', url, signed, SANDBOX_AUTH_TOKEN));
      // Callbacks run through the pipeline in arrival order: once the signed one is kept, the forged one was seen.
      const kept = await until('the signed transcript is kept', () => services.transcripts.find(other));
      assert.equal(kept.text, 'Signed words');
      assert.equal(services.callbacks.get(forged)?.signature.state, 'unsigned');
      assert.equal(services.transcripts.find(target), undefined);
    } finally {
      await services.sandbox.stop();
      await services.transcripts.clear();
    }
  });

  it('Start Public Tunnel runs ngrok from PATH in a terminal and uses the URL its agent API reports', async function () {
    tunnelListed = false;
    const bin = await mkdtemp(join(tmpdir(), 'plivo-fake-ngrok-'));
    const marker = join(bin, 'started');
    // The fake ngrok records its arguments, then "opens" the tunnel: the stand-in agent API starts listing it.
    await writeFile(join(bin, 'ngrok'), `#!/bin/sh\necho "$@" > '${marker}'\nsleep 60\n`);
    await chmod(join(bin, 'ngrok'), 0o755);
    const opened = setInterval(() => {
      if (existsSync(marker)) tunnelListed = true;
    }, 100);
    try {
      await services.urls.refresh();
      assert.notEqual(services.urls.current.source, 'tunnel');
      const url = await startTunnel(services, { pathVariable: bin });
      assert.equal(url, tunnel.url);
      assert.equal((await readFile(marker, 'utf8')).trim(), `http ${listenerPort}`);
      assert.equal(services.urls.current.source, 'tunnel');
      assert.equal(await services.urls.callbackUrl(), `${tunnel.url}/plivo/recording`);
    } finally {
      clearInterval(opened);
      for (const terminal of vscode.window.terminals) if (terminal.name.startsWith('Plivo tunnel')) terminal.dispose();
      await rm(bin, { recursive: true, force: true });
      tunnelListed = true;
    }
  });

  it('without ngrok or cloudflared, says what to install and starts nothing', async function () {
    const empty = await mkdtemp(join(tmpdir(), 'plivo-no-tools-'));
    try {
      tunnelListed = false;
      const opened: string[] = [];
      const watch = vscode.window.onDidOpenTerminal((t) => opened.push(t.name));
      const pending = startTunnel(services, { pathVariable: empty });
      await until('the install hint is shown and dismissed', async () => {
        await vscode.commands.executeCommand('notifications.clearAll');
        return Promise.race([pending.then(() => true), new Promise((r) => setTimeout(r, 100, undefined))]);
      });
      assert.equal(await pending, undefined);
      watch.dispose();
      assert.deepEqual(opened, [], 'no terminal is opened');
    } finally {
      tunnelListed = true;
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('groups callbacks by call (async response linked by api_id), filters them, and says so in the description', async function () {
    await services.callbacks.clear();
    const callUuid = 'c0ffee00-0000-4000-8000-000000000001';
    const post = async (path: string, params: Record<string, string>): Promise<string> =>
      (await postToListener(path, params)).id;
    const apiId = 'a1a1a1a1-0000-4000-8000-000000000001';
    const asyncId = await post('/plivo/recording', buildTestCallback('async', { apiId }));
    const recordId = await post('/plivo/recording', buildTestCallback('record', { apiId, callUuid }));
    const strayId = await post('/plivo/recording', buildTestCallback('record'));
    await until('all three are stored', () => [asyncId, recordId, strayId].every((id) => services.callbacks.get(id)));

    const { tree } = views.callbacks;
    views.callbacks.setGrouped(true);
    const groups = await tree.getChildren();
    const group = groups.find((node) => 'nodeType' in node && node.nodeType === 'group' && node.key === callUuid);
    assert.ok(group, 'a group for the call');
    const members = (await tree.getChildren(group)).map((node) => ('id' in node ? node.id : ''));
    assert.deepEqual(members, [asyncId, recordId], 'as it happened, the async response tied in through its api_id');
    assert.match(String(tree.getTreeItem(group).description), /^2 callbacks · async response · record done/);

    views.callbacks.setFilter('kind:record call:c0ffee', { kinds: ['record'], callUuid: 'c0ffee' });
    views.callbacks.setGrouped(false);
    const filtered = (await tree.getChildren()).map((node) => ('id' in node ? node.id : ''));
    assert.deepEqual(filtered, [recordId]);
    assert.match(String(views.callbacks.view.description), /· filter: kind:record call:c0ffee$/);
    // By call alone: the async response is matched through the call it is linked to, and what arrives meanwhile
    // under the filter is listed too.
    views.callbacks.setFilter('call:c0ffee', { callUuid: 'c0ffee' });
    const byCall = async (): Promise<string[]> =>
      (await tree.getChildren()).map((node) => ('id' in node ? node.id : ''));
    assert.deepEqual(await byCall(), [recordId, asyncId]);
    const laterId = await post('/plivo/recording', buildTestCallback('record', { callUuid }));
    await post('/plivo/recording', buildTestCallback('record'));
    await until('the new callback of the call is stored', () => services.callbacks.get(laterId));
    assert.deepEqual(await byCall(), [laterId, recordId, asyncId]);
    views.callbacks.setFilter(undefined);
    views.callbacks.setGrouped(true);
    assert.doesNotMatch(String(views.callbacks.view.description), /filter/);
    assert.equal((await tree.getChildren()).length, 3, 'the call and the two stray callbacks');
  });

  it('restarts the listener after a reload if it was running (plivo.listener.autoStart)', async function () {
    await services.listener.start();
    await services.listener.stop();
    await services.listener.restore();
    assert.equal(services.listener.running, false, 'stopped on request: stays stopped');
    await services.context.workspaceState.update('plivo.listener.wasRunning', true);
    await services.listener.restore();
    assert.equal(services.listener.running, true);
    await setting('listener.autoStart', false);
    try {
      await services.listener.stop();
      await services.context.workspaceState.update('plivo.listener.wasRunning', true);
      await services.listener.restore();
      assert.equal(services.listener.running, false, 'autoStart off');
    } finally {
      await setting('listener.autoStart', undefined);
    }
  });
});
