import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox, type SandboxRequestLog } from '../../src/sandbox';
import { until } from '../support/until';
import { freePort, useWorkbench, type Workbench } from './harness';

const FROM = '14155550101';
const TO = '14155550202';

/** F1 → Plivo: Record Call → the call with FROM → TO. */
async function startRecordCall(wb: Workbench): Promise<void> {
  await wb.runCommand('Plivo: Record Call');
  await wb.quickInputFill(FROM);
  await wb.pickQuickItem(new RegExp(`${FROM} → ${TO}`));
}

describe('recording a call and receiving its callback, by clicks', () => {
  let sandbox: Sandbox;
  let listenerPort: number;
  before(async () => {
    sandbox = await Sandbox.start();
    sandbox.addCall({ from: FROM, to: TO, direction: 'inbound' });
    sandbox.addCall({ from: '14155550303', to: '14155550404', direction: 'outbound' });
    listenerPort = await freePort();
  });
  after(async () => {
    await sandbox.close();
  });
  // The extension host inherits these; with nothing in the keychain they are the active "Environment" account.
  const ui = useWorkbench(() => ({
    settings: {
      'plivo.apiBaseUrl': sandbox.url,
      'plivo.calls.refreshIntervalSeconds': 2,
      'plivo.listener.port': listenerPort,
    },
    env: { PLIVO_AUTH_ID: SANDBOX_AUTH_ID, PLIVO_AUTH_TOKEN: SANDBOX_AUTH_TOKEN },
  }));
  const callItem = () => ui().treeItem('Calls', new RegExp(`^Call from ${FROM} to ${TO}`));
  const recordRequests = (method: string) =>
    sandbox.requests.filter((r: SandboxRequestLog) => r.method === method && r.path.endsWith('/Record/'));

  it('the Plivo sidebar shows the sandbox live calls, with credentials from the environment', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await callItem().waitFor({ timeout: 30_000 });
    await wb.treeItem('Calls', /^Call from 14155550303 to 14155550404/).waitFor();
    await wb
      .view('Calls')
      .getByText(/^Environment \(MA…0001\)/)
      .waitFor();
    await wb.screenshot('e2e-calls-sidebar');
  });

  it('F1 → Plivo: Record Call → pick the call → record with the defaults', async () => {
    const wb = ui();
    await startRecordCall(wb);
    await wb.pickQuickItem(/^\s*Record\s*$/);
    await wb.waitForNotification(/Recording started on call/);
    await wb.treeItem('Calls', /^Recording recording, mp3/).waitFor({ timeout: 15_000 });
    const [post] = recordRequests('POST');
    assert.equal(post.status, 202);
    assert.deepEqual(post.body, {});
    await wb.screenshot('e2e-record-call');
  });

  it('right-click the call → Stop Recording → the sandbox receives the DELETE', async () => {
    const wb = ui();
    await wb.contextMenu(callItem(), 'Stop Recording');
    const del = await until('the sandbox receives the DELETE', () => recordRequests('DELETE')[0], 30_000);
    assert.equal(del.status, 204);
    await wb.treeItem('Calls', /^Recording stopped, mp3/).waitFor({ timeout: 15_000 });
    await wb.screenshot('e2e-stop-recording');
  });

  it('start the listener → record with it as callback_url → "record done" appears in Callbacks', async () => {
    const wb = ui();
    await wb.runCommand('Plivo: Start Callback Listener');
    await wb.waitForNotification(/Callback listener running/);
    await startRecordCall(wb);
    await wb.pickQuickItem(/Change options/);
    await wb.quickInputFill('2', { title: /time limit/ });
    await wb.quickInputAccept();
    await wb.pickQuickItem('mp3');
    await wb.pickQuickItem('No transcription');
    await wb.pickQuickItem(/^\s*Callback URL…\s*$/);
    await wb.pickQuickItem(/Local callback listener/);
    await wb.pickQuickItem('POST');
    await wb.waitForNotification(/asynchronous mode/);
    const callbacks = await wb.expandView('Callbacks');
    await callbacks
      .getByRole('treeitem', { name: /record done/i })
      .first()
      .waitFor({ timeout: 30_000 });
    const post = recordRequests('POST').at(-1);
    assert.equal(post?.status, 200);
    // The listener's URL as the editor exposes it: direct, or through code-server's port proxy.
    const callbackUrl = String((post?.body as Record<string, unknown>).callback_url);
    assert.match(callbackUrl, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/(proxy/${listenerPort}/)?plivo/recording$`));
    assert.ok(callbackUrl.includes(String(listenerPort)));
    await wb.screenshot('e2e-callback-record-done');
  });
});
