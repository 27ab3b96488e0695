import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LiveCallsPager, PlivoClient, PlivoError, RequestLimiter, type RequestLogEntry } from '../../src/plivo';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';

const credentials = { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN };

/** Requests a client made, split into list pages and call details. */
function counter(log: RequestLogEntry[]): () => { lists: number; details: number } {
  let from = 0;
  return () => {
    const entries = log.slice(from);
    from = log.length;
    const lists = entries.filter((e) => e.path.endsWith('/Call/')).length;
    return { lists, details: entries.length - lists };
  };
}

function newClient(sandbox: Sandbox, log: RequestLogEntry[]): PlivoClient {
  return new PlivoClient({
    credentials,
    baseUrl: sandbox.url,
    onRequest: (entry) => log.push(entry),
    // This suite counts requests instead of pacing them (the sandbox's rate limit is off where it would matter).
    limiter: new RequestLimiter({ maxRequests: 1_000_000 }),
  });
}

describe('PlivoClient live call pages', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.start({
      liveCalls: [
        ...Array.from({ length: 25 }, () => ({ direction: 'inbound' as const })),
        { direction: 'outbound' as const, from: '14155550123' },
      ],
    });
  });
  after(() => sandbox.close());

  test('listLiveCallIds pages with limit and offset and says whether more may follow', async () => {
    const client = newClient(sandbox, []);
    const uuids = sandbox.liveCalls().map((c) => c.callUuid);
    assert.deepEqual(await client.listLiveCallIds(), { uuids: uuids.slice(0, 20), hasMore: true });
    assert.deepEqual(await client.listLiveCallIds({ offset: 20, limit: 10 }), {
      uuids: uuids.slice(20),
      hasMore: false,
    });
  });

  test('listLiveCallIds filters on the server by direction and number', async () => {
    const client = newClient(sandbox, []);
    const outbound = sandbox.liveCalls().filter((c) => c.direction === 'outbound');
    const byDirection = await client.listLiveCallIds({ filters: { callDirection: 'outbound' } });
    assert.deepEqual(
      byDirection.uuids,
      outbound.map((c) => c.callUuid),
    );
    const byNumber = await client.listLiveCallIds({ filters: { fromNumber: '+14155550123' } });
    assert.deepEqual(
      byNumber.uuids,
      outbound.map((c) => c.callUuid),
    );
    const inbound = await client.listLiveCallIds({ filters: { callDirection: 'inbound' }, offset: 20 });
    assert.equal(inbound.uuids.length, 5);
  });

  test('listLiveCallIds rejects bad paging and filters before sending anything', async () => {
    const log: RequestLogEntry[] = [];
    const client = newClient(sandbox, log);
    const bad = [
      { limit: 21 },
      { limit: 0 },
      { offset: -1 },
      { filters: { callDirection: 'sideways' as 'inbound' } },
      { filters: { toNumber: '415 555' } },
    ];
    for (const options of bad) {
      await assert.rejects(client.listLiveCallIds(options), (e: PlivoError) => e.code === 'invalid-argument');
    }
    assert.equal(log.length, 0);
  });

  test('getLiveCalls fetches the given calls in order and leaves out ended ones', async () => {
    const client = newClient(sandbox, []);
    const [a, b, c] = sandbox.liveCalls();
    sandbox.hangup(b.callUuid);
    const calls = await client.getLiveCalls([c.callUuid, b.callUuid, a.callUuid], { concurrency: 2 });
    assert.deepEqual(
      calls.map((call) => call.callUuid),
      [c.callUuid, a.callUuid],
    );
  });
});

