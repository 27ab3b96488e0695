import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox, type SandboxRequestLog } from '../../src/sandbox';
import { until } from '../support/until';
import { freePort, useWorkbench, type Workbench } from './harness';

const FROM = '14155550101';
const TO = '14155550202';
/** How the editor shows the call: numbers grouped as people read them. */
const NUMBERS = /\+1 415 555 0101 → \+1 415 555 0202/;
const OTHER_NUMBERS = /\+1 415 555 0303 → \+1 415 555 0404/;

/** F1 → Plivo: Record Call → the call with FROM → TO (typed digits find it). */
async function startRecordCall(wb: Workbench, numbers = NUMBERS, typed = FROM): Promise<void> {
  await wb.runCommand('Plivo: Record Call');
  await wb.quickInputFill(typed);
  await wb.pickQuickItem(numbers);
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
  const callItem = () => ui().treeItem('Calls', /^Inbound call from \+1 415 555 0101 to \+1 415 555 0202/);
  const recordRequests = (method: string) =>
    sandbox.requests.filter((r: SandboxRequestLog) => r.method === method && r.path.endsWith('/Record/'));

  it('the Plivo sidebar shows the sandbox live calls, with credentials from the environment', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await callItem().waitFor({ timeout: 30_000 });
    await wb.treeItem('Calls', /^Outbound call from \+1 415 555 0303 to \+1 415 555 0404/).waitFor();
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
    const message = await wb.waitForNotification(/Recording started on/);
    assert.match(message, NUMBERS, 'the call is named by its numbers');
    assert.doesNotMatch(message, /[0-9a-f]{8}-[0-9a-f]{4}/, 'no UUID in the sentence');
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
    await wb.waitForStatusBarText(/stopped all recordings on \+1 415 555 0101/);
    await wb.treeItem('Calls', /^Recording stopped, mp3/).waitFor({ timeout: 15_000 });
    await wb.screenshot('e2e-stop-recording');
  });

  it('F1 → Plivo: Stop Recording lists only calls with running recordings, then one or all of them', async () => {
    const wb = ui();
    for (const [numbers, typed] of [
      [NUMBERS, FROM],
      [NUMBERS, FROM],
      [OTHER_NUMBERS, '14155550303'],
    ] as const) {
      await startRecordCall(wb, numbers, typed);
      await wb.pickQuickItem(/^\s*Record\s*$/);
      await wb.waitForNotification(/Recording started on/);
      await wb.clearNotifications();
    }
    const running = recordRequests('POST').filter((r) => r.status === 202);
    assert.ok(running.length >= 3);
    await wb.runCommand('Plivo: Stop Recording');
    await wb.quickItems
      .filter({ hasText: /All 3 running recordings/ })
      .first()
      .waitFor();
    const labels = await wb.quickItemLabels();
    await wb.screenshot('e2e-stop-recording-picker');
    assert.ok(
      labels.some((l) => /All 2 recordings on \+1 415 555 0101/.test(l)),
      JSON.stringify(labels),
    );
    assert.equal(labels.filter((l) => /Only the one started at/.test(l)).length, 2, JSON.stringify(labels));
    assert.ok(
      labels.some((l) => OTHER_NUMBERS.test(l)),
      'a call with one recording is one row',
    );
    const deletes = recordRequests('DELETE').length;
    await wb.pickQuickItem(/Only the one started at/);
    const del = await until('one recording is stopped', () => recordRequests('DELETE')[deletes], 30_000);
    assert.equal(del.status, 204);
    assert.match(String((del.body as Record<string, unknown>).URL), /^http/, 'only that recording, by its URL');
    await wb.waitForStatusBarText(/stopped the recording on \+1 415 555 0101/);
    await wb.screenshot('e2e-stop-recording-one');
    // The rest, all at once.
    await wb.runCommand('Plivo: Stop Recording');
    await wb.pickQuickItem(/All 2 running recordings/);
    await until(
      'the other calls are stopped',
      () => recordRequests('DELETE').length >= deletes + 3 || undefined,
      30_000,
    );
    await wb.waitForStatusBarText(/stopped the recordings on 2 calls/);
  });

  it('start the listener → record with it as callback_url → "record done" appears in Callbacks', async () => {
    const wb = ui();
    await wb.runCommand('Plivo: Start Callback Listener');
    await wb.waitForNotification(/Callback listener running/);
    await startRecordCall(wb);
    await wb.pickQuickItem(/Change options/);
    await wb.quickInputFill('90000', { title: /time limit/ });
    await until(
      'the time limit is bounded as Plivo documents',
      async () => /from 1 to 86400/.test(await wb.quickInputMessage()) || undefined,
      10_000,
    );
    await wb.quickInputFill('2', { title: /time limit/ });
    await wb.quickInputAccept();
    await wb.pickQuickItem('wav');
    // Back on step 3 returns to step 2, with the answer given there still chosen.
    await wb.quickInputTitle.filter({ hasText: /transcription/ }).waitFor();
    await wb.screenshot('e2e-record-wizard-step3');
    await wb.quickInputBack(/format/);
    await wb.screenshot('e2e-record-wizard-back');
    await wb.pickQuickItem('mp3');
    await wb.pickQuickItem('No transcription');
    await wb.pickQuickItem(/^\s*Callback URL…\s*$/);
    await wb.pickQuickItem(/Local callback listener/);
    await wb.pickQuickItem('POST');
    await wb.quickInputTitle.filter({ hasText: /summary/ }).waitFor();
    const summary = await wb.quickItemLabels();
    assert.ok(summary.includes('Time limit: 2 s'), JSON.stringify(summary));
    assert.ok(summary.includes('Format: mp3'), JSON.stringify(summary));
    assert.ok(summary.includes('Transcription: none'), JSON.stringify(summary));
    assert.ok(
      summary.some((l) => /^Callback: POST http/.test(l)),
      JSON.stringify(summary),
    );
    await wb.screenshot('e2e-record-wizard-summary');
    await wb.pickQuickItem(/Start recording/);
    await wb.waitForNotification(/Recording requested on \+1 415 555 0101/);
    const callbacks = await wb.expandView('Callbacks');
    await callbacks
      .getByRole('treeitem', { name: /record done/i })
      .first()
      .waitFor({ timeout: 30_000 });
    const done = await wb.waitForNotification(/is done/);
    assert.match(done, /^The recording on \+1 415 555 0101 → \+1 415 555 0202 started at .+ is done/);
    await wb.screenshot('e2e-recording-done-notification');
    const post = recordRequests('POST').at(-1);
    assert.equal(post?.status, 200);
    // The listener's URL as the editor exposes it: direct, or through code-server's port proxy.
    const callbackUrl = String((post?.body as Record<string, unknown>).callback_url);
    assert.match(callbackUrl, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/(proxy/${listenerPort}/)?plivo/recording$`));
    assert.ok(callbackUrl.includes(String(listenerPort)));
    await wb.screenshot('e2e-callback-record-done');
  });
});
