import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PlivoClient, PlivoError, listSubaccountBatch, type PlivoCredentials } from '../../src/plivo';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, SANDBOX_SUBACCOUNTS, Sandbox } from '../../src/sandbox';
import { rejectsWithCode } from './helpers/rejects';

const MAIN: PlivoCredentials = { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN };
const [CUSTOMER_A, CUSTOMER_B] = SANDBOX_SUBACCOUNTS;

describe('Account and Subaccount API against the sandbox', () => {
  let sandbox: Sandbox;
  const clientFor = (credentials: PlivoCredentials) =>
    new PlivoClient({ credentials, baseUrl: sandbox.url, timeoutMs: 2000, retryDelayMs: () => 10 });

  before(async () => {
    sandbox = await Sandbox.start({ timeScale: 0.01 });
  });
  after(async () => {
    await sandbox.close();
  });

  test('getAccount returns the name and type that can pre-fill a label', async () => {
    const account = await clientFor(MAIN).getAccount();
    assert.deepEqual(account, {
      authId: SANDBOX_AUTH_ID,
      name: 'Sandbox demo account',
      accountType: 'standard',
      billingMode: 'prepaid',
      timezone: 'UTC',
    });
    assert.equal(sandbox.requests.at(-1)?.path, `/v1/Account/${SANDBOX_AUTH_ID}/`);
  });

  test('listSubaccounts lists the main account’s subaccounts without their tokens', async () => {
    const page = await clientFor(MAIN).listSubaccounts();
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(page.subaccounts, [
      { authId: CUSTOMER_A.authId, name: 'Customer A', enabled: true, created: today, modified: undefined },
      { authId: CUSTOMER_B.authId, name: 'Customer B', enabled: true, created: today, modified: undefined },
    ]);
    assert.deepEqual(page.meta, { totalCount: 2, limit: 20, offset: 0, next: null, previous: null });
    assert.ok(!JSON.stringify(page).includes(CUSTOMER_A.authToken));
    assert.deepEqual(sandbox.requests.at(-1)?.query, { limit: '20', offset: '0' });
  });

  test('listSubaccounts pages with limit and offset', async () => {
    const page = await clientFor(MAIN).listSubaccounts({ limit: 1, offset: 1 });
    assert.deepEqual(
      page.subaccounts.map((s) => s.authId),
      [CUSTOMER_B.authId],
    );
    assert.equal(page.meta.totalCount, 2);
    assert.equal(page.meta.next, null);
    assert.equal(page.meta.previous, `/v1/Account/${SANDBOX_AUTH_ID}/Subaccount/?limit=1&offset=0`);
  });

  test('a limit outside 1..20 is refused before any request', async () => {
    const before = sandbox.requests.length;
    await rejectsWithCode(clientFor(MAIN).listSubaccounts({ limit: 21 }), PlivoError, 'invalid-argument');
    await rejectsWithCode(clientFor(MAIN).listSubaccounts({ offset: -1 }), PlivoError, 'invalid-argument');
    assert.equal(sandbox.requests.length, before);
  });

  test('getSubaccount returns its Auth Token, which then works on the other routes', async () => {
    const subaccount = await clientFor(MAIN).getSubaccount(CUSTOMER_A.authId);
    assert.equal(subaccount.name, 'Customer A');
    assert.equal(subaccount.authToken, CUSTOMER_A.authToken);
    const sub = clientFor({ authId: subaccount.authId, authToken: subaccount.authToken });
    await sub.verifyCredentials();
    assert.equal((await sub.getAccount()).name, 'Customer A');
  });

  test('getSubaccount refuses Auth IDs that are not subaccounts, and 404s unknown ones', async () => {
    await rejectsWithCode(clientFor(MAIN).getSubaccount(SANDBOX_AUTH_ID), PlivoError, 'invalid-argument');
    await rejectsWithCode(clientFor(MAIN).getSubaccount('SA../../Call'), PlivoError, 'invalid-argument');
    const error = await rejectsWithCode(clientFor(MAIN).getSubaccount('SAUNKNOWN00000000009'), PlivoError, 'not-found');
    assert.match(error.message, /SAUNKNOWN00000000009/);
  });

  test('a subaccount cannot list subaccounts', async () => {
    await rejectsWithCode(clientFor(CUSTOMER_A).listSubaccounts(), PlivoError, 'forbidden');
  });

  test('a wrong subaccount token is rejected', async () => {
    await rejectsWithCode(
      clientFor({ authId: CUSTOMER_A.authId, authToken: CUSTOMER_B.authToken }).verifyCredentials(),
      PlivoError,
      'unauthorized',
    );
  });

  test('each account sees only its own calls and recordings', async () => {
    const callA = sandbox.addCall({ authId: CUSTOMER_A.authId }).callUuid;
    const callMain = sandbox.addCall().callUuid;
    const recordingB = sandbox.addRecording({ authId: CUSTOMER_B.authId }).recordingId;
    try {
      const a = clientFor(CUSTOMER_A);
      const b = clientFor(CUSTOMER_B);
      const main = clientFor(MAIN);
      assert.deepEqual(await a.listLiveCallUuids(), [callA]);
      assert.ok(!(await main.listLiveCallUuids()).includes(callA));
      assert.ok((await main.listLiveCallUuids()).includes(callMain));
      assert.deepEqual(await b.listLiveCallUuids(), []);
      await rejectsWithCode(b.getLiveCall(callA), PlivoError, 'not-found');
      assert.deepEqual(
        (await b.listRecordings()).recordings.map((r) => r.recordingId),
        [recordingB],
      );
      assert.deepEqual((await a.listRecordings()).recordings, []);
      await rejectsWithCode(main.getRecording(recordingB), PlivoError, 'not-found');
    } finally {
      sandbox.hangup(callA);
      sandbox.hangup(callMain);
    }
  });

  test('listSubaccountBatch reaches every subaccount of a large account, 100 (5 requests) at a time', async () => {
    const subaccounts = Array.from({ length: 230 }, (_, i) => ({
      authId: `SABATCH${String(i).padStart(13, '0')}`,
      authToken: `BatchToken${String(i).padStart(30, '0')}`,
      name: `Customer ${i}`,
      parentAuthId: SANDBOX_AUTH_ID,
    }));
    const large = await Sandbox.start({ accounts: [MAIN, ...subaccounts], timeScale: 0.01 });
    try {
      const client = new PlivoClient({ credentials: MAIN, baseUrl: large.url, timeoutMs: 2000 });
      const list = (options: { offset?: number }) => client.listSubaccounts(options);
      const seen: string[] = [];
      const offsets: Array<number | undefined> = [];
      let offset: number | undefined = 0;
      while (offset !== undefined) {
        const before = large.requests.length;
        const batch = await listSubaccountBatch(list, offset);
        assert.ok(large.requests.length - before <= 5, 'at most five requests per batch');
        seen.push(...batch.subaccounts.map((s) => s.authId));
        offsets.push((offset = batch.nextOffset));
      }
      assert.deepEqual(offsets, [100, 200, undefined]);
      assert.deepEqual(
        seen,
        subaccounts.map((s) => s.authId),
      );
    } finally {
      await large.close();
    }
  });

  test('listSubaccountBatch stops without an empty request when the list ends on a batch boundary', async () => {
    const before = sandbox.requests.length;
    const batch = await listSubaccountBatch((options) => clientFor(MAIN).listSubaccounts(options), 0);
    assert.deepEqual(
      batch.subaccounts.map((s) => s.authId),
      [CUSTOMER_A.authId, CUSTOMER_B.authId],
    );
    assert.equal(batch.nextOffset, undefined);
    assert.equal(sandbox.requests.length - before, 1);
  });

  test('the sandbox refuses a subaccount whose parent is not one of its main accounts', async () => {
    await assert.rejects(
      Sandbox.start({ accounts: [MAIN, { ...CUSTOMER_A, parentAuthId: 'MANOBODY000000000000' }] }),
      /not a main account of this sandbox/,
    );
  });
});
