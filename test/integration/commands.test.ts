import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { findFreePort } from '../../src/callbacks';
import type { LiveCall } from '../../src/plivo';
import type { Services } from '../../src/services/container';
import { activateExtension, EXTENSION_ID, removeSavedAccounts, until } from './util';

/**
 * Runs a command the way a person would reach it, and plays the person who closes whatever it asks
 * (quick inputs, notifications) until the command finishes. Fails if it throws.
 */
async function runDismissing(ran: Set<string>, id: string, ...args: unknown[]): Promise<unknown> {
  ran.add(id);
  let settled = false;
  const result = Promise.resolve(vscode.commands.executeCommand(id, ...args)).finally(() => (settled = true));
  await until(`${id} finishes`, async () => {
    if (settled) return true;
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('notifications.clearAll');
    return undefined;
  });
  return result;
}

describe('every contributed command runs in the extension host', function () {
  let services: Services;
  const ran = new Set<string>();

  before(async function () {
    ({ services } = await activateExtension());
    await removeSavedAccounts(services);
    await services.recordings.clear();
    // Empty, so that Clear Callbacks has nothing to confirm in a modal dialog.
    await services.callbacks.load();
    await services.callbacks.clear();
  });

  after(async function () {
    await services.sandbox.stop();
    await services.listener.stop();
    await vscode.workspace
      .getConfiguration('plivo')
      .update('listener.port', undefined, vscode.ConfigurationTarget.Global);
  });

  it('runs the account commands: add or set (cancelled), switch, remove and sign out (nothing saved), sandbox on', async function () {
    assert.equal(await runDismissing(ran, 'plivo.setCredentials'), undefined, 'cancelled at the first input box');
    assert.equal(await runDismissing(ran, 'plivo.addAccount'), undefined, 'cancelled at the first input box');
    assert.deepEqual(await services.accounts.list(), [], 'cancelling saves nothing');
    assert.equal(await runDismissing(ran, 'plivo.switchAccount'), undefined);
    assert.equal(await runDismissing(ran, 'plivo.removeAccount'), false);
    assert.equal(await runDismissing(ran, 'plivo.signOut'), false);
    assert.equal(await runDismissing(ran, 'plivo.allowApiHost'), true, "Plivo's own host needs no permission");
    await runDismissing(ran, 'plivo.resetTrustedApiHosts');
    await runDismissing(ran, 'plivo.openWalkthrough');
    const url = (await runDismissing(ran, 'plivo.startSandbox')) as string;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await services.connection.current())?.account.kind, 'sandbox');
    // The sandbox's main account lists its subaccounts; dismissing the list switches to none.
    assert.equal(await runDismissing(ran, 'plivo.showSubaccounts'), undefined);
    assert.equal((await services.connection.current())?.account.label, 'Sandbox');
  });

  it('runs the call commands against the offline sandbox', async function () {
    await runDismissing(ran, 'plivo.refreshCalls');
    const call: LiveCall = await until('the sandbox calls are listed', () => services.calls.calls[0]);
    await runDismissing(ran, 'plivo.loadMoreCalls');
    await runDismissing(ran, 'plivo.filterCalls');
    assert.equal(services.calls.filter, undefined, 'cancelling the filter changes nothing');
    const node = { kind: 'call', call } as const;
    await runDismissing(ran, 'plivo.recordCall', call.callUuid, { timeLimit: 30 });
    const [recording] = services.recordings.forCall(call.callUuid);
    assert.equal(recording?.state, 'recording');
    await runDismissing(ran, 'plivo.copyCallUuid', node);
    assert.equal(await vscode.env.clipboard.readText(), call.callUuid);
    await runDismissing(ran, 'plivo.copyRecordingUrl', { kind: 'recording', recording });
    assert.equal(await vscode.env.clipboard.readText(), recording.url);
    await runDismissing(ran, 'plivo.openRecording', { kind: 'recording', recording });
    assert.equal(await runDismissing(ran, 'plivo.stopRecording', node), true);
    assert.equal(services.recordings.forCall(call.callUuid)[0]?.state, 'stopped');
    await runDismissing(ran, 'plivo.showLog');
  });

  it('runs the recording commands: from the palette they ask which recording, from a row they act on it', async function () {
    await runDismissing(ran, 'plivo.refreshRecordings');
    assert.equal(services.recordingsList.status.kind, 'loaded');
    await runDismissing(ran, 'plivo.loadMoreRecordings');
    for (const id of [
      'plivo.filterRecordings',
      'plivo.clearRecordingsFilter',
      'plivo.playRecording',
      'plivo.saveRecording',
      'plivo.deleteRecording',
      'plivo.showTranscript',
      'plivo.showRecordingCall',
      'plivo.dismissEndedCall',
    ]) {
      await runDismissing(ran, id);
    }
    const [stopped] = services.recordings.all().filter((r) => r.state === 'stopped');
    const played = (await runDismissing(ran, 'plivo.playRecording', { kind: 'recording', recording: stopped })) as
      vscode.Uri | undefined;
    assert.ok(played?.fsPath.startsWith(services.recordingFiles.dir.fsPath), 'played from the cache folder');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('runs the listener and callback commands', async function () {
    const port = await findFreePort(20_000);
    await vscode.workspace.getConfiguration('plivo').update('listener.port', port, vscode.ConfigurationTarget.Global);
    const local = (await runDismissing(ran, 'plivo.startListener')) as string | undefined;
    assert.equal(local, `http://127.0.0.1:${port}`);
    const copied = (await runDismissing(ran, 'plivo.copyListenerUrl')) as string;
    assert.equal(await vscode.env.clipboard.readText(), copied);
    assert.ok(copied.endsWith('/plivo/recording'));
    // Interactive ones, cancelled at their first question: they must ask, not fail.
    await runDismissing(ran, 'plivo.sendTestCallback');
    await runDismissing(ran, 'plivo.replayCallback');
    await runDismissing(ran, 'plivo.showCallback');
    await runDismissing(ran, 'plivo.clearCallbacks');
    await runDismissing(ran, 'plivo.replayWithEdits');
    await runDismissing(ran, 'plivo.sendEditedReplay');
    await runDismissing(ran, 'plivo.copyAsCurl');
    await runDismissing(ran, 'plivo.copyAsPowerShell');
    await runDismissing(ran, 'plivo.saveCallbackFixture');
    await runDismissing(ran, 'plivo.filterCallbacks');
    await runDismissing(ran, 'plivo.clearCallbackFilter');
    await runDismissing(ran, 'plivo.showCallbacksFlat');
    await runDismissing(ran, 'plivo.groupCallbacksByCall');
    await runDismissing(ran, 'plivo.showOlderCallbacks');
    // No tunnel runs here: Check Public URL says so; Start Public Tunnel starts one only if a tool is on PATH.
    await runDismissing(ran, 'plivo.checkPublicUrl');
    await runDismissing(ran, 'plivo.startTunnel');
    for (const terminal of vscode.window.terminals) if (terminal.name.startsWith('Plivo tunnel')) terminal.dispose();
    await runDismissing(ran, 'plivo.stopListener');
    assert.equal(services.listener.running, false);
    const onSandbox = services.recordings.all().filter((r) => r.sandbox);
    assert.ok(onSandbox.length > 0);
    await runDismissing(ran, 'plivo.stopSandbox');
    assert.equal(services.sandbox.active, undefined);
    assert.deepEqual(
      services.recordings
        .all()
        .filter((r) => r.sandbox)
        .map((r) => r.state),
      onSandbox.map(() => 'sandbox-stopped'),
      'recordings made on the sandbox are kept, marked as such',
    );
  });

  it('has run every command contributed in package.json', function () {
    const contributed = (
      vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.contributes.commands as { command: string }[]
    ).map((c) => c.command);
    assert.deepEqual(
      contributed.filter((id) => !ran.has(id)),
      [],
    );
  });
});
