import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Sandbox } from '../../src/sandbox';
import { useWorkbench } from './harness';

/** Every regular file below `dir` whose text contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) hits.push(...filesContaining(full, needle));
    else if (entry.isFile() && fs.readFileSync(full).includes(needle)) hits.push(full);
  }
  return hits;
}

// An account of this run only: unlike the sandbox's demo token, this token exists nowhere but in what the test types.
const AUTH_ID = 'MAE2E' + randomBytes(8).toString('hex').toUpperCase().slice(0, 15);
const AUTH_TOKEN = randomBytes(20).toString('hex');

describe('credentials through the input boxes', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.start({ accounts: [{ authId: AUTH_ID, authToken: AUTH_TOKEN }] });
    sandbox.addCall({ from: '14155550111', to: '14155550122', direction: 'inbound' });
  });
  after(async () => {
    await sandbox.close();
  });
  const ui = useWorkbench(() => ({
    settings: { 'plivo.apiBaseUrl': sandbox.url, 'plivo.calls.refreshIntervalSeconds': 2 },
  }));

  it('a rejected token shows its error and stores nothing', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await wb.page.getByRole('button', { name: 'Add Account' }).first().waitFor({ timeout: 30_000 });
    await wb
      .view('Calls')
      .getByText(/kept in the browser's encrypted storage/)
      .waitFor({ timeout: 10_000 });
    await wb.screenshot('e2e-welcome-secrets-in-browser');
    await wb.runCommand('Plivo: Set Credentials (Add or Update Account)…');
    await wb.quickInputFill(AUTH_ID, { title: 'Plivo Account (1/3)' });
    await wb.quickInputAccept();
    await wb.quickInputFill('WrongToken000000000000000000000000000000', { title: 'Plivo Account (2/3)' });
    await wb.quickInputAccept();
    const message = await wb.waitForNotification(/rejected by Plivo \(401\)/);
    assert.match(message, /Nothing was saved: your accounts are unchanged/);
    await wb.screenshot('e2e-credentials-rejected');
    // Edit asks again with the Auth ID filled in and the token empty.
    await wb.notificationAction(/Nothing was saved/, 'Edit');
    await wb.quickInputTitle.filter({ hasText: 'Plivo Account (1/3)' }).waitFor({ timeout: 15_000 });
    assert.equal(await wb.quickInputBox.inputValue(), AUTH_ID);
    await wb.quickInputAccept();
    await wb.quickInputTitle.filter({ hasText: 'Plivo Account (2/3)' }).waitFor({ timeout: 15_000 });
    assert.equal(await wb.quickInputBox.inputValue(), '');
    await wb.page.keyboard.press('Escape');
    assert.ok(sandbox.requests.some((r) => r.status === 401));
    // Still signed out: the welcome view keeps offering to add an account.
    await wb.page.getByRole('button', { name: 'Add Account' }).first().waitFor({ timeout: 10_000 });
  });

  it('good credentials are verified, saved, and the live calls appear', async () => {
    const wb = ui();
    await wb.page.keyboard.press('Escape');
    await wb.runCommand('Plivo: Set Credentials (Add or Update Account)…');
    await wb.quickInputFill(AUTH_ID, { title: 'Plivo Account (1/3)' });
    await wb.quickInputAccept();
    await wb.quickInputFill(AUTH_TOKEN, { title: 'Plivo Account (2/3)' });
    await wb.quickInputAccept();
    // The label is asked only after Plivo accepted the token; Enter takes the suggested one.
    await wb.quickInputTitle.filter({ hasText: 'Plivo Account (3/3)' }).waitFor({ timeout: 15_000 });
    await wb.quickInputAccept();
    await wb.waitForNotification(/saved in the browser's encrypted storage/);
    await wb.treeItem('Calls', /^Inbound call from \+1 415 555 0111 to \+1 415 555 0122/).waitFor({ timeout: 30_000 });
    await wb.screenshot('e2e-credentials-saved-calls');
  });

  it('the token is written to no file of the editor', () => {
    const { userDataDir, extensionsDir, workspaceDir } = ui().server;
    for (const dir of [userDataDir, extensionsDir, workspaceDir]) {
      assert.deepEqual(filesContaining(dir, AUTH_TOKEN), [], `token found under ${dir}`);
    }
  });
});
