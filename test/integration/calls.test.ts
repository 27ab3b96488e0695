import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';
import type { Services } from '../../src/services/container';
import type { StartRecordingResult } from '../../src/plivo';
import type { Views } from '../../src/views';
import type { CallsTreeNode } from '../../src/views/callsTree';
import { activateExtension, releaseSandboxAccount, tooltipText, until, useSandboxAccount } from './util';

describe('Calls view, Record Call and Stop Recording against the sandbox', function () {
  let services: Services;
  let views: Views;
  let sandbox: Sandbox;
  const config = () => vscode.workspace.getConfiguration('plivo');

  before(async function () {
    ({ services, views } = await activateExtension());
    sandbox = await useSandboxAccount(services, { timeScale: 1 });
  });

  after(async function () {
    await services.recordings.clear();
    await releaseSandboxAccount(services, sandbox);
  });

  async function callNode(callUuid: string): Promise<CallsTreeNode> {
    await services.calls.refresh();
    const node = views.calls.tree.getChildren().find((n) => n.kind === 'call' && n.call.callUuid === callUuid);
    assert.ok(node, `call ${callUuid} is not in the Calls tree`);
    return node;
  }

  const lastApiRequest = (method: string) =>
    [...sandbox.requests].reverse().find((r) => r.method === method && r.path.includes('/Record/'));

  it('keeps the credentials in SecretStorage, and nowhere in settings or global state', async function () {
    const active = await services.accounts.activeCredentials();
    assert.equal(active?.account.kind, 'saved');
    assert.equal(active?.credentials.authId, SANDBOX_AUTH_ID);
    assert.ok((await services.context.secrets.get('plivo.accounts.v1'))?.includes(SANDBOX_AUTH_TOKEN));
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('plivo'));
    assert.ok(!settingsText.includes(SANDBOX_AUTH_TOKEN));
    for (const key of services.context.globalState.keys()) {
      assert.ok(
        !JSON.stringify(services.context.globalState.get(key)).includes(SANDBOX_AUTH_TOKEN),
        `token in globalState ${key}`,
      );
    }
    for (const key of services.context.workspaceState.keys()) {
      assert.ok(
        !JSON.stringify(services.context.workspaceState.get(key)).includes(SANDBOX_AUTH_TOKEN),
        `token in workspaceState ${key}`,
      );
    }
  });

  it('rejects a wrong token when verifying and keeps the stored credentials', async function () {
    const wrong = services.connection.createClient({
      authId: SANDBOX_AUTH_ID,
      authToken: 'WrongToken000000000000000000000000000000',
    });
    await assert.rejects(wrong.verifyCredentials(), (e: Error & { code?: string }) => e.code === 'unauthorized');
    assert.equal((await services.accounts.activeCredentials())?.credentials.authToken, SANDBOX_AUTH_TOKEN);
  });

  it('lists the sandbox live calls: the other number, direction in the icon, state and duration', async function () {
    const call = sandbox.addCall({ from: '14155550101', to: '14155550202', direction: 'inbound' });
    const node = await callNode(call.callUuid);
    const item = views.calls.tree.getTreeItem(node);
    assert.equal(item.label, '+1 415 555 0101');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'call-incoming');
    assert.equal(item.contextValue, 'call');
    assert.equal(item.id, `call:${call.callUuid}`);
    assert.match(String(item.description), /^live · \d+:\d\d$/);
    assert.match(
      String(item.accessibilityInformation?.label),
      /^Inbound call from \+1 415 555 0101 to \+1 415 555 0202, live/,
    );
    assert.equal(item.command?.command, 'plivo.recordCall', 'Enter on a call records it');
    const outbound = sandbox.addCall({ from: '14155550101', to: '442079460958', direction: 'outbound' });
    const outItem = views.calls.tree.getTreeItem(await callNode(outbound.callUuid));
    assert.equal(outItem.label, '+44 207 946 0958');
    assert.equal((outItem.iconPath as vscode.ThemeIcon).id, 'call-outgoing');
    // appendText escapes markdown punctuation such as '-'.
    assert.ok((item.tooltip as vscode.MarkdownString).value.replace(/\\/g, '').includes(call.callUuid));
  });

  it('Record Call with the defaults starts a recording that appears under its call', async function () {
    const call = sandbox.addCall();
    const result = (await vscode.commands.executeCommand(
      'plivo.recordCall',
      call.callUuid,
      {},
    )) as StartRecordingResult;
    assert.equal(result.kind, 'started');
    const request = lastApiRequest('POST');
    assert.equal(request?.status, 202);
    assert.deepEqual(request?.body, {});
    const node = await callNode(call.callUuid);
    assert.equal(views.calls.tree.getTreeItem(node).contextValue, 'call.recording');
    const [recording] = views.calls.tree.getChildren(node);
    const item = views.calls.tree.getTreeItem(recording);
    assert.equal(item.contextValue, 'recording.active');
    assert.match(String(item.description), /^recording · mp3 · 60 s limit$/);
  });

  it('Record Call sends every option of the Record API', async function () {
    const call = sandbox.addCall();
    const options = {
      timeLimit: 45,
      fileFormat: 'wav',
      transcriptionType: 'auto',
      transcriptionUrl: 'https://example.com/transcription',
      transcriptionMethod: 'GET',
      callbackUrl: 'http://127.0.0.1:9/unreachable',
      callbackMethod: 'GET',
    };
    const result = (await vscode.commands.executeCommand(
      'plivo.recordCall',
      call.callUuid,
      options,
    )) as StartRecordingResult;
    assert.equal(result.kind, 'async', 'callback_url puts the Record API in asynchronous mode');
    assert.deepEqual(lastApiRequest('POST')?.body, {
      time_limit: 45,
      file_format: 'wav',
      transcription_type: 'auto',
      transcription_url: 'https://example.com/transcription',
      transcription_method: 'GET',
      callback_url: 'http://127.0.0.1:9/unreachable',
      callback_method: 'GET',
    });
    const [recording] = views.calls.tree.getChildren(await callNode(call.callUuid));
    assert.equal(views.calls.tree.getTreeItem(recording).contextValue, 'recording.pending');
  });

  it('Stop Recording on a call stops all of its recordings', async function () {
    const call = sandbox.addCall();
    await vscode.commands.executeCommand('plivo.recordCall', call.callUuid, {});
    await vscode.commands.executeCommand('plivo.recordCall', call.callUuid, { fileFormat: 'wav' });
    const stopped = await vscode.commands.executeCommand('plivo.stopRecording', await callNode(call.callUuid));
    assert.equal(stopped, true);
    const request = lastApiRequest('DELETE');
    assert.equal(request?.status, 204);
    assert.deepEqual(request?.body, {});
    assert.deepEqual(
      sandbox.recordings(call.callUuid).map((r) => r.state),
      ['stopped', 'stopped'],
    );
    const node = await callNode(call.callUuid);
    assert.equal(views.calls.tree.getTreeItem(node).contextValue, 'call');
    assert.deepEqual(
      views.calls.tree.getChildren(node).map((n) => views.calls.tree.getTreeItem(n).contextValue),
      ['recording.stopped', 'recording.stopped'],
    );
  });

  it('Stop Recording on one recording sends its URL and leaves the others running', async function () {
    const call = sandbox.addCall();
    const first = (await vscode.commands.executeCommand('plivo.recordCall', call.callUuid, {})) as StartRecordingResult;
    await vscode.commands.executeCommand('plivo.recordCall', call.callUuid, {});
    assert.equal(first.kind, 'started');
    const recordingNode = views.calls.tree
      .getChildren(await callNode(call.callUuid))
      .find((n) => n.kind === 'recording' && first.kind === 'started' && n.recording.url === first.url);
    assert.ok(recordingNode);
    assert.equal(await vscode.commands.executeCommand('plivo.stopRecording', recordingNode), true);
    assert.deepEqual(lastApiRequest('DELETE')?.body, { URL: first.kind === 'started' ? first.url : '' });
    const states = sandbox
      .recordings(call.callUuid)
      .map((r) => r.state)
      .sort();
    assert.deepEqual(states, ['recording', 'stopped']);
  });

  it('an API failure records nothing and leaves the tree as it was', async function () {
    const call = sandbox.addCall();
    await callNode(call.callUuid);
    sandbox.hangup(call.callUuid);
    const before = services.recordings.all().length;
    const result = await vscode.commands.executeCommand('plivo.recordCall', call.callUuid, {});
    assert.equal(result, undefined);
    assert.equal(services.recordings.all().length, before);
    assert.equal(lastApiRequest('POST')?.status, 404);
    sandbox.failNext({ status: 500, body: { api_id: 'x', error: 'simulated outage' }, times: 3 });
    const known = services.calls.calls.length;
    await services.calls.refresh();
    assert.equal(services.calls.status.kind, 'error');
    assert.equal(services.calls.calls.length, known, 'a failed refresh keeps the last list');
    const [first] = views.calls.tree.getChildren();
    const errorRow = views.calls.tree.getTreeItem(first);
    assert.equal(errorRow.contextValue, 'calls.error', 'the error is a row with Retry and Show Log');
    assert.equal(errorRow.command?.command, 'plivo.refreshCalls');
    assert.match(String(errorRow.description), /simulated outage/);
    await services.calls.refresh();
    assert.notEqual(views.calls.tree.getChildren()[0]?.kind, 'error', 'the row goes once a refresh works');
  });

  it('polling waits twice as long after each failed refresh, and goes back to its interval once one works', async function () {
    await config().update('calls.refreshIntervalSeconds', 10, vscode.ConfigurationTarget.Global);
    try {
      // Polling runs while the view is visible; the model is told so directly, so that no other view (Recordings)
      // opens and takes the sandbox's failures meant for the Calls list.
      services.calls.setVisible(true);
      await services.calls.refresh();
      // Seconds until polling asks again by itself, as the error row's tooltip names it.
      const nextTryIn = (): number => {
        const status = services.calls.status;
        assert.equal(status.kind, 'error');
        assert.ok(status.retryAt !== undefined, 'a failed refresh says when polling tries again');
        return (status.retryAt - Date.now()) / 1000;
      };
      // Each refresh asks three times (the client's retries) before it fails.
      sandbox.failNext({ status: 503, body: { api_id: 'x', error: 'simulated outage' }, times: 9 });
      const waits: number[] = [];
      for (let i = 0; i < 3; i++) {
        await services.calls.refresh();
        waits.push(nextTryIn());
      }
      assert.deepEqual(
        waits.map((s) => Math.round(s / 10) * 10),
        [20, 40, 80],
        `waits after 1, 2 and 3 failures: ${waits.map((s) => s.toFixed(1)).join(', ')} s`,
      );
      const [first] = views.calls.tree.getChildren();
      const tooltip = tooltipText(views.calls.tree.getTreeItem(first).tooltip);
      assert.match(tooltip, /Failed 3 times in a row; the next automatic try is at /);
      await services.calls.refresh();
      assert.equal(services.calls.status.kind, 'loaded');
      sandbox.failNext({ status: 503, body: { api_id: 'x', error: 'simulated outage' }, times: 3 });
      await services.calls.refresh();
      assert.equal(Math.round(nextTryIn() / 10) * 10, 20, 'a refresh that worked ends the back-off');
      await services.calls.refresh();
    } finally {
      services.calls.setVisible(views.calls.view.visible);
      await config().update('calls.refreshIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
    }
  });

  it('a malformed plivo.apiBaseUrl shows in the view instead of failing silently', async function () {
    await config().update('apiBaseUrl', 'api.plivo.com', vscode.ConfigurationTarget.Global);
    try {
      await services.calls.refresh();
      const status = services.calls.status;
      assert.equal(status.kind, 'error');
      assert.match(
        String((status as { error: Error }).error.message),
        /API base URL: "api\.plivo\.com" is not an absolute URL/,
      );
    } finally {
      await config().update('apiBaseUrl', sandbox.url, vscode.ConfigurationTarget.Global);
    }
  });

  it('a "record done" callback from the sandbox marks the recording done in the tree', async function () {
    const port = await services.listener.start(0).then((url) => Number(new URL(url ?? '').port));
    assert.ok(port > 0);
    const call = sandbox.addCall();
    const callbackUrl = await services.urls.callbackUrl();
    await vscode.commands.executeCommand('plivo.recordCall', call.callUuid, { timeLimit: 1, callbackUrl });
    const recording = await until('the recording is done', () =>
      services.recordings.forCall(call.callUuid).find((r) => r.state === 'done' && r.url),
    );
    assert.ok(recording.url?.startsWith(sandbox.url));
    const stored = services.callbacks.list().find((c) => c.kind === 'record' && c.summary.callUuid === call.callUuid);
    assert.equal(stored?.signature.state, 'valid');
    await services.listener.stop();
  });
});
