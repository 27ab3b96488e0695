import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNTS_SECRET_KEY,
  AccountStore,
  AccountStoreError,
  ENVIRONMENT_ACCOUNT_ID,
  LEGACY_AUTH_ID_KEY,
  LEGACY_AUTH_TOKEN_KEY,
  SANDBOX_ACCOUNT_ID,
  defaultAccountLabel,
  environmentCredentials,
  sandboxSubaccountId,
} from '../../src/accounts';
import { MemorySecrets } from './helpers/memorySecrets';
import { rejectsWithCode } from './helpers/rejects';

const MAIN = { authId: 'MAXXXXXXXXXXXXXX0001', authToken: 'MainToken0000000000000000000000000000001' };
const SUB = { authId: 'SAXXXXXXXXXXXXXX0001', authToken: 'SubToken00000000000000000000000000000001' };
const OTHER = { authId: 'MAYYYYYYYYYYYYYY0002', authToken: 'OtherToken000000000000000000000000000002' };
const SANDBOX = { authId: 'MASANDBOX00000000001', authToken: 'SandboxDemoToken000000000000000000000000' };
const NOW = new Date('2026-11-25T10:00:00Z');

function storeOver(secrets: MemorySecrets, environment?: { authId: string; authToken: string }): AccountStore {
  return new AccountStore({ secrets, environment, now: () => NOW });
}

describe('default labels', () => {
  test('name the kind of account and mask the Auth ID to its first 2 and last 4 characters', () => {
    assert.equal(defaultAccountLabel(MAIN.authId), 'Main account MA…0001');
    assert.equal(defaultAccountLabel(SUB.authId), 'Subaccount SA…0001');
  });
});

