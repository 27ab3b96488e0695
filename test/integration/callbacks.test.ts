// The Callbacks view and its commands, inside a real extension host: a signed callback POSTed to the
// listener shows up in the store and the tree, opens as a read-only JSON document, replays (re-signed)
// to a local receiver, and clears. Everything stays on 127.0.0.1; the offline sandbox provides the token.
import * as assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { buildTestCallback, findFreePort, signedUrlFor, type ReceivedCallback } from '../../src/callbacks';
import { clearCallbacks } from '../../src/commands/callbackCommands';
import { listenerTarget } from '../../src/commands/delivery';
import { deliverReplay } from '../../src/commands/replayCallback';
import { deliverTestCallback } from '../../src/commands/sendTestCallback';
import { signCallbackHeaders, verifyPlivoSignature } from '../../src/plivo/signature';
import type { Services } from '../../src/services/container';
import { settings } from '../../src/services/settings';
import { CALLBACK_SCHEME } from '../../src/views/callbacksDocument';
import { CallbacksTreeProvider, PAGE_SIZE } from '../../src/views/callbacksTree';
import { activateExtension, until } from './util';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A stand-in for the user's app: records every request, answers 200. */
async function startReceiver(): Promise<{ url: string; requests: Received[]; close: () => Promise<void> }> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/recording`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('Callbacks view', () => {
  let services: Services;
  let token: string;
  let listenerUrl: string;
  let tree: CallbacksTreeProvider;
  let stopSandbox = false;

  /** POSTs a form callback signed as Plivo would sign it for the listener; resolves its stored id. */
  async function postSigned(path: string, params: Record<string, string>): Promise<string> {
    const publicUrl = settings.listenerPublicUrl();
    const signedUrl = publicUrl ? signedUrlFor(publicUrl, path) : listenerUrl + path;
    const response = await fetch(listenerUrl + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signCallbackHeaders('POST', signedUrl, params, token),
      },
      body: new URLSearchParams(params).toString(),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const { id } = (await response.json()) as { id: string };
    await until(`callback ${id} is in the store`, () => services.callbacks.get(id));
    return id;
  }

  async function treeIds(): Promise<string[]> {
    return (await tree.getChildren()).flatMap((node) => ('id' in node ? [node.id] : []));
  }

  before(async () => {
    ({ services } = await activateExtension());
    // The sandbox's demo account gives the listener a token to check signatures with, without any network.
    if (!services.sandbox.active) {
      await services.sandbox.start();
      stopSandbox = true;
    }
    token = services.sandbox.active!.credentials.authToken;
    await services.listener.stop();
    const port = await findFreePort(20_000 + Math.floor(Math.random() * 30_000));
    assert.ok(port, 'no free port');
    const url = await services.listener.start(port);
    assert.ok(url, 'the listener did not start');
    listenerUrl = url;
    tree = new CallbacksTreeProvider(services.callbacks);
    // One row per callback, newest first; grouping by call has its own test.
    tree.grouped = false;
  });

  beforeEach(async () => {
    await services.callbacks.clear();
  });

  after(async () => {
    tree?.dispose();
    if (!services) return;
    await services.listener.stop();
    await services.callbacks.clear();
    if (stopSandbox) await services.sandbox.stop();
  });

  it('lists received callbacks newest first, by kind, call and signature', async () => {
    const callUuid = '3f2a1b2c-0000-4000-8000-000000000001';
    const recordId = await postSigned('/plivo/recording', buildTestCallback('record', { callUuid }));
    const transcriptionId = await postSigned('/plivo/transcription', buildTestCallback('transcription', { callUuid }));

    const ids = await until('both callbacks are in the tree', async () => {
      const current = await treeIds();
      return current.includes(recordId) && current.includes(transcriptionId) ? current : undefined;
    });
    assert.deepEqual(ids.slice(0, 2), [transcriptionId, recordId]);

    const record = services.callbacks.get(recordId)!;
    const item = tree.getTreeItem(record);
    assert.equal(item.id, recordId);
    assert.equal(item.label, 'record done · 3f2a1b2c…');
    assert.match(String(item.description), /✓ signed/);
    assert.equal(item.contextValue, 'callback.record');
    assert.deepEqual(item.command && { command: item.command.command, arguments: item.command.arguments }, {
      command: 'plivo.showCallback',
      arguments: [recordId],
    });
    const tooltip = tree.resolveTreeItem(item, record).tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.ok(tooltip.value.includes(callUuid.replace(/-/g, '\\-')) || tooltip.value.includes(callUuid), tooltip.value);

    const transcription = tree.getTreeItem(services.callbacks.get(transcriptionId)!);
    assert.equal(transcription.contextValue, 'callback.transcription');
    assert.match(String(transcription.label), /^transcription · 3f2a1b2c…$/);
  });

  it('shows a refused request with its status, and hostile content only as text', async () => {
    const refused = await fetch(`${listenerUrl}/plivo/hook`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<x/>',
    });
    assert.equal(refused.status, 400);
    const stored = await until('the refused request is in the store', () =>
      services.callbacks.list().find((c) => c.status === 400),
    );
    const refusedItem = tree.getTreeItem(stored);
    assert.equal(refusedItem.label, 'unknown POST /plivo/hook');
    assert.match(String(refusedItem.description), /unsigned · 400 bad request$/);
    assert.equal(refusedItem.contextValue, 'callback.unknown');

    const hostile = '[click](command:workbench.action.quit) <img src=x onerror=alert(1)>\u202e';
    const id = await postSigned('/plivo/recording', {
      ...buildTestCallback('record'),
      call_uuid: hostile,
      message: hostile,
    });
    const callback = services.callbacks.get(id)!;
    const item = tree.getTreeItem(callback);
    assert.ok(!String(item.label).includes('\u202e'));
    const tooltip = tree.resolveTreeItem(item, callback).tooltip as vscode.MarkdownString;
    assert.ok(!tooltip.isTrusted && !tooltip.supportHtml, 'the tooltip must be untrusted markdown without HTML');
    assert.ok(!tooltip.value.includes('](command:'), `a link survived in the tooltip: ${tooltip.value}`);
    assert.ok(!tooltip.value.includes('\u202e'), 'a bidi override survived in the tooltip');
  });

  it('opens the full request read-only as JSON', async () => {
    const params = buildTestCallback('record', { callUuid: 'a1b2c3d4-0000-4000-8000-000000000002' });
    const id = await postSigned('/plivo/recording', params);

    await vscode.commands.executeCommand('plivo.showCallback', id);
    const editor = await until('the callback document is shown', () =>
      vscode.window.visibleTextEditors.find(
        (e) => e.document.uri.scheme === CALLBACK_SCHEME && e.document.uri.path.startsWith(`/${id}/`),
      ),
    );
    try {
      const { document } = editor;
      assert.equal(document.languageId, 'json');
      const shown = JSON.parse(document.getText()) as Record<string, unknown>;
      assert.deepEqual(shown.params, params);
      assert.equal(shown.method, 'POST');
      assert.equal(shown.path, '/plivo/recording');
      assert.equal(shown.kind, 'record');
      assert.equal((shown.signature as { state: string }).state, 'valid');
      assert.equal(typeof shown.headers, 'object');
    } finally {
      await vscode.window
        .showTextDocument(editor.document)
        .then(() => vscode.commands.executeCommand('workbench.action.closeActiveEditor'));
    }
  });

  it('replays a callback to another URL, re-signed for that URL', async () => {
    const params = buildTestCallback('record');
    const id = await postSigned('/plivo/recording', params);
    const receiver = await startReceiver();
    try {
      const callback = services.callbacks.get(id)!;
      const target = { url: receiver.url, name: receiver.url, listener: false };
      const result = await deliverReplay(services, callback, target, token);
      assert.equal(result.error, undefined);
      assert.equal(result.status, 200);
      assert.equal(receiver.requests.length, 1);
      const [request] = receiver.requests;
      assert.equal(request.method, 'POST');
      assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), params);
      const check = verifyPlivoSignature({
        method: 'POST',
        url: receiver.url,
        params,
        headers: request.headers,
        authTokens: [token],
      });
      assert.equal(check.state, 'valid', check.detail);
    } finally {
      await receiver.close();
    }
  });

  it('replays to the listener and sends test callbacks there, signed', async () => {
    const id = await postSigned('/plivo/recording', buildTestCallback('async'));
    const original = services.callbacks.get(id)!;
    const target = await listenerTarget(services, original.path);
    assert.ok(target);
    const replay = await deliverReplay(services, original, target, token);
    assert.equal(replay.status, 200, replay.error);
    const replayed = await until('the replayed callback is stored', () =>
      services.callbacks.list().find((c) => c.id !== id && c.kind === 'async'),
    );
    assert.deepEqual(replayed.params, original.params);
    assert.equal(replayed.signature.state, 'valid', replayed.signature.detail);

    const sent = await deliverTestCallback(
      services,
      'transcription',
      (await listenerTarget(services, '/plivo/transcription'))!,
      {},
      token,
    );
    assert.equal(sent.status, 200, sent.error);
    const test = await until('the test callback is stored', () =>
      services.callbacks.list().find((c: ReceivedCallback) => c.kind === 'transcription'),
    );
    assert.equal(test.signature.state, 'valid', test.signature.detail);
    assert.equal(test.path, '/plivo/transcription');
  });

  it('clears only after confirmation', async () => {
    await postSigned('/plivo/recording', buildTestCallback('record'));
    assert.equal(await clearCallbacks(services, async () => false), false);
    assert.equal(services.callbacks.list().length, 1);

    let asked: number | undefined;
    const cleared = await clearCallbacks(services, async (count) => {
      asked = count;
      return true;
    });
    assert.equal(cleared, true);
    assert.equal(asked, 1);
    await until('the tree is empty', async () => (await treeIds()).length === 0);
    assert.equal(services.callbacks.list().length, 0);
  });

  // Only the newest page becomes tree items; how fast is for `npm run bench` (its Callbacks tree row), not asserted here.
  it('lists hundreds of callbacks a page at a time, the newest page first with a "Show older…" row', async () => {
    const template = services.callbacks.get(await postSigned('/plivo/recording', buildTestCallback('record')))!;
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      adds.push(
        services.callbacks.add({
          ...template,
          id: `bulk-${i}`,
          receivedAt: new Date(Date.now() - i * 1000).toISOString(),
        }),
      );
    }
    await Promise.all(adds);

    const started = performance.now();
    const children = await tree.getChildren();
    const items = children.map((callback) => tree.getTreeItem(callback));
    const elapsed = performance.now() - started;
    console.log(`      building the first ${items.length} of 401 items: ${Math.round(elapsed)} ms`);
    assert.equal(items.length, PAGE_SIZE + 1, 'one page and the "Show older…" row');
    assert.equal(items[0].id, 'bulk-399');
    assert.equal(items.at(-1)?.label, 'Show older…');
    assert.equal(items.at(-1)?.description, `${401 - PAGE_SIZE} more`);
    tree.showOlder();
    assert.equal((await tree.getChildren()).length, 401, 'two pages hold every callback');
  });
});
