import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, type Sandbox } from '../../src/sandbox';
import type { Services } from '../../src/services/container';
import type { Views } from '../../src/views';
import { activateExtension, releaseSandboxAccount, useSandboxAccount } from './util';

/** The most requests the sandbox received within any `windowMs`, among those from index `from` on. */
function busiestWindow(sandbox: Sandbox, from: number, windowMs = 5000): number {
  const times = sandbox.requests.slice(from).map((r) => r.at.getTime());
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('Calls at scale: pages, Load more, filters and one request budget', function () {
  this.timeout(120_000);
  let services: Services;
  let views: Views;
  let sandbox: Sandbox;
  const config = () => vscode.workspace.getConfiguration('plivo');
  const rootKinds = () => views.calls.tree.getChildren().map((n) => n.kind);

  before(async function () {
    ({ services, views } = await activateExtension());
    sandbox = await useSandboxAccount(services, { liveCalls: 520 });
  });

  after(async function () {
    await services.calls.setFilter(undefined);
    await config().update('api.maxRequestsPer5s', undefined, vscode.ConfigurationTarget.Global);
    await releaseSandboxAccount(services, sandbox);
  });

  it('shows the first 200 of 520 live calls, says so, and ends the list with Load more', async function () {
    await services.calls.refresh();
    assert.equal(services.calls.status.kind, 'loaded');
    assert.deepEqual(services.calls.page, { shown: 200, total: 520, complete: false });
    assert.equal(views.calls.view.message, '200 of 520 live calls');
    const kinds = rootKinds();
    assert.equal(kinds.filter((k) => k === 'call').length, 200);
    assert.equal(kinds.at(-1), 'more');
    const more = views.calls.tree.getTreeItem({ kind: 'more' });
    assert.equal(more.command?.command, 'plivo.loadMoreCalls');
    assert.equal(more.description, '200 of 520 live calls');
    // Details only for the calls shown: one request per shown call, none for the 320 others.
    const details = sandbox.requests.filter((r) => r.method === 'GET' && /\/Call\/[^/]+\/$/.test(r.path));
    assert.equal(new Set(details.map((r) => r.path)).size, 200);
  });

  it('Load more shows the next 200, then the rest, and the row goes', async function () {
    await vscode.commands.executeCommand('plivo.loadMoreCalls');
    assert.equal(services.calls.page.shown, 400);
    assert.equal(views.calls.view.message, '400 of 520 live calls');
    await vscode.commands.executeCommand('plivo.loadMoreCalls');
    assert.deepEqual(services.calls.page, { shown: 520, total: 520, complete: true });
    assert.equal(views.calls.view.message, undefined);
    assert.notEqual(rootKinds().at(-1), 'more');
  });

  it('filters by number on the server, and by call UUID with one request', async function () {
    const call = sandbox.addCall({ from: '14155550999', to: '12125550143', direction: 'inbound' });
    const before = sandbox.requests.length;
    await services.calls.setFilter({ kind: 'from', number: '14155550999' });
    assert.deepEqual(
      services.calls.calls.map((c) => c.callUuid),
      [call.callUuid],
    );
    const lists = sandbox.requests.slice(before).filter((r) => r.path.endsWith('/Call/'));
    assert.ok(lists.length > 0 && lists.every((r) => r.query.from_number === '14155550999'));
    assert.equal(views.calls.view.message, 'Filtered, from 14155550999: 1 live call');

    const other = sandbox.liveCalls()[300];
    const beforeUuid = sandbox.requests.length;
    await services.calls.setFilter({ kind: 'uuid', callUuid: other.callUuid });
    assert.deepEqual(
      services.calls.calls.map((c) => c.callUuid),
      [other.callUuid],
    );
    assert.equal(sandbox.requests.length - beforeUuid, 1);

    await services.calls.setFilter(undefined);
    assert.equal(services.calls.page.shown, 200);
  });

  it('every client of the account shares one limiter, sized by plivo.api.maxRequestsPer5s', async function () {
    await config().update('api.maxRequestsPer5s', 120, vscode.ConfigurationTarget.Global);
    const limiter = services.connection.limiterFor(sandbox.url, SANDBOX_AUTH_ID);
    assert.equal(limiter, services.connection.limiterFor(`${sandbox.url}/`, SANDBOX_AUTH_ID));
    assert.equal(limiter.maxRequests, 120);
    await config().update('api.maxRequestsPer5s', undefined, vscode.ConfigurationTarget.Global);
    assert.equal(limiter.maxRequests, 150);
  });

  it('Refresh clicked every 100 ms for 8 s stays within 150 requests per 5 s, never meets a 429, and clicks coalesce', async function () {
    const from = sandbox.requests.length;
    const clicks: Thenable<unknown>[] = [];
    const until = Date.now() + 8000;
    while (Date.now() < until) {
      clicks.push(vscode.commands.executeCommand('plivo.refreshCalls'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(clicks);
    const busiest = busiestWindow(sandbox, from);
    const firstPages = sandbox.requests.slice(from).filter((r) => r.path.endsWith('/Call/') && r.query.offset === '0');
    console.log(
      `      ${clicks.length} clicks → ${firstPages.length} refreshes, ${sandbox.requests.length - from} requests, busiest 5 s: ${busiest}`,
    );
    assert.ok(busiest <= 150, `busiest 5 s window held ${busiest} requests`);
    // The sandbox answers 429 beyond Plivo's 300 per 5 s, as Plivo does.
    assert.deepEqual(
      sandbox.requests.slice(from).filter((r) => r.status === 429),
      [],
    );
    assert.ok(firstPages.length < clicks.length / 2, `${firstPages.length} refreshes for ${clicks.length} clicks`);
  });

  /** The account's status-bar item once its budget redraw (at most 500 ms after a change) has run. */
  async function accountItem(): Promise<vscode.StatusBarItem> {
    await new Promise((resolve) => setTimeout(resolve, 700));
    return views.account.item;
  }

  it("the account's status-bar item counts the requests waiting for the budget, and stops once they went", async function () {
    await config().update('api.maxRequestsPer5s', 5, vscode.ConfigurationTarget.Global);
    const active = await services.connection.current();
    assert.ok(active);
    const uuid = sandbox.liveCalls()[0].callUuid;
    const requests = Array.from({ length: 12 }, () => active.client.getLiveCall(uuid));
    const waiting = await accountItem();
    assert.match(waiting.text, /^\$\(account\) .+ \$\(watch\) \d+$/);
    assert.match(
      String(waiting.tooltip),
      /\d+ requests wait for the request budget: the extension sends at most 5 per 5 s/,
    );
    assert.match(waiting.accessibilityInformation?.label ?? '', /requests waiting for the request budget$/);
    assert.equal(waiting.backgroundColor, undefined);
    await config().update('api.maxRequestsPer5s', undefined, vscode.ConfigurationTarget.Global);
    await Promise.all(requests);
    const done = await accountItem();
    assert.doesNotMatch(done.text, /watch/);
    assert.doesNotMatch(String(done.tooltip), /request budget/);
  });

  it("the account's status-bar item says when Plivo's rate limit (a 429) paused the account, and until when", async function () {
    const active = await services.connection.current();
    assert.ok(active);
    const uuid = sandbox.liveCalls()[0].callUuid;
    // The user's own app, on the same account, uses up Plivo's 300 requests per 5 s.
    const authorization = `Basic ${Buffer.from(`${SANDBOX_AUTH_ID}:${SANDBOX_AUTH_TOKEN}`).toString('base64')}`;
    const appRequest = `${sandbox.url}/v1/Account/${SANDBOX_AUTH_ID}/Call/${uuid}/?status=live`;
    const from = sandbox.requests.length;
    await Promise.all(
      Array.from({ length: 300 }, () => fetch(appRequest, { headers: { authorization } }).then((r) => r.text())),
    );
    const ours = active.client.getLiveCall(uuid);
    const refused = (): boolean =>
      sandbox.requests
        .slice(from)
        .some((r) => r.status === 429 && String(r.headers['user-agent']).startsWith('plivo-call-recording/'));
    for (const giveUp = Date.now() + 5000; !refused() && Date.now() < giveUp;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(refused(), "the sandbox refused the extension's request, as Plivo would");
    const paused = await accountItem();
    assert.match(paused.text, / \$\(debug-pause\) 429$/);
    assert.match(
      String(paused.tooltip),
      /Plivo answered 429 Too Many Requests: nothing more is sent to this account until \d{1,2}:\d\d:\d\d/,
    );
    assert.match(String(paused.tooltip), /300 requests per 5 s per account, shared by your own app/);
    assert.match(paused.accessibilityInformation?.label ?? '', /paused by Plivo's rate limit until/);
    assert.deepEqual(paused.backgroundColor, new vscode.ThemeColor('statusBarItem.warningBackground'));
    // A GET is tried again once the pause is over, and by then the app's requests have left Plivo's window.
    assert.equal((await ours).callUuid, uuid);
    const after = await accountItem();
    assert.doesNotMatch(after.text, /429|watch/);
    assert.equal(after.backgroundColor, undefined);
  });
});