describe('LiveCallsPager against the sandbox with 5,000 live calls', () => {
  let sandbox: Sandbox;
  let log: RequestLogEntry[];
  let pager: LiveCallsPager;
  let requests: () => { lists: number; details: number };

  before(async () => {
    sandbox = await Sandbox.start({ liveCalls: 5000, rateLimit: false });
    log = [];
    pager = new LiveCallsPager(newClient(sandbox, log));
    requests = counter(log);
  });
  after(() => sandbox.close());

  const shownUuids = (): string[] => pager.snapshot().calls.map((c) => c.callUuid);

  test('the first refresh shows 200 calls, fetches only their details, and counts all 5,000', async () => {
    const changes: number[] = [];
    const subscription = pager.onDidChange((snapshot) => changes.push(snapshot.shown));
    const snapshot = await pager.refresh();
    subscription.dispose();
    assert.equal(snapshot.shown, 200);
    assert.equal(snapshot.totalKnown, 5000);
    assert.equal(snapshot.complete, false);
    assert.deepEqual(
      shownUuids(),
      sandbox
        .liveCalls()
        .slice(0, 200)
        .map((c) => c.callUuid),
    );
    // Plivo sends no total: the count ends at the first page that is not full, here an empty 251st.
    assert.deepEqual(requests(), { lists: 251, details: 200 });
    assert.equal(changes[0], 20, 'the first page shows as soon as it arrives');
    assert.equal(changes[changes.length - 1], 200);
  });

  test('later polls list the shown range and fetch details only of calls not seen before; ended calls drop out', async () => {
    const ended = shownUuids().slice(5, 8);
    for (const uuid of ended) sandbox.hangup(uuid);
    const snapshot = await pager.refresh();
    assert.equal(snapshot.shown, 200);
    assert.equal(snapshot.totalKnown, 5000, 'the count is refreshed at the slower cadence');
    assert.ok(ended.every((uuid) => !shownUuids().includes(uuid)));
    // 10 pages of 20, one probe for more, and the details of the 3 calls that moved into the first 200.
    assert.deepEqual(requests(), { lists: 11, details: 3 });
  });

  test('repeated refreshes while one runs coalesce into it', async () => {
    const all = await Promise.all([pager.refresh(), pager.refresh('user'), pager.refresh(), pager.refresh()]);
    assert.ok(all.every((snapshot) => snapshot === all[0]));
    assert.deepEqual(requests(), { lists: 11, details: 0 });
  });

  test('"Load more" shows 200 more calls, fetching only the new ones', async () => {
    const snapshot = await pager.loadMore();
    assert.equal(snapshot.shown, 400);
    assert.equal(snapshot.complete, false);
    assert.deepEqual(requests(), { lists: 21, details: 200 });
  });

  test('every sixth refresh re-fetches the details of known calls and counts again', async () => {
    const ended = shownUuids().slice(0, 10);
    for (const uuid of ended) sandbox.hangup(uuid);
    await pager.refresh(); // the fifth since the first
    await pager.refresh();
    requests();
    const snapshot = await pager.refresh(); // the sixth since the first
    assert.equal(snapshot.totalKnown, 4987);
    // 20 pages shown, then 4,587 more UUIDs counted in 230 pages.
    assert.deepEqual(requests(), { lists: 20 + 230, details: 400 });
  });

  test('server-side filters start over and show only matching calls', async () => {
    const inbound = sandbox.liveCalls().filter((c) => c.direction === 'inbound');
    const snapshot = await pager.setFilters({ callDirection: 'inbound' });
    assert.equal(snapshot.shown, 200);
    assert.equal(snapshot.totalKnown, inbound.length);
    assert.ok(snapshot.calls.every((c) => c.direction === 'inbound'));
    assert.deepEqual(snapshot.filters, { callDirection: 'inbound' });
    const number = inbound[300].from;
    const byNumber = await pager.setFilters({ fromNumber: number });
    const expected = sandbox.liveCalls().filter((c) => c.from === number);
    assert.deepEqual(byNumber.calls.map((c) => c.callUuid).sort(), expected.map((c) => c.callUuid).sort());
    assert.equal(byNumber.complete, true);
    assert.equal(byNumber.totalKnown, expected.length);
  });
});

describe('LiveCallsPager on a small account', () => {
  test('shows every call and says the list is complete', async () => {
    const sandbox = await Sandbox.start({ liveCalls: 30 });
    try {
      const log: RequestLogEntry[] = [];
      const pager = new LiveCallsPager(newClient(sandbox, log));
      const snapshot = await pager.refresh();
      assert.deepEqual(
        { shown: snapshot.shown, totalKnown: snapshot.totalKnown, complete: snapshot.complete },
        { shown: 30, totalKnown: 30, complete: true },
      );
      assert.deepEqual(counter(log)(), { lists: 2, details: 30 });
    } finally {
      await sandbox.close();
    }
  });

  test('changing the filters during a refresh cancels it and starts over with the new filters', async () => {
    const sandbox = await Sandbox.start({ liveCalls: 90 });
    try {
      const pager = new LiveCallsPager(newClient(sandbox, []));
      const outbound = sandbox.liveCalls().filter((c) => c.direction === 'outbound');
      const first = pager.refresh();
      const filtered = pager.setFilters({ callDirection: 'outbound' });
      const [, snapshot] = await Promise.all([first, filtered]);
      assert.deepEqual(
        snapshot.calls.map((c) => c.callUuid),
        outbound.map((c) => c.callUuid),
      );
      assert.deepEqual(pager.snapshot().calls, snapshot.calls);
      assert.equal(snapshot.complete, true);
    } finally {
      await sandbox.close();
    }
  });

  test('a refresh that fails keeps the calls shown and rejects with the client error', async () => {
    const sandbox = await Sandbox.start({ liveCalls: 3 });
    try {
      const pager = new LiveCallsPager(
        new PlivoClient({
          credentials,
          baseUrl: sandbox.url,
          retryDelayMs: () => 1,
          limiter: new RequestLimiter({ maxRequests: 1000 }),
        }),
      );
      await pager.refresh();
      sandbox.failNext({ status: 401, body: { api_id: 'x', error: 'denied' } });
      await assert.rejects(pager.refresh(), (e: PlivoError) => e.code === 'unauthorized');
      assert.equal(pager.snapshot().shown, 3);
    } finally {
      await sandbox.close();
    }
  });
});
