import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { buildTestCallback, findFreePort } from '../../src/callbacks';
import type { DeleteOutcome } from '../../src/commands/deleteRecording';
import type { RecordingsFilter, StartRecordingResult } from '../../src/plivo';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';
import type { Services } from '../../src/services/container';
import type { Views } from '../../src/views';
import { playerHtml } from '../../src/views/recordingPlayer';
import type { RecordingsTreeNode, StoredRecordingNode } from '../../src/views/recordingsTree';
import { activateExtension, releaseSandboxAccount, tooltipText, until, useSandboxAccount } from './util';

describe('Recordings view, player, transcripts and delete against the sandbox', function () {
  let services: Services;
  let views: Views;
  let sandbox: Sandbox;
  const tree = () => views.recordings.tree;

  before(async function () {
    ({ services, views } = await activateExtension());
    sandbox = await useSandboxAccount(services, { timeScale: 1 });
    await services.recordingsList.clearFilter();
    await services.recordingFiles.cache.clear();
    await services.transcripts.clear();
  });

  // A failed test must not leave its filter on for the next.
  afterEach(async function () {
    await services.recordingsList.clearFilter();
  });

  after(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await services.recordingsList.clearFilter();
    await services.recordings.clear();
    await services.transcripts.clear();
    await services.listener.stop();
    await releaseSandboxAccount(services, sandbox);
  });

  /** Recording rows in tree order, across the day groups. */
  function rows(): StoredRecordingNode[] {
    return tree()
      .getChildren()
      .flatMap((n) => tree().getChildren(n))
      .filter((n): n is StoredRecordingNode => n.kind === 'stored');
  }

  /** Delete Recording as the bundled extension runs it, with `confirm` answering its modal question. */
  const deleteRecording = (
    _s: Services,
    node: StoredRecordingNode,
    confirm: (ref: { title: string }) => Promise<boolean>,
  ) => vscode.commands.executeCommand('plivo.deleteRecording', node, confirm) as Thenable<DeleteOutcome | undefined>;

  /** Requests for the first page of the whole recordings list: one per reload of the list. */
  const listRequests = (): number =>
    sandbox.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Recording/') && !r.query.call_uuid).length;

  const rowOf = (recordingId: string): StoredRecordingNode => {
    const node = rows().find((n) => n.recording.recordingId === recordingId);
    assert.ok(node, `recording ${recordingId} is not in the Recordings view`);
    return node;
  };

  it('lists 20 recordings a page, newest first and grouped by day, with a "Load more…" row and no silent cap', async function () {
    const now = Date.now();
    const seeded = Array.from({ length: 25 }, (_, i) =>
      sandbox.addRecording({
        from: '14155550101',
        to: '14155550202',
        endedAt: new Date(now - i * 6 * 60 * 60 * 1000), // every 6 hours: several days
        durationMs: 4000 + i * 1000,
        format: i % 2 ? 'wav' : 'mp3',
      }),
    );
    await services.recordingsList.refresh();
    assert.equal(services.recordingsList.status.kind, 'loaded');
    assert.equal(services.recordingsList.total, 25);
    assert.equal(rows().length, 20);
    assert.deepEqual(
      rows().map((n) => n.recording.recordingId),
      seeded.slice(0, 20).map((r) => r.recordingId),
    );
    const roots = tree().getChildren();
    const more = roots.at(-1) as RecordingsTreeNode;
    assert.equal(more.kind, 'more');
    const moreItem = tree().getTreeItem(more);
    assert.equal(moreItem.label, 'Load more…');
    assert.equal(moreItem.description, '20 of 25 shown');
    assert.equal(moreItem.command?.command, 'plivo.loadMoreRecordings');
    const days = roots.filter((n) => n.kind === 'day');
    assert.ok(days.length >= 5, 'six-hour steps span several days');
    assert.equal(tree().getTreeItem(days[0]).label, 'Today');

    const first = tree().getTreeItem(rowOf(seeded[0].recordingId));
    assert.equal(first.label, '+1 415 555 0101 → +1 415 555 0202');
    assert.match(String(first.description), /^\S.* · 0:04 · mp3$/);
    assert.equal(first.command?.command, 'plivo.playRecording');
    assert.equal(first.contextValue, 'storedRecording');
    const tooltip = tooltipText(first.tooltip);
    for (const text of [seeded[0].recordingId, seeded[0].callUuid, seeded[0].url, 'Stored for: 1 day']) {
      assert.ok(tooltip.includes(text), `tooltip lacks ${text}`);
    }

    await vscode.commands.executeCommand('plivo.loadMoreRecordings');
    assert.equal(rows().length, 25);
    assert.equal(
      tree()
        .getChildren()
        .some((n) => n.kind === 'more'),
      false,
    );
    assert.equal(views.recordings.view.description, '25 recordings');
  });

  it('filters by call UUID, number and date range, shows the filter in the description, and clears it', async function () {
    const target = sandbox.addRecording({ from: '14155559999', to: '14155558888' });
    const byCall: RecordingsFilter = { callUuid: target.callUuid };
    await vscode.commands.executeCommand('plivo.filterRecordings', byCall);
    assert.deepEqual(
      rows().map((n) => n.recording.recordingId),
      [target.recordingId],
    );
    assert.match(String(views.recordings.view.description), /^filtered: call /);
    const lastList = [...sandbox.requests].reverse().find((r) => r.path.endsWith('/Recording/'));
    assert.equal(lastList?.query.call_uuid, target.callUuid);

    await vscode.commands.executeCommand('plivo.filterRecordings', { fromNumber: '14155559999' });
    assert.equal(rows().length, 1);
    assert.equal(views.recordings.view.description, 'filtered: from 14155559999');

    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    await vscode.commands.executeCommand('plivo.filterRecordings', { fromDay: '2000-01-01', toDay: '2000-01-02' });
    assert.equal(rows().length, 0);
    assert.equal(services.recordingsList.status.kind, 'loaded');
    await vscode.commands.executeCommand('plivo.filterRecordings', { fromDay: day, toDay: day });
    assert.ok(rows().length >= 2, "today's recordings");
    assert.ok(rows().every((n) => (n.recording.addedAt?.getTime() ?? 0) >= new Date(day + 'T00:00:00').getTime()));

    await vscode.commands.executeCommand('plivo.clearRecordingsFilter');
    assert.equal(services.recordingsList.filtered, false);
    assert.equal(views.recordings.view.description, '26 recordings');
  });

  it('a recording started here stays under its ended call in Calls until Plivo lists it, then says where it went', async function () {
    const call = sandbox.addCall({ from: '14155550111', to: '14155550222' });
    await services.calls.refresh();
    const result = (await vscode.commands.executeCommand('plivo.recordCall', call.callUuid, {
      timeLimit: 30,
    })) as StartRecordingResult;
    assert.equal(result.kind, 'started');
    // Plivo has not listed it yet: the recording only appears once it ends. The call ends.
    sandbox.hangup(call.callUuid);
    await services.calls.refresh();
    const ended = await until('the ended call is in Calls', () =>
      views.calls.tree.getChildren().find((n) => n.kind === 'endedCall' && n.callUuid === call.callUuid),
    );
    const endedItem = views.calls.tree.getTreeItem(ended);
    assert.equal(endedItem.contextValue, 'endedCall');
    const [recordingNode] = views.calls.tree.getChildren(ended);
    assert.equal(recordingNode.kind, 'recording');
    assert.deepEqual(views.calls.tree.getParent(recordingNode), ended);

    await services.recordingsList.refresh();
    const listed = rowOf((result.kind === 'started' && result.recordingId) || '');
    const item = tree().getTreeItem(listed);
    assert.equal(item.contextValue, 'storedRecording.here');
    assert.match(String(item.description), /from this workspace/);
    const after = views.calls.tree.getChildren().find((n) => n.kind === 'endedCall' && n.callUuid === call.callUuid);
    assert.ok(after, 'shown once more this session, to say where the recording went');
    assert.match(String(views.calls.tree.getTreeItem(after).description), /moved to Recordings/);
    assert.match(
      String(views.calls.tree.getTreeItem(views.calls.tree.getChildren(after)[0]).description),
      /now in Recordings/,
    );
    await vscode.commands.executeCommand('plivo.dismissEndedCall', after);
    assert.equal(
      views.calls.tree.getChildren().some((n) => n.kind === 'endedCall' && n.callUuid === call.callUuid),
      false,
    );
  });

  it('Play downloads the recording into the cache once and opens it in the player', async function () {
    const seeded = sandbox.addRecording({ from: '14155550303', to: '14155550404', durationMs: 3000, format: 'wav' });
    await services.recordingsList.refresh();
    const started = Date.now();
    const uri = (await vscode.commands.executeCommand('plivo.playRecording', rowOf(seeded.recordingId))) as vscode.Uri;
    const firstMs = Date.now() - started;
    assert.ok(uri, 'played');
    assert.equal(uri.fsPath, join(services.recordingFiles.dir.fsPath, `${seeded.recordingId}.wav`));
    const bytes = await readFile(uri.fsPath);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RIFF');
    assert.deepEqual(
      readdirSync(services.recordingFiles.dir.fsPath).filter((f) => f.endsWith('.part')),
      [],
      'no partial file',
    );
    const tab = await until('the player tab is open', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputCustom && input.viewType === 'plivo.recordingPlayer' ? input : undefined;
    });
    assert.equal(tab.uri.fsPath, uri.fsPath);
    const fileRequests = () =>
      sandbox.requests.filter((r) => r.path === `/recordings/${seeded.recordingId}.wav`).length;
    assert.equal(fileRequests(), 1);
    const again = Date.now();
    await vscode.commands.executeCommand('plivo.playRecording', rowOf(seeded.recordingId));
    console.log(`      play: first ${firstMs} ms (download ${bytes.length} bytes), cached ${Date.now() - again} ms`);
    assert.equal(fileRequests(), 1, 'the second play comes from the cache');
  });

  it('Open Recording plays a loopback URL in the editor instead of handing it to a browser', async function () {
    const seeded = sandbox.addRecording({ format: 'mp3', durationMs: 2000 });
    await services.recordingsList.refresh();
    assert.match(seeded.url, /^http:\/\/127\.0\.0\.1:/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('plivo.openRecording', rowOf(seeded.recordingId));
    const tab = await until('the player tab is open', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputCustom && input.viewType === 'plivo.recordingPlayer' ? input : undefined;
    });
    assert.equal(tab.uri.fsPath, join(services.recordingFiles.dir.fsPath, `${seeded.recordingId}.mp3`));
  });

  it('the player page runs only its own nonce-bound script, loads media only from the webview, and shows Plivo text as text', function () {
    const ref = {
      id: 'r1',
      isPlivoId: true,
      callUuid: 'c1',
      url: 'http://127.0.0.1/r1.mp3',
      format: 'mp3' as const,
      title: '<img src=x onerror=alert(1)> → 1415',
      durationMs: 65_000,
    };
    const page = {
      cspSource: 'https://webview.test',
      audioSrc: 'https://webview.test/cache/r1.mp3',
      fileName: 'r1.mp3',
      ref,
    };
    const html = playerHtml({ ...page, transcript: { text: '</pre><script>alert(1)</script>' } });
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.equal(
      csp,
      `default-src 'none'; media-src https://webview.test; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`,
    );
    const scripts = html.match(/<script[^>]*>/gi) ?? [];
    assert.deepEqual(scripts, [`<script nonce="${nonce}">`]);
    // A transcript that arrives later is written as text, never parsed as HTML.
    const script = /<script[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    assert.match(script, /textContent/);
    assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    assert.equal(html.includes('<img'), false);
    assert.ok(html.includes('&lt;/pre&gt;&lt;script&gt;'));
    assert.ok(html.includes('<audio controls preload="auto" src="https://webview.test/cache/r1.mp3">'));
    assert.ok(html.includes('1:05 · mp3'));
    // Without a transcript yet, the place for it is there, hidden.
    assert.ok(playerHtml(page).includes('<section id="transcript" aria-live="polite" hidden></section>'));
    // Unless a transcript was asked for: then the page says it is on its way.
    assert.match(playerHtml({ ...page, transcriptRequested: true }), /<p class="pending">Requested: Plivo sends it/);
  });

  it('a recording whose file is gone reports it and leaves nothing in the cache', async function () {
    const seeded = sandbox.addRecording({ format: 'mp3' });
    await services.recordingsList.refresh();
    const node = rowOf(seeded.recordingId);
    // Deleted elsewhere: the row is stale, its file answers 404.
    assert.equal(sandbox.recordings().find((r) => r.recordingId === seeded.recordingId)?.state, 'done');
    const other = services.connection.createClient(
      { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN },
      sandbox.url,
    );
    await other.deleteRecording(seeded.recordingId);
    const result = await vscode.commands.executeCommand('plivo.playRecording', node);
    assert.equal(result, undefined);
    assert.equal(existsSync(join(services.recordingFiles.dir.fsPath, `${seeded.recordingId}.mp3`)), false);
    assert.equal(existsSync(join(services.recordingFiles.dir.fsPath, `${seeded.recordingId}.mp3.part`)), false);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('Save Recording As writes the file where asked', async function () {
    const seeded = sandbox.addRecording({ format: 'mp3', durationMs: 2000 });
    await services.recordingsList.refresh();
    const dir = await mkdtemp(join(tmpdir(), 'plivo-save-'));
    try {
      const target = vscode.Uri.file(join(dir, 'saved.mp3'));
      const saved = (await vscode.commands.executeCommand(
        'plivo.saveRecording',
        rowOf(seeded.recordingId),
        target,
      )) as vscode.Uri;
      assert.equal(saved.fsPath, target.fsPath);
      assert.ok(statSync(target.fsPath).size > 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('Delete asks, deletes, removes the row; a failure keeps it; already-deleted is said as such', async function () {
    const [keep, gone, elsewhere] = [1, 2, 3].map(() => sandbox.addRecording({ from: '14155550505' }));
    await services.recordingsList.refresh();
    let asked = '';
    assert.equal(
      await deleteRecording(services, rowOf(keep.recordingId), async (ref) => {
        asked = ref.title;
        return false;
      }),
      'kept',
    );
    assert.match(asked, /^\+1 415 555 0505 → /);
    rowOf(keep.recordingId);

    sandbox.failNext({ status: 500, body: { api_id: 'x', error: 'simulated outage' } });
    assert.equal(await deleteRecording(services, rowOf(keep.recordingId), async () => true), 'kept');
    rowOf(keep.recordingId);
    await vscode.commands.executeCommand('notifications.clearAll');

    const total = services.recordingsList.total;
    assert.equal(await deleteRecording(services, rowOf(gone.recordingId), async () => true), 'deleted');
    assert.equal(
      rows().some((n) => n.recording.recordingId === gone.recordingId),
      false,
    );
    assert.equal(services.recordingsList.total, total - 1);
    const del = [...sandbox.requests].reverse().find((r) => r.method === 'DELETE');
    assert.equal(del?.status, 204);

    const other = services.connection.createClient(
      { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN },
      sandbox.url,
    );
    await other.deleteRecording(elsewhere.recordingId);
    assert.equal(await deleteRecording(services, rowOf(elsewhere.recordingId), async () => true), 'already-deleted');
    assert.equal(
      rows().some((n) => n.recording.recordingId === elsewhere.recordingId),
      false,
    );
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('a recording started here with a transcription URL says "transcript requested" until its transcript comes', async function () {
    const seeded = sandbox.addRecording({ from: '14155550505', to: '14155550606', durationMs: 2000 });
    await services.recordings.addStarted(
      seeded.callUuid,
      { timeLimit: 60, transcriptionUrl: 'http://127.0.0.1:9/plivo/transcription' },
      { kind: 'started', apiId: 'api-transcript-requested', recordingId: seeded.recordingId, url: seeded.url } as never,
    );
    await services.recordingsList.refresh();
    const item = tree().getTreeItem(rowOf(seeded.recordingId));
    assert.match(String(item.description), /from this workspace · transcript requested$/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /Transcription: requested/);
    await services.transcripts.add({
      callbackId: 'late-1',
      receivedAt: new Date().toISOString(),
      recordingId: seeded.recordingId,
      text: 'It came after the call.',
    });
    const after = tree().getTreeItem(rowOf(seeded.recordingId));
    assert.doesNotMatch(String(after.description), /transcript requested/);
    assert.equal(after.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    assert.notEqual(after.id, item.id, 'a row that gains a transcript has an id of its own, so VS Code expands it');
  });

  it('a transcription callback shows under its recording and opens as a read-only text document', async function () {
    const port = await findFreePort(21_000);
    await services.listener.start(port);
    const transcriptionUrl = await services.urls.callbackUrl('transcription');
    const callbackUrl = await services.urls.callbackUrl('recording');
    const call = sandbox.addCall();
    // Shown, the view reloads as soon as a recording ends.
    await vscode.commands.executeCommand('plivo.recordings.focus');
    await until('the view is visible', () => views.recordings.view.visible || undefined);
    await services.recordingsList.refresh();
    const refreshes = listRequests();
    await vscode.commands.executeCommand('plivo.recordCall', call.callUuid, {
      timeLimit: 1,
      transcriptionType: 'auto',
      transcriptionUrl,
      callbackUrl,
    });
    const transcript = await until('the transcript arrives', () =>
      services.transcripts.all().find((t) => t.callUuid === call.callUuid),
    );
    assert.ok(transcript.recordingId);
    assert.ok(transcript.text.length > 20);
    // The recording started here that the transcript is announced for: by recording id, else by its call.
    const started = services.recordings.forTranscript(transcript);
    assert.equal(started?.callUuid, call.callUuid);
    assert.equal(services.recordings.forTranscript({ callUuid: call.callUuid })?.id, started?.id);
    assert.equal(
      services.recordings.forTranscript({ recordingId: 'not-one-of-ours', callUuid: call.callUuid }),
      undefined,
    );
    // The "record done" callback refreshed the list (no polling needed).
    await until('the list reloads after the record-done callback', () => listRequests() > refreshes);
    const node = await until('the recording is listed', () =>
      rows().find((n) => n.recording.recordingId === transcript.recordingId),
    );
    const [child] = tree().getChildren(node);
    assert.equal(child?.kind, 'transcript');
    const childItem = tree().getTreeItem(child);
    assert.equal(childItem.label, 'Transcript');
    assert.equal(childItem.command?.command, 'plivo.showTranscript');
    const editor = (await vscode.commands.executeCommand('plivo.showTranscript', node)) as vscode.TextEditor;
    assert.equal(editor.document.uri.scheme, 'plivo-transcript');
    assert.equal(editor.document.languageId, 'plaintext');
    assert.ok(editor.document.getText().includes(transcript.text));

    // A failed transcription shows its error on the recording.
    await services.transcripts.add({
      callbackId: 'failed-1',
      receivedAt: new Date().toISOString(),
      recordingId: transcript.recordingId,
      text: '',
      error: 'Recording duration too long for transcription',
    });
    assert.match(String(tree().getTreeItem(rowOf(transcript.recordingId ?? '')).description), /transcription failed/);
    const failed = tree().getTreeItem(tree().getChildren(rowOf(transcript.recordingId ?? ''))[0]);
    assert.equal(failed.label, 'Transcription failed');
    assert.equal(failed.description, 'Recording duration too long for transcription');
    await services.listener.stop();
  });

  it('a stream of "record done" callbacks reloads the list when the first arrives and once more after, not once each', async function () {
    await services.listener.start(await findFreePort(21_000));
    const listenerUrl = (await services.urls.callbackUrl('recording'))!;
    await vscode.commands.executeCommand('plivo.recordings.focus');
    await until('the view is visible', () => views.recordings.view.visible || undefined);
    await services.recordingsList.refresh();
    const before = listRequests();
    for (let i = 0; i < 20; i++) {
      const response = await fetch(listenerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(buildTestCallback('record')).toString(),
      });
      assert.equal(response.status, 200);
    }
    await until('the list reloads', () => listRequests() > before);
    // Long enough for the reload that closes the stream (2 s after the first one).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const reloads = listRequests() - before;
    assert.ok(reloads <= 2, `20 record-done callbacks reloaded the list ${reloads} times`);
    await services.listener.stop();
  });
});
