// Several accounts inside a real extension host: the connection, the Calls model, the status bar, the context keys
// and the listener's signature checks follow the active account; the sandbox and 0.1.0 credentials never cost a
// saved account.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ACCOUNTS_SECRET_KEY, LEGACY_AUTH_ID_KEY, LEGACY_AUTH_TOKEN_KEY } from '../../src/accounts';
import { findFreePort } from '../../src/callbacks';
import { signCallbackHeaders } from '../../src/plivo/signature';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, SANDBOX_SUBACCOUNTS, Sandbox } from '../../src/sandbox';
import type { Services } from '../../src/services/container';
import type { Views } from '../../src/views';
import { activateExtension, pointAtSandbox, releaseSandboxAccount, removeSavedAccounts, until } from './util';

const [CUSTOMER_A] = SANDBOX_SUBACCOUNTS;
const MAIN = { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN };

describe('Accounts', function () {
  let services: Services;
  let views: Views;
  let sandbox: Sandbox;
  const config = () => vscode.workspace.getConfiguration('plivo');

  before(async function () {
    ({ services, views } = await activateExtension());
    await services.sandbox.stop();
    await removeSavedAccounts(services);
    sandbox = await pointAtSandbox();
  });

  after(async function () {
    await services.sandbox.stop();
    await services.listener.stop();
    await services.connection.resetTrustedHosts();
    await releaseSandboxAccount(services, sandbox);
  });

  async function shown(): Promise<{ text: string; keys: ReadonlyMap<string, boolean> }> {
    await views.account.rendered();
    return { text: views.account.item.text, keys: views.account.contextKeys };
  }

  it('switches between two saved accounts: connection, calls, status bar and context keys follow', async function () {
    const mainCall = sandbox.addCall({ from: '14155550001', to: '14155550002' });
    const subCall = sandbox.addCall({ authId: CUSTOMER_A.authId, from: '14155550003', to: '14155550004' });
    const main = await services.accounts.addOrUpdate({ ...MAIN, label: 'Production', verified: true });
    const sub = await services.accounts.addOrUpdate({
      authId: CUSTOMER_A.authId,
      authToken: CUSTOMER_A.authToken,
      label: 'Customer A',
      verified: true,
    });

    // The first saved account is active until another is chosen.
    assert.equal((await services.connection.current())?.account.id, main.id);
    await services.calls.refresh();
    assert.deepEqual(
      services.calls.calls.map((c) => c.callUuid),
      [mainCall.callUuid],
    );
    let { text, keys } = await shown();
    assert.equal(text, '$(account) Production');
    assert.equal(keys.get('plivo.hasSavedAccounts'), true);
    assert.equal(keys.get('plivo.hasStoredCredentials'), true);
    assert.equal(keys.get('plivo.mainAccountActive'), true);

    await services.accounts.setActive(sub.id);
    const connection = await services.connection.current();
    assert.equal(connection?.account.label, 'Customer A');
    assert.match(connection?.label ?? '', /^Customer A \(SA…0001\) · 127\.0\.0\.1:\d+$/);
    await services.calls.refresh();
    assert.deepEqual(
      services.calls.calls.map((c) => c.callUuid),
      [subCall.callUuid],
    );
    ({ text, keys } = await shown());
    assert.equal(text, '$(account) Customer A');
    assert.equal(keys.get('plivo.mainAccountActive'), false, 'a subaccount has no subaccounts to list');
    assert.match(String(views.calls.view.description), /^Customer A/);
  });

  it('the offline sandbox becomes the active account and stopping it brings back the saved choice intact', async function () {
    const before = await services.accounts.list();
    await services.sandbox.start();
    await until('the Sandbox is active', async () =>
      (await services.accounts.active())?.kind === 'sandbox' ? true : undefined,
    );
    assert.equal((await shown()).text, '$(beaker) Sandbox');
    assert.equal((await services.connection.current())?.client.baseUrl, services.sandbox.active?.url);
    await services.sandbox.stop();
    const after = await services.accounts.list();
    assert.deepEqual(after, before, 'saved accounts and the active one are unchanged');
    assert.equal((await shown()).text, '$(account) Customer A');
    // The token sits in the account list of SecretStorage, nowhere in settings or global state.
    assert.ok((await services.context.secrets.get(ACCOUNTS_SECRET_KEY))?.includes(CUSTOMER_A.authToken));
    for (const key of services.context.globalState.keys()) {
      assert.ok(!JSON.stringify(services.context.globalState.get(key)).includes(CUSTOMER_A.authToken), key);
    }
  });

  it("the sandbox's subaccounts are accounts while it runs, against the sandbox, and go when it stops", async function () {
    const saved = await services.accounts.list();
    await services.sandbox.start();
    const sub = await until('the sandbox subaccount is listed', async () =>
      (await services.accounts.list()).find((a) => a.kind === 'sandbox' && a.authId === CUSTOMER_A.authId),
    );
    assert.equal(sub.label, 'Sandbox · Customer A');
    await services.accounts.setActive(sub.id);
    const connection = await services.connection.current();
    assert.equal(connection?.client.baseUrl, services.sandbox.active?.url);
    assert.equal(connection?.client.authId, CUSTOMER_A.authId);
    assert.equal((await shown()).text, '$(beaker) Sandbox · Customer A');
    await services.sandbox.stop();
    assert.deepEqual(await services.accounts.list(), saved);
  });

  it("a received callback's signature names the saved account whose token made it", async function () {
    const port = await findFreePort(20_000 + Math.floor(Math.random() * 30_000));
    const listenerUrl = await services.listener.start(port);
    assert.ok(listenerUrl);
    const path = '/plivo/recording';
    const params = { CallUUID: 'c-1', RecordUrl: 'https://example.com/r.mp3', RecordingID: 'r-1' };
    // Signed with the main account's token while the subaccount is the active one.
    const response = await fetch(listenerUrl + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signCallbackHeaders('POST', listenerUrl + path, params, MAIN.authToken),
      },
      body: new URLSearchParams(params).toString(),
    });
    assert.equal(response.status, 200);
    const { id } = (await response.json()) as { id: string };
    const stored = await until('the callback is stored', () => services.callbacks.get(id));
    assert.equal(stored.signature.state, 'valid', stored.signature.detail);
    assert.match(stored.signature.detail, /Auth Token of Production \(MA…0001\)/);
    await services.listener.stop();
  });

  it('a host other than Plivo or loopback gets no token until allowed; plain http to it never', async function () {
    await config().update('apiBaseUrl', 'https://plivo-proxy.example.com', vscode.ConfigurationTarget.Global);
    await assert.rejects(services.connection.current(), { name: 'ApiHostNotTrustedError', insecure: false });
    await services.connection.trustHost('plivo-proxy.example.com');
    assert.equal((await services.connection.current())?.client.baseUrl, 'https://plivo-proxy.example.com');
    await services.connection.resetTrustedHosts();
    await assert.rejects(services.connection.current(), { name: 'ApiHostNotTrustedError' });
    await config().update('apiBaseUrl', 'http://plivo-proxy.example.com', vscode.ConfigurationTarget.Global);
    await services.connection.trustHost('plivo-proxy.example.com');
    await assert.rejects(services.connection.current(), { name: 'ApiHostNotTrustedError', insecure: true });
    await services.connection.resetTrustedHosts();
    await config().update('apiBaseUrl', sandbox.url, vscode.ConfigurationTarget.Global);
  });

  it('migrates the single credential set of 0.1.0 into the first account, once', async function () {
    await removeSavedAccounts(services);
    const { secrets } = services.context;
    await secrets.store(LEGACY_AUTH_ID_KEY, MAIN.authId);
    await secrets.store(LEGACY_AUTH_TOKEN_KEY, MAIN.authToken);
    // As on the first activation of the new version: no account list yet.
    await secrets.delete(ACCOUNTS_SECRET_KEY);
    const migrated = await until('the 0.1.0 credentials are an account', async () =>
      (await services.accounts.list()).find((a) => a.authId === MAIN.authId),
    );
    assert.equal(migrated.kind, 'saved');
    assert.equal(migrated.active, true);
    assert.equal(migrated.label, 'Main account MA…0001');
    assert.equal(await secrets.get(LEGACY_AUTH_TOKEN_KEY), undefined, 'the old keys are gone');
    assert.equal((await services.connection.current())?.account.id, migrated.id);
  });
});