describe('AccountStore', () => {
  test('add, list, switch and remove; tokens only through credentialsFor', async () => {
    const secrets = new MemorySecrets();
    const store = storeOver(secrets);
    assert.deepEqual(await store.list(), []);
    assert.equal(await store.active(), undefined);

    const main = await store.addOrUpdate({ ...MAIN, verified: true });
    const sub = await store.addOrUpdate({ ...SUB, label: 'Customer A', verified: false });
    assert.equal(main.label, 'Main account MA…0001');
    assert.equal(main.verifiedAt, NOW.toISOString());
    assert.equal(sub.isSubaccount, true);
    assert.equal(sub.verifiedAt, undefined);

    const listed = await store.list();
    assert.deepEqual(
      listed.map((a) => [a.label, a.maskedAuthId, a.kind, a.verified, a.active]),
      [
        ['Main account MA…0001', 'MA…0001', 'saved', true, true],
        ['Customer A', 'SA…0001', 'saved', false, false],
      ],
    );
    assert.ok(!JSON.stringify(listed).includes(MAIN.authToken), 'list() must not expose tokens');
    assert.deepEqual(await store.credentialsFor(sub.id), SUB);

    await store.setActive(sub.id);
    assert.equal((await store.active())?.id, sub.id);
    assert.deepEqual((await store.activeCredentials())?.credentials, SUB);

    await store.remove(sub.id);
    assert.equal((await store.active())?.id, main.id, 'removing the active account falls back to another');
    assert.deepEqual(
      (await store.list()).map((a) => a.id),
      [main.id],
    );
    assert.equal(await store.credentialsFor(sub.id), undefined);
  });

  test('everything, tokens included, lives in one secret and survives a new store', async () => {
    const secrets = new MemorySecrets();
    const first = storeOver(secrets);
    const main = await first.addOrUpdate({ ...MAIN, verified: true });
    const other = await first.addOrUpdate({ ...OTHER, label: 'Staging', verified: true, activate: true });
    assert.deepEqual([...secrets.values.keys()], [ACCOUNTS_SECRET_KEY]);

    const second = storeOver(secrets);
    assert.equal((await second.active())?.id, other.id);
    assert.deepEqual(await second.credentialsFor(main.id), MAIN);
    assert.equal((await second.list())[1].label, 'Staging');
  });

  test('the same Auth ID updates the account in place and keeps its id and label', async () => {
    const store = storeOver(new MemorySecrets());
    const first = await store.addOrUpdate({ ...MAIN, label: 'Production', verified: false });
    const second = await store.addOrUpdate({ authId: MAIN.authId, authToken: 'Rotated', verified: true });
    assert.equal(second.id, first.id);
    assert.equal(second.label, 'Production');
    assert.equal(second.verified, true);
    assert.equal((await store.list()).length, 1);
    assert.deepEqual(await store.credentialsFor(first.id), { authId: MAIN.authId, authToken: 'Rotated' });
    const renamed = await store.addOrUpdate({ ...MAIN, label: '  Prod  ', verified: true });
    assert.equal(renamed.label, 'Prod');
  });

  test('bad credentials are refused before anything is written', async () => {
    const secrets = new MemorySecrets();
    const store = storeOver(secrets);
    await assert.rejects(store.addOrUpdate({ authId: 'nope', authToken: 'x', verified: false }), /Auth ID/);
    assert.equal(secrets.writes, 0);
  });

  test('unknown ids and virtual accounts are refused with a clear error', async () => {
    const store = storeOver(new MemorySecrets(), MAIN);
    await rejectsWithCode(store.setActive('missing'), AccountStoreError, 'unknown-account');
    await rejectsWithCode(store.remove('missing'), AccountStoreError, 'unknown-account');
    const error = await rejectsWithCode(store.remove(ENVIRONMENT_ACCOUNT_ID), AccountStoreError, 'not-allowed');
    assert.match(error.message, /PLIVO_AUTH_ID/);
    await rejectsWithCode(store.setActive(SANDBOX_ACCOUNT_ID), AccountStoreError, 'unknown-account');
  });

  test('two quick adds are both kept', async () => {
    const secrets = new MemorySecrets();
    secrets.storeDelayMs = 20;
    const store = storeOver(secrets);
    await Promise.all([
      store.addOrUpdate({ ...MAIN, verified: true }),
      store.addOrUpdate({ ...SUB, verified: true }),
      store.addOrUpdate({ ...OTHER, verified: true }),
    ]);
    const reread = storeOver(secrets);
    assert.deepEqual(
      (await reread.list()).map((a) => a.authId),
      [MAIN.authId, SUB.authId, OTHER.authId],
    );
  });

  test('listeners hear every change and can stop listening', async () => {
    const store = storeOver(new MemorySecrets());
    let heard = 0;
    const subscription = store.onDidChange(() => heard++);
    const main = await store.addOrUpdate({ ...MAIN, verified: true, activate: true });
    await store.setActive(main.id); // already the saved choice: nothing changes
    await store.setSandbox(SANDBOX);
    await store.setActive(SANDBOX_ACCOUNT_ID);
    assert.equal(heard, 3);
    subscription.dispose();
    await store.remove(main.id);
    assert.equal(heard, 3);
  });

  describe('Environment and Sandbox accounts', () => {
    test('environmentCredentials needs both variables and trims them', () => {
      assert.deepEqual(environmentCredentials({ PLIVO_AUTH_ID: ` ${MAIN.authId} `, PLIVO_AUTH_TOKEN: 'tok\n' }), {
        authId: MAIN.authId,
        authToken: 'tok',
      });
      assert.equal(environmentCredentials({ PLIVO_AUTH_ID: MAIN.authId }), undefined);
    });

    test('the Environment account is listed, usable, and never written nor overwrites a saved one', async () => {
      const secrets = new MemorySecrets();
      const envCredentials = { authId: MAIN.authId, authToken: 'EnvToken' };
      const store = storeOver(secrets, envCredentials);
      assert.equal((await store.active())?.id, ENVIRONMENT_ACCOUNT_ID, 'with nothing saved, Environment is used');
      assert.equal(secrets.writes, 0);

      const saved = await store.addOrUpdate({ ...MAIN, verified: true });
      assert.equal((await store.active())?.id, saved.id, 'a saved account wins over the environment');
      assert.deepEqual(
        (await store.list()).map((a) => [a.id, a.label, a.kind]),
        [
          [saved.id, 'Main account MA…0001', 'saved'],
          [ENVIRONMENT_ACCOUNT_ID, 'Environment', 'environment'],
        ],
      );
      await store.setActive(ENVIRONMENT_ACCOUNT_ID);
      assert.deepEqual((await store.activeCredentials())?.credentials, envCredentials);
      assert.deepEqual(await store.credentialsFor(saved.id), MAIN, 'the saved token is untouched');
      assert.ok(!secrets.values.get(ACCOUNTS_SECRET_KEY)?.includes('EnvToken'), 'env token never persisted');

      // Without the variables the saved choice falls back to a saved account.
      assert.equal((await storeOver(secrets).active())?.id, saved.id);
    });

    test('selecting the Sandbox and switching back restores the saved account untouched', async () => {
      const secrets = new MemorySecrets();
      const store = storeOver(secrets);
      await store.addOrUpdate({ ...MAIN, verified: true });
      const other = await store.addOrUpdate({ ...OTHER, verified: true, activate: true });
      const blobBefore = secrets.values.get(ACCOUNTS_SECRET_KEY);
      const writesBefore = secrets.writes;

      await store.setSandbox(SANDBOX);
      await store.setActive(SANDBOX_ACCOUNT_ID);
      const active = await store.active();
      assert.equal(active?.label, 'Sandbox');
      assert.deepEqual((await store.activeCredentials())?.credentials, SANDBOX);
      assert.equal(secrets.writes, writesBefore, 'the sandbox is never written');
      assert.equal(secrets.values.get(ACCOUNTS_SECRET_KEY), blobBefore);
      assert.equal((await storeOver(secrets).active())?.id, other.id, 'a restart does not land in the sandbox');

      await store.setActive(other.id);
      assert.equal((await store.active())?.id, other.id);
      assert.deepEqual(await store.credentialsFor(other.id), OTHER);
      assert.equal(secrets.values.get(ACCOUNTS_SECRET_KEY), blobBefore);
    });

    test('stopping the sandbox deselects it and brings back the saved choice', async () => {
      const store = storeOver(new MemorySecrets());
      const main = await store.addOrUpdate({ ...MAIN, verified: true });
      await store.setSandbox(SANDBOX);
      await store.setActive(SANDBOX_ACCOUNT_ID);
      await store.setSandbox(undefined);
      assert.equal((await store.active())?.id, main.id);
      assert.deepEqual(
        (await store.list()).map((a) => a.kind),
        ['saved'],
      );
    });

    test('the sandbox’s subaccounts are virtual accounts too, and deselected when they go away', async () => {
      const secrets = new MemorySecrets();
      const store = storeOver(secrets);
      const main = await store.addOrUpdate({ ...MAIN, verified: true });
      await store.setSandbox(SANDBOX, [{ ...SUB, name: 'Customer A' }]);
      const subId = sandboxSubaccountId(SUB.authId);
      assert.deepEqual(
        (await store.list()).map((a) => [a.id, a.label, a.kind, a.isSubaccount]),
        [
          [main.id, 'Main account MA…0001', 'saved', false],
          [SANDBOX_ACCOUNT_ID, 'Sandbox', 'sandbox', false],
          [subId, 'Sandbox · Customer A', 'sandbox', true],
        ],
      );
      const writes = secrets.writes;
      await store.setActive(subId);
      assert.deepEqual((await store.activeCredentials())?.credentials, SUB);
      assert.equal(secrets.writes, writes);

      await store.setSandbox(SANDBOX); // restarted without that subaccount
      assert.equal((await store.active())?.id, main.id);
    });

    test('a sandbox with a saved Auth ID does not replace the saved account', async () => {
      const store = storeOver(new MemorySecrets());
      const saved = await store.addOrUpdate({ authId: SANDBOX.authId, authToken: 'RealLooking', verified: true });
      await store.setSandbox(SANDBOX);
      await store.setActive(SANDBOX_ACCOUNT_ID);
      assert.deepEqual(await store.credentialsFor(saved.id), { authId: SANDBOX.authId, authToken: 'RealLooking' });
      assert.deepEqual(await store.credentialsFor(SANDBOX_ACCOUNT_ID), SANDBOX);
    });

    test('allTokens covers saved, Environment and Sandbox accounts', async () => {
      const store = storeOver(new MemorySecrets(), OTHER);
      const main = await store.addOrUpdate({ ...MAIN, label: 'Production', verified: true });
      await store.setSandbox(SANDBOX);
      assert.deepEqual(await store.allTokens(), [
        { accountId: main.id, label: 'Production', authId: MAIN.authId, token: MAIN.authToken },
        { accountId: ENVIRONMENT_ACCOUNT_ID, label: 'Environment', authId: OTHER.authId, token: OTHER.authToken },
        { accountId: SANDBOX_ACCOUNT_ID, label: 'Sandbox', authId: SANDBOX.authId, token: SANDBOX.authToken },
      ]);
    });
  });

  describe('migration from the single credential set of 0.1.0', () => {
    function legacySecrets(): MemorySecrets {
      const secrets = new MemorySecrets();
      secrets.values.set(LEGACY_AUTH_ID_KEY, SUB.authId);
      secrets.values.set(LEGACY_AUTH_TOKEN_KEY, SUB.authToken);
      return secrets;
    }

    test('becomes the first, active account; the old keys go once the list is written', async () => {
      const secrets = legacySecrets();
      const store = storeOver(secrets);
      const [account] = await store.list();
      assert.equal(account.label, 'Subaccount SA…0001');
      assert.equal(account.active, true);
      assert.equal(account.verified, false);
      assert.deepEqual(await store.credentialsFor(account.id), SUB);
      assert.deepEqual([...secrets.values.keys()], [ACCOUNTS_SECRET_KEY]);
      assert.equal((await storeOver(secrets).list())[0].id, account.id, 'migrates once');
    });

    test('when the list cannot be written, the old keys stay and the error says why', async () => {
      const secrets = legacySecrets();
      secrets.failStore = true;
      const store = storeOver(secrets);
      const error = await rejectsWithCode(store.list(), AccountStoreError, 'keychain');
      assert.match(error.message, /Nothing was saved in plain text/);
      assert.ok(error.helpUrl);
      assert.equal(secrets.values.get(LEGACY_AUTH_ID_KEY), SUB.authId);
      assert.equal(secrets.values.get(LEGACY_AUTH_TOKEN_KEY), SUB.authToken);

      secrets.failStore = false; // the keychain is unlocked: the next read migrates
      assert.deepEqual(
        (await store.list()).map((a) => a.authId),
        [SUB.authId],
      );
      assert.equal(secrets.values.has(LEGACY_AUTH_ID_KEY), false);
    });

    test('an existing list wins over leftover 0.1.0 keys', async () => {
      const secrets = legacySecrets();
      secrets.failDelete = true;
      await storeOver(secrets).list(); // migrated, but the old keys could not be deleted
      secrets.failDelete = false;
      const store = storeOver(secrets);
      await store.addOrUpdate({ ...MAIN, verified: true });
      assert.deepEqual(
        (await storeOver(secrets).list()).map((a) => a.authId),
        [SUB.authId, MAIN.authId],
      );
      await store.forgetAll();
      assert.deepEqual([...secrets.values.keys()], []);
      assert.deepEqual(await storeOver(secrets).list(), []);
    });
  });

  describe('keychain failures', () => {
    test('a failed write keeps the previous accounts and selection', async () => {
      const secrets = new MemorySecrets();
      const store = storeOver(secrets);
      const main = await store.addOrUpdate({ ...MAIN, verified: true });
      const other = await store.addOrUpdate({ ...OTHER, verified: true });
      await store.setSandbox(SANDBOX);
      await store.setActive(SANDBOX_ACCOUNT_ID);
      secrets.failStore = true;
      await rejectsWithCode(store.addOrUpdate({ ...SUB, verified: true }), AccountStoreError, 'keychain');
      await rejectsWithCode(store.setActive(other.id), AccountStoreError, 'keychain');
      assert.equal((await store.active())?.id, SANDBOX_ACCOUNT_ID, 'still in the sandbox');
      assert.deepEqual(
        (await store.list()).map((a) => a.id),
        [main.id, other.id, SANDBOX_ACCOUNT_ID],
      );
      secrets.failStore = false;
      await store.addOrUpdate({ ...SUB, verified: true }); // the queue is not stuck after a failure
    });

    test('a failed read is a typed error, and the next read tries again', async () => {
      const secrets = new MemorySecrets();
      secrets.failGet = true;
      const store = storeOver(secrets);
      await rejectsWithCode(store.list(), AccountStoreError, 'keychain');
      secrets.failGet = false;
      assert.deepEqual(await store.list(), []);
    });

    test('an unreadable list is reported and left as it is', async () => {
      const secrets = new MemorySecrets();
      secrets.values.set(ACCOUNTS_SECRET_KEY, '{"version":2}');
      const store = storeOver(secrets);
      const error = await rejectsWithCode(
        store.addOrUpdate({ ...MAIN, verified: true }),
        AccountStoreError,
        'unreadable',
      );
      assert.match(error.message, /left unchanged/);
      assert.equal(secrets.values.get(ACCOUNTS_SECRET_KEY), '{"version":2}');
      await store.forgetAll(); // the way out, e.g. from a sign-out command
      assert.deepEqual(await store.list(), []);
    });

    test('reload re-reads what another window wrote', async () => {
      const secrets = new MemorySecrets();
      const mine = storeOver(secrets);
      const theirs = storeOver(secrets);
      assert.deepEqual(await mine.list(), []);
      await theirs.addOrUpdate({ ...MAIN, verified: true });
      assert.deepEqual(await mine.list(), []);
      await mine.reload();
      assert.equal((await mine.list()).length, 1);
    });
  });
});
