import { after, before, describe, it } from 'node:test';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';
import { useWorkbench } from './harness';

describe('the Calls view tells what happened and what to do next', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.start();
    sandbox.addCall({ from: '14155550161', to: '442079460958', direction: 'outbound' });
  });
  after(async () => {
    await sandbox.close();
  });
  const ui = useWorkbench(() => ({
    settings: { 'plivo.apiBaseUrl': sandbox.url, 'plivo.calls.refreshIntervalSeconds': 0 },
    env: { PLIVO_AUTH_ID: SANDBOX_AUTH_ID, PLIVO_AUTH_TOKEN: SANDBOX_AUTH_TOKEN },
  }));
  const callItem = () => ui().treeItem('Calls', /^Outbound call from \+1 415 555 0161 to \+44 207 946 0958/);

  it('Enter on a call row starts Record Call for that call', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await callItem().waitFor({ timeout: 30_000 });
    const title = wb.quickInputTitle.filter({ hasText: /Record \+1 415 555 0161 → \+44 207 946 0958/ });
    // Keyboard only: focus the tree, go to its first row (the call), press Enter.
    await wb.view('Calls').locator('.monaco-list').first().focus();
    await wb.page.keyboard.press('Home');
    await wb.page.keyboard.press('Enter');
    await title.waitFor();
    await wb.screenshot('e2e-calls-enter-records');
    await wb.page.keyboard.press('Escape');
  });

  it('a failed refresh is a row with Retry and Show Log, and Retry brings the calls back', async () => {
    const wb = ui();
    sandbox.failNext({ status: 500, body: { api_id: 'x', error: 'simulated outage' }, times: 3 });
    await wb.viewAction('Calls', 'Refresh Calls');
    const row = wb.treeItem('Calls', /^Could not load the calls/);
    await row.waitFor({ timeout: 30_000 });
    // The title button's tooltip (left by the click above) covers the first row until the pointer leaves it.
    await wb.page.mouse.move(0, 0);
    await wb.page.locator('.context-view .hover-contents').waitFor({ state: 'hidden' });
    await row.hover();
    await row.getByRole('button', { name: 'Show Log' }).waitFor();
    await wb.screenshot('e2e-calls-error-row');
    await wb.clearNotifications();
    await row.getByRole('button', { name: 'Refresh Calls' }).click();
    await row.waitFor({ state: 'hidden', timeout: 30_000 });
    await callItem().waitFor();
  });

  it('stopping the offline sandbox keeps its recordings, marked "sandbox stopped"', async () => {
    const wb = ui();
    await wb.runCommand('Plivo: Use Offline Sandbox');
    await wb.waitForNotification(/Offline sandbox running/);
    await wb.runCommand('Plivo: Record Call');
    // A click once the list has settled: the picker redraws when its refresh lands, and an Enter pressed during
    // that redraw was lost.
    await wb.pickQuickItem(/→/, { timeoutMs: 30_000 });
    await wb.pickQuickItem(/^\s*Record\s*$/);
    await wb.waitForNotification(/Recording started on \+1/);
    await wb.runCommand('Plivo: Stop Offline Sandbox');
    const group = wb.treeItem('Calls', /^Offline sandbox stopped/);
    await group.waitFor({ timeout: 15_000 });
    await group.click();
    await wb.treeItem('Calls', /^Recording sandbox stopped/).waitFor({ timeout: 10_000 });
    await wb.screenshot('e2e-sandbox-stopped-recordings');
  });
});

describe('the Calls view on a busy account', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.start({ liveCalls: 450 });
  });
  after(async () => {
    await sandbox.close();
  });
  const ui = useWorkbench(() => ({
    settings: { 'plivo.apiBaseUrl': sandbox.url, 'plivo.calls.refreshIntervalSeconds': 0 },
    env: { PLIVO_AUTH_ID: SANDBOX_AUTH_ID, PLIVO_AUTH_TOKEN: SANDBOX_AUTH_TOKEN },
  }));

  it('says "200 of 450 live calls", and Load more shows the next 200', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await wb.view('Calls').getByText('200 of 450 live calls').first().waitFor({ timeout: 60_000 });
    // The tree renders only the rows in sight: End moves the focus (and the view) to the last row, Load more.
    await wb.view('Calls').locator('.monaco-list').first().focus();
    await wb.page.keyboard.press('End');
    await wb.treeItem('Calls', /^Load more calls/).waitFor({ timeout: 10_000 });
    await wb.screenshot('e2e-calls-200-of-450');
    await wb.page.keyboard.press('Enter');
    await wb.view('Calls').getByText('400 of 450 live calls').first().waitFor({ timeout: 60_000 });
  });

  it('Filter Calls by a number asks Plivo for those calls only', async () => {
    const wb = ui();
    const [call] = sandbox.liveCalls();
    await wb.viewAction('Calls', 'Filter Calls…');
    await wb.quickInputFill(call.from);
    await wb.pickQuickItem(/^\s*Calls from \+1/);
    await wb
      .view('Calls')
      .getByText(/^Filtered, from \d+: \d+ live calls?$/)
      .first()
      .waitFor({ timeout: 30_000 });
    await wb.screenshot('e2e-calls-filtered');
  });
});
