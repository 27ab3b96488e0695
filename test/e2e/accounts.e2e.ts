import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, SANDBOX_SUBACCOUNTS, Sandbox } from '../../src/sandbox';
import { freePort, useWorkbench, type Workbench } from './harness';
import { until } from '../support/until';

const [CUSTOMER_A] = SANDBOX_SUBACCOUNTS;

/** The account status-bar item, found by the accessible label the extension gives it. */
function accountStatus(wb: Workbench, label: string) {
  return wb.page.getByRole('button', { name: `Plivo account ${label}, click to switch` });
}

/** A step of the walkthrough on the Welcome page; `aria-checked` is VS Code's checkmark. */
function walkthroughStep(wb: Workbench, step: string) {
  return wb.page.locator(`button.getting-started-step[data-step-id$="${step}"]`);
}

/** The Welcome page moves the focus to the next step when one completes, which would close a quick pick. */
async function closeWalkthrough(wb: Workbench): Promise<void> {
  const tab = wb.page.locator('.tab', { hasText: 'Walkthrough' });
  await tab.hover();
  await tab.locator('.codicon-close').click();
  await tab.waitFor({ state: 'detached' });
}

async function waitForStepDone(wb: Workbench, step: string): Promise<void> {
  try {
    await walkthroughStep(wb, step).and(wb.page.locator('[aria-checked="true"]')).waitFor({ timeout: 30_000 });
  } catch (error) {
    const steps = await wb.page
      .locator('button.getting-started-step')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-step-id')}=${e.getAttribute('aria-checked')}`));
    throw new Error(`step ${step} not checked; steps: ${steps.join(', ')}`, { cause: error });
  }
}

describe('several accounts: add two, switch, the Calls view and the status bar follow', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.start();
    sandbox.addCall({ from: '14155550111', to: '14155550122', direction: 'inbound' });
    sandbox.addCall({ authId: CUSTOMER_A.authId, from: '14155550333', to: '14155550344', direction: 'outbound' });
  });
  after(async () => {
    await sandbox.close();
  });
  const ui = useWorkbench(() => ({
    settings: { 'plivo.apiBaseUrl': sandbox.url, 'plivo.calls.refreshIntervalSeconds': 2 },
  }));
  const mainCall = () => ui().treeItem('Calls', /^(In|Out)bound call from \+1 415 555 0111 to \+1 415 555 0122/);
  const subCall = () => ui().treeItem('Calls', /^(In|Out)bound call from \+1 415 555 0333 to \+1 415 555 0344/);

  it('adds the main account: Auth ID, token, verification, then the label', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await wb.page.getByRole('button', { name: 'No Plivo account, click to add one' }).waitFor();
    await wb.runCommand('Plivo: Add Account…');
    await wb.quickInputFill(SANDBOX_AUTH_ID, { title: 'Plivo Account (1/3)' });
    await wb.quickInputAccept();
    await wb.quickInputFill(SANDBOX_AUTH_TOKEN, { title: 'Plivo Account (2/3)' });
    await wb.quickInputAccept();
    // Asked only once Plivo accepted the token, pre-filled with a default.
    await wb.quickInputTitle.filter({ hasText: 'Plivo Account (3/3)' }).waitFor({ timeout: 15_000 });
    assert.equal(await wb.quickInputBox.inputValue(), 'Main account MA…0001');
    await wb.quickInputFill('Production', { title: 'Plivo Account (3/3)' });
    await wb.quickInputAccept();
    await wb.waitForNotification(/Production \(MA…0001\) saved in the browser's encrypted storage/);
    await accountStatus(wb, 'Production').waitFor({ timeout: 15_000 });
    await mainCall().waitFor({ timeout: 30_000 });
    assert.equal(await subCall().count(), 0);
  });

  it('adds a subaccount from Show Subaccounts with the token Plivo gives its main account, and switches to it', async () => {
    const wb = ui();
    await wb.runCommand('Plivo: Show Subaccounts');
    await wb.pickQuickItem(/Customer A/);
    // As a toast, or in the Notification Center when VS Code's spam protection put it there (one just came before).
    await wb.notificationAction(/Customer A \(SA…0001\) is not saved yet/, 'Add');
    await wb.quickInputTitle.filter({ hasText: 'Plivo Account (3/3)' }).waitFor({ timeout: 15_000 });
    assert.equal(await wb.quickInputBox.inputValue(), 'Customer A');
    await wb.quickInputAccept();
    await accountStatus(wb, 'Customer A').waitFor({ timeout: 15_000 });
    await subCall().waitFor({ timeout: 30_000 });
    await mainCall().waitFor({ state: 'detached', timeout: 30_000 });
    await wb.page.getByRole('button', { name: /^Calls - Customer A \(SA…0001\)/ }).waitFor();
    await wb.screenshot('e2e-accounts-subaccount');
  });

  it('the status bar item opens Switch Account; switching back loses neither account', async () => {
    const wb = ui();
    await accountStatus(wb, 'Customer A').click();
    await wb.quickInputTitle.filter({ hasText: 'Plivo: Switch Account' }).waitFor({ timeout: 15_000 });
    const labels = await wb.quickItemLabels();
    assert.ok(labels.some((l) => /Production/.test(l)) && labels.some((l) => /Customer A/.test(l)), String(labels));
    await wb.screenshot('e2e-accounts-switch');
    await wb.pickQuickItem(/Production/);
    await accountStatus(wb, 'Production').waitFor({ timeout: 15_000 });
    await mainCall().waitFor({ timeout: 30_000 });
    await wb.page.keyboard.press('Escape');
    await accountStatus(wb, 'Production').click();
    await wb.pickQuickItem(/Customer A/);
    await accountStatus(wb, 'Customer A').waitFor({ timeout: 15_000 });
    await subCall().waitFor({ timeout: 30_000 });
  });
});

