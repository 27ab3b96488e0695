import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox, type SandboxRequestLog } from '../../src/sandbox';
import { until } from '../support/until';
import { freePort, useWorkbench, type Workbench } from './harness';
import { formatPhoneNumber } from '../../src/plivo/format';

const FROM = '14155550161';
const TO = '14155550262';
const FROM2 = '14155550171';
const TO2 = '14155550272';
/** How Calls and the call picker show the numbers (E.164 groups), as a pattern. */
const shown = (number: string): string => formatPhoneNumber(number).replace(/[+]/g, '\\+');

interface AudioState {
  duration: number;
  readyState: number;
  error: number | null;
  src: string;
}

/** The player's `<audio>` element, in whichever (nested) webview frame holds it. */
async function audioState(wb: Workbench): Promise<{ frame: Frame; state: AudioState } | undefined> {
  for (const frame of wb.page.frames()) {
    // A string: this file compiles without the DOM library.
    const state = (await frame
      .evaluate(
        `(() => {
          const audio = document.querySelector('audio');
          return audio ? { duration: audio.duration, readyState: audio.readyState, error: audio.error ? audio.error.code : null, src: audio.currentSrc } : undefined;
        })()`,
      )
      .catch(() => undefined)) as AudioState | undefined;
    if (state) return { frame, state };
  }
  return undefined;
}

/** The player's frame and audio state, once its audio has loaded (or failed to). */
function playerLoaded(wb: Workbench): Promise<{ frame: Frame; state: AudioState }> {
  return until(
    'the player has loaded the audio',
    async () => {
      const found = await audioState(wb);
      return found && (found.state.error !== null || found.state.readyState >= 1) ? found : undefined;
    },
    30_000,
  );
}

/** A screenshot of the player, once the download's notification has gone. */
async function screenshotPlayer(wb: Workbench, name: string): Promise<void> {
  await wb.page
    .locator('.notification-toast', { hasText: /Downloading the recording/ })
    .waitFor({ state: 'detached', timeout: 10_000 });
  await wb.screenshot(name);
}

