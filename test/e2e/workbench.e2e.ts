// The callback workbench by clicks: with a stand-in ngrok agent API on loopback reporting a tunnel to the
// listener's port, Record Call offers the tunnel's https URL and the Callbacks view shows it; Replay with Edits
// sends edited parameters to a stand-in app and the callback's document shows the app's answer.
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildTestCallback } from '../../src/callbacks/relay';
import { signCallbackHeaders } from '../../src/plivo/signature';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';
import { until } from '../support/until';
import { freePort, useWorkbench, type Workbench } from './harness';

const FROM = '14155550111';
const TO = '14155550222';
/** What the stand-in agent API reports; never contacted (the recording is not started with it). */
const TUNNEL_URL = 'https://wb-e2e-tunnel.ngrok-free.app';

interface Standing {
  url: string;
  close(): Promise<void>;
}

async function serve(handler: (url: string, body: string, res: import('node:http').ServerResponse) => void) {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req.url ?? '/', Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  } satisfies Standing;
}

describe('callback workbench: public URL from a tunnel, Replay with Edits, by clicks', () => {
  let sandbox: Sandbox;
  let listenerPort: number;
  let ngrokApi: Standing;
  let app: Standing;
  const appRequests: { url: string; body: string }[] = [];

  before(async () => {
    sandbox = await Sandbox.start();
    sandbox.addCall({ from: FROM, to: TO, direction: 'inbound' });
    listenerPort = await freePort();
    ngrokApi = await serve((_url, _body, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          tunnels: [
            {
              name: 'other',
              public_url: 'https://elsewhere.ngrok-free.app',
              config: { addr: 'http://localhost:3000' },
            },
            { name: 'listener', public_url: TUNNEL_URL, config: { addr: `http://localhost:${listenerPort}` } },
          ],
        }),
      ),
    );
    app = await serve((url, body, res) => {
      appRequests.push({ url, body });
      const callUuid = new URLSearchParams(body).get('call_uuid');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ app: 'accepted', callUuid }));
    });
  });
  after(async () => {
    await sandbox.close();
    await ngrokApi.close();
    await app.close();
  });

  const ui = useWorkbench(async () => ({
    settings: {
      'plivo.apiBaseUrl': sandbox.url,
      'plivo.calls.refreshIntervalSeconds': 2,
      'plivo.listener.port': listenerPort,
      'plivo.tunnel.ngrokApiUrl': ngrokApi.url,
      // Nothing listens there: cloudflared "is not running".
      'plivo.tunnel.cloudflaredMetricsUrl': `http://127.0.0.1:${await freePort()}`,
    },
    env: { PLIVO_AUTH_ID: SANDBOX_AUTH_ID, PLIVO_AUTH_TOKEN: SANDBOX_AUTH_TOKEN },
  }));

  it('the listener starts on the tunnel URL, and the Callbacks view shows it with its source', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await wb.runCommand('Plivo: Start Callback Listener');
    const message = await wb.waitForNotification(/Callback listener running/);
    assert.match(message, /wb-e2e-tunnel\.ngrok-free\.app\/plivo\/recording/);
    await wb.expandView('Callbacks');
    await wb
      .view('Callbacks')
      .getByText(/wb-e2e-tunnel\.ngrok-free\.app \(ngrok tunnel\)/)
      .waitFor({ timeout: 15_000 });
    await wb.screenshot('e2e-workbench-tunnel-url');
  });

  it('Record Call offers the tunnel https URL as the callback URL', async () => {
    const wb = ui();
    await wb.runCommand('Plivo: Record Call');
    await wb.quickInputFill(FROM);
    await wb.pickQuickItem(new RegExp(`${FROM} → ${TO}`), { timeoutMs: 30_000 });
    await wb.pickQuickItem(/Change options/);
    await wb.quickInputFill('5', { title: /time limit/ });
    await wb.quickInputAccept();
    await wb.pickQuickItem('mp3');
    await wb.pickQuickItem('No transcription');
    await wb.pickQuickItem(/^\s*Callback URL…\s*$/);
    const offered = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
      hasText: `${TUNNEL_URL}/plivo/recording`,
    });
    await offered.first().waitFor({ timeout: 15_000 });
    assert.match((await offered.first().textContent()) ?? '', /Local callback listener/);
    await wb.screenshot('e2e-workbench-record-offers-tunnel');
    // Not recorded: the sandbox would then call the (made-up) tunnel host on the internet.
    await wb.page.keyboard.press('Escape');
  });

  async function postSignedCallback(wb: Workbench, callUuid: string): Promise<void> {
    const local = `http://127.0.0.1:${listenerPort}/plivo/recording`;
    const params = buildTestCallback('record', { callUuid });
    const response = await fetch(local, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signCallbackHeaders('POST', local, params, SANDBOX_AUTH_TOKEN),
      },
      body: new URLSearchParams(params).toString(),
    });
    assert.equal(response.status, 200, await response.text());
    await wb
      .view('Callbacks')
      .getByRole('treeitem', { name: /record done/i })
      .first()
      .waitFor({ timeout: 15_000 });
  }

  it("Replay with Edits sends the edited parameters and the callback's document shows the app's answer", async () => {
    const wb = ui();
    await postSignedCallback(wb, 'original-call-0001');
    await wb.runCommand('Plivo: Replay with Edits…');
    await wb.pickQuickItem(/^record done/);
    const editor = wb.page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines', { hasText: 'original-call-0001' }).waitFor({ timeout: 15_000 });
    await editor.click();
    await wb.page.keyboard.press('ControlOrMeta+A');
    await wb.page.keyboard.insertText(JSON.stringify({ call_uuid: 'edited-call-0002', message: 'edited' }));
    // Whatever the editor closed by itself after the cursor goes.
    await wb.page.keyboard.press('ControlOrMeta+Shift+End');
    await wb.page.keyboard.press('Delete');
    await wb.runCommand('Plivo: Send Edited Replay');
    await wb.pickQuickItem(/Another URL/);
    await wb.quickInputFill(`${app.url}/plivo/recording`);
    await wb.quickInputAccept();
    const received = await until('the app receives the edited replay', () => appRequests[0], 15_000);
    assert.equal(new URLSearchParams(received.body).get('call_uuid'), 'edited-call-0002');
    await wb.page.locator('.editor-instance .view-lines', { hasText: 'accepted' }).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('e2e-workbench-replay-with-edits');
  });
});