describe('the walkthrough: each step completes when the thing really happens', () => {
  let listenerPort: number;
  before(async () => {
    listenerPort = await freePort();
  });
  const ui = useWorkbench(() => ({ settings: { 'plivo.listener.port': listenerPort } }));

  it('opens with no step done', async () => {
    const wb = ui();
    await wb.runCommand('Plivo: Get Started');
    await walkthroughStep(wb, 'account').waitFor({ timeout: 30_000 });
    for (const step of ['account', 'record', 'callback', 'play', 'stop', 'tunnel']) {
      assert.equal(await walkthroughStep(wb, step).getAttribute('aria-checked'), 'false', step);
    }
  });

  it('step 1 is done once the offline sandbox is the active account', async () => {
    const wb = ui();
    await wb.runCommand('Plivo: Use Offline Sandbox');
    await accountStatus(wb, 'Sandbox').waitFor({ timeout: 15_000 });
    await wb.runCommand('Plivo: Get Started');
    await waitForStepDone(wb, 'account');
    assert.equal(await walkthroughStep(wb, 'record').getAttribute('aria-checked'), 'false');
  });

  it('steps 2 and 3 are done by recording a call with the listener as callback URL, and its callback arriving', async () => {
    const wb = ui();
    await closeWalkthrough(wb);
    await wb.runCommand('Plivo: Record Call');
    await wb.pickQuickItem(/→/, { timeoutMs: 30_000 });
    await wb.pickQuickItem(/Change options/);
    await wb.quickInputFill('2', { title: /time limit/ });
    await wb.quickInputAccept();
    await wb.pickQuickItem('mp3');
    await wb.pickQuickItem('No transcription');
    await wb.pickQuickItem(/^\s*Callback URL…\s*$/);
    await wb.pickQuickItem(/Local callback listener/);
    await wb.pickQuickItem('POST');
    await wb.pickQuickItem(/Start recording/);
    await wb.runCommand('Plivo: Get Started');
    await waitForStepDone(wb, 'record');
    await waitForStepDone(wb, 'callback');
    assert.equal(await walkthroughStep(wb, 'tunnel').getAttribute('aria-checked'), 'false');
    await closeWalkthrough(wb);
    await wb.clearNotifications();
    await wb.runCommand('Plivo: Get Started');
    await walkthroughStep(wb, 'callback').scrollIntoViewIfNeeded();
    await wb.screenshot('e2e-walkthrough-steps');
  });
});

describe('a reseller with 230 subaccounts: Show Subaccounts reaches every one, 100 at a time', () => {
  const subaccounts = Array.from({ length: 230 }, (_, i) => ({
    authId: `SARESELL${String(i + 1).padStart(12, '0')}`,
    authToken: `ResellerCustomerToken${String(i + 1).padStart(19, '0')}`,
    name: `Customer ${String(i + 1).padStart(3, '0')}`,
    parentAuthId: SANDBOX_AUTH_ID,
  }));
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.start({
      accounts: [{ authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN, name: 'Reseller' }, ...subaccounts],
    });
  });
  after(async () => {
    await sandbox.close();
  });
  const ui = useWorkbench(() => ({
    settings: { 'plivo.apiBaseUrl': sandbox.url, 'plivo.calls.refreshIntervalSeconds': 0 },
    env: { PLIVO_AUTH_ID: SANDBOX_AUTH_ID, PLIVO_AUTH_TOKEN: SANDBOX_AUTH_TOKEN },
  }));
  const row = (wb: Workbench, name: string) =>
    wb.quickItems.filter({ has: wb.page.locator('.label-name', { hasText: new RegExp(`^\\s*${name}\\s*$`) }) });
  const placeholder = (wb: Workbench, text: string) =>
    until(`placeholder "${text}"`, async () => (await wb.quickInputBox.getAttribute('placeholder'))?.startsWith(text));

  it('lists the first 100 with "Load more…", which adds the next ones under the typed filter until all are listed', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await wb.runCommand('Plivo: Show Subaccounts');
    await placeholder(wb, 'The first 100 subaccounts');
    await wb.quickInputFill('Customer 150');
    assert.equal(await row(wb, 'Customer 150').count(), 0, 'not among the first 100');
    await wb.pickQuickItem(/Load more subaccounts/);
    await row(wb, 'Customer 150').waitFor({ timeout: 15_000 });
    await placeholder(wb, 'The first 200 subaccounts');
    assert.equal(await wb.quickInputBox.inputValue(), 'Customer 150', 'the typed filter is kept');
    await wb.quickInputFill('Customer 230');
    await wb.pickQuickItem(/Load more subaccounts/);
    await row(wb, 'Customer 230').waitFor({ timeout: 15_000 });
    await placeholder(wb, 'Pick a subaccount to switch to it');
    assert.equal(await wb.quickItems.filter({ hasText: /Load more subaccounts/ }).count(), 0, 'nothing more to load');
    await wb.screenshot('e2e-accounts-subaccounts-load-more');
    await wb.page.keyboard.press('Escape');
  });
});