describe('Recordings: record a call, hang up, find, play and delete the recording, by clicks', () => {
  let sandbox: Sandbox;
  let callUuid: string;
  const timings: Record<string, number> = {};
  before(async () => {
    // Long enough that the player is open before the transcript comes, as with Plivo, which transcribes after the call.
    sandbox = await Sandbox.start({ transcriptionDelayMs: 20_000 });
    callUuid = sandbox.addCall({ from: FROM, to: TO, direction: 'outbound' }).callUuid;
    sandbox.addCall({ from: FROM2, to: TO2, direction: 'inbound' });
    // Earlier recordings of the account, so the view shows days and formats.
    const day = 24 * 60 * 60 * 1000;
    sandbox.addRecording({
      from: '14155550101',
      to: '14155550202',
      durationMs: 42_000,
      endedAt: new Date(Date.now() - 3_600_000),
    });
    sandbox.addRecording({
      from: '14155550303',
      to: '14155550404',
      durationMs: 95_000,
      format: 'wav',
      endedAt: new Date(Date.now() - day),
    });
    sandbox.addRecording({
      conferenceName: 'weekly-standup',
      durationMs: 610_000,
      endedAt: new Date(Date.now() - 2 * day),
    });
  });
  after(async () => {
    console.log(`recordings e2e timings (ms): ${JSON.stringify(timings)}`);
    await sandbox.close();
  });
  const ui = useWorkbench(async () => ({
    settings: {
      'plivo.apiBaseUrl': sandbox.url,
      'plivo.calls.refreshIntervalSeconds': 2,
      'plivo.listener.port': await freePort(),
    },
    env: { PLIVO_AUTH_ID: SANDBOX_AUTH_ID, PLIVO_AUTH_TOKEN: SANDBOX_AUTH_TOKEN },
  }));
  const recordingRow = () =>
    ui().treeItem('Recordings', new RegExp(`^Recording ${shown(FROM)} → ${shown(TO)},.*from this workspace`));

  it('records the call with the defaults; after it ends the recording stays under the ended call in Calls', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await wb
      .treeItem('Calls', new RegExp(`^Outbound call from ${shown(FROM)} to ${shown(TO)}`))
      .waitFor({ timeout: 30_000 });
    await wb.runCommand('Plivo: Record Call');
    await wb.quickInputFill(FROM);
    await wb.pickQuickItem(new RegExp(`${shown(FROM)} → ${shown(TO)}`));
    await wb.pickQuickItem(/^\s*Record\s*$/);
    await wb.waitForNotification(/Recording started on /);
    // A few seconds of "conversation" before the caller hangs up.
    const [recording] = sandbox.recordings(callUuid);
    await until('3 s have been recorded', () => Date.now() - recording.startedAt.getTime() >= 3000 || undefined);
    const t0 = Date.now();
    assert.equal(sandbox.hangup(callUuid), true);
    await wb
      .treeItem('Calls', new RegExp(`^Ended call ${shown(FROM)} → ${shown(TO)}, ${callUuid}`))
      .waitFor({ timeout: 30_000 });
    timings.hangupToEndedRow = Date.now() - t0;
    await wb.screenshot('e2e-recordings-ended-call');
  });

  it('the recording is in Recordings, marked as started here', async () => {
    const wb = ui();
    const t0 = Date.now();
    await wb.expandView('Recordings');
    await recordingRow().waitFor({ timeout: 30_000 });
    timings.recordingListed = Date.now() - t0;
    await wb.treeItem('Recordings', /^Recording Conference weekly-standup/).waitFor();
    await wb.clearNotifications();
    await wb.screenshot('e2e-recordings-view');
  });

  it('a click plays it in an editor tab: the audio element has a duration and no error', async () => {
    const wb = ui();
    const t0 = Date.now();
    await recordingRow().click();
    // The player's tab is named after the cached file, <recording id>.mp3.
    await wb.page.getByRole('tab', { name: /\.mp3/ }).first().waitFor({ timeout: 30_000 });
    const { frame, state } = await playerLoaded(wb);
    timings.clickToAudioLoaded = Date.now() - t0;
    assert.equal(state.error, null, `audio error ${state.error}`);
    assert.ok(Number.isFinite(state.duration) && state.duration > 0, `duration ${state.duration}`);
    assert.ok(state.src.length > 0);
    const file = sandbox.requests.find((r: SandboxRequestLog) => r.path.startsWith('/recordings/'));
    assert.equal(file?.status, 200);
    assert.equal(Math.round(state.duration), Math.round((sandbox.recordings(callUuid)[0].durationMs ?? 0) / 1000));
    await frame.locator('h1', { hasText: `${formatPhoneNumber(FROM)} → ${formatPhoneNumber(TO)}` }).waitFor();
    await screenshotPlayer(wb, 'e2e-recording-player');
  });

  it('Delete asks in a modal dialog naming the recording, then removes it', async () => {
    const wb = ui();
    await wb.contextMenu(recordingRow(), 'Delete Recording');
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    assert.match((await dialog.textContent()) ?? '', new RegExp(`Delete the recording ${shown(FROM)} → ${shown(TO)}`));
    await wb.screenshot('e2e-recording-delete-confirm');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    const del = await until('the sandbox receives the DELETE', () =>
      sandbox.requests.find((r: SandboxRequestLog) => r.method === 'DELETE' && r.path.includes('/Recording/')),
    );
    assert.equal(del.status, 204);
    await recordingRow().waitFor({ state: 'detached', timeout: 15_000 });
    await wb.page.getByRole('tab', { name: /\.mp3/ }).waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('with transcription on, an open player shows the transcript when it arrives, without reloading', async () => {
    const wb = ui();
    await wb.openPlivoSidebar();
    await wb.expandView('Recordings');
    await wb.runCommand('Plivo: Record Call');
    await wb.quickInputFill(FROM2);
    await wb.pickQuickItem(new RegExp(`${shown(FROM2)} → ${shown(TO2)}`));
    await wb.pickQuickItem(/Change options/);
    await wb.quickInputFill('4', { title: /time limit/ });
    await wb.quickInputAccept();
    await wb.pickQuickItem('mp3');
    await wb.pickQuickItem('Transcribe (auto)');
    await wb.pickQuickItem(/Local callback listener/);
    await wb.pickQuickItem('POST');
    await wb.pickQuickItem(/^\s*Callback URL…\s*$/);
    await wb.pickQuickItem(/Local callback listener/);
    await wb.pickQuickItem('POST');
    await wb.pickQuickItem(/Start recording/);
    await wb.waitForNotification(/Recording requested on /);
    const t0 = Date.now();
    const row = wb.treeItem(
      'Recordings',
      new RegExp(`^Recording ${shown(FROM2)} → ${shown(TO2)},.*from this workspace`),
    );
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const { frame, state } = await playerLoaded(wb);
    assert.equal(state.error, null, `audio error ${state.error}`);
    assert.equal(await frame.locator('pre').count(), 0, 'no transcript yet');
    await frame.getByText(/^Requested: Plivo sends it a while after the call/).waitFor();
    await screenshotPlayer(wb, 'e2e-recording-player-transcript-requested');
    // Marks this page: a player rendered again would lose the mark (and restart the audio).
    await frame.evaluate('window.plivoTestMark = 1');
    await frame.locator('pre').waitFor({ timeout: 40_000 });
    timings.recordEndToTranscriptInPlayer = Date.now() - t0;
    assert.equal(await frame.evaluate('window.plivoTestMark'), 1, 'the transcript came into the same page');
    assert.ok(((await frame.locator('pre').textContent()) ?? '').length > 20);
    assert.equal(await frame.locator('.pending').count(), 0, 'the transcript took the place of "Requested"');
    await screenshotPlayer(wb, 'e2e-recording-player-transcript');
  });

  it('the transcript shows under the recording, is announced, and opens as plain text from the notification', async () => {
    const wb = ui();
    const transcriptRow = wb.treeItem('Recordings', /^Transcript/);
    await transcriptRow.waitFor({ timeout: 30_000 });
    const note = await wb.waitForNotification(/The transcript of the recording on/);
    assert.match(
      note,
      new RegExp(`^The transcript of the recording on ${shown(FROM2)} → ${shown(TO2)} started at .+ arrived`),
    );
    await wb.screenshot('e2e-recordings-transcript');
    await wb.notificationAction(/The transcript of the recording on/, 'Show Transcript');
    const editor = wb.page.locator('.editor-instance .view-lines');
    // Monaco renders spaces as no-break spaces, which \\s matches.
    await editor
      .getByText(/^Transcript\s+of\s/)
      .first()
      .waitFor({ timeout: 15_000 });
    await wb.page.getByRole('tab', { name: /^Transcript / }).waitFor();
  });

  it('a player in a background tab shows the transcript that changed while it was hidden', async () => {
    const wb = ui();
    const row = wb.treeItem('Recordings', new RegExp(`^Recording ${shown(FROM2)} → ${shown(TO2)}`));
    await row.click();
    await playerLoaded(wb);
    // Kept open (not a preview), the player stays in its tab behind the transcript opened next.
    await wb.runCommand('View: Keep Editor');
    await wb.treeItem('Recordings', /^Transcript/).click();
    await wb.page.getByRole('tab', { name: /^Transcript /, selected: true }).waitFor();
    await wb.runCommand('Plivo: Send Test Callback…');
    await wb.pickQuickItem(/Transcription/);
    await wb.pickQuickItem(/The listener \(/);
    await wb.pickQuickItem(/Match my latest recording/);
    await wb.page.getByRole('tab', { name: /\.mp3/ }).first().click();
    const text = await until('the player shows the new transcript', async () => {
      const found = await audioState(wb);
      const shown =
        found &&
        (await found.frame
          .locator('pre')
          .textContent()
          .catch(() => null));
      return shown?.includes('test transcription from the Plivo extension') ? shown : undefined;
    });
    assert.ok(text.length > 20);
  });
});
