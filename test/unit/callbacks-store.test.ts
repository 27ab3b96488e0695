import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdir, readFile, readdir, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CallbackStore, type CallbackStoreOptions, type StoreChange } from '../../src/callbacks/store';
import type { ReceivedCallback } from '../../src/callbacks/model';
import { readJournal } from '../../src/callbacks/journal';
import { nextCallbacks, sampleCallback, startListener, withTempDir } from './helpers/callbacks';

const JOURNAL = 'callbacks.jsonl';
const quickRetry = { retryDelayMs: () => 20 };

/** A store that writes each change at once (no save delay), so a test can await one add after another. */
function storeAt(dir: string, options: CallbackStoreOptions = {}): CallbackStore {
  return new CallbackStore(dir, { saveDelayMs: 0, ...options });
}

async function reopen(dir: string, maxHistory = 10_000): Promise<CallbackStore> {
  const store = storeAt(dir, { maxHistory });
  await store.load();
  return store;
}

async function storedIds(dir: string): Promise<string[]> {
  return (await reopen(dir)).list().map((callback) => callback.id);
}

function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

/** A recording callback as Plivo sends it, about 1.75 KB as stored. */
function realisticCallback(): ReceivedCallback {
  const params: Record<string, string> = {
    CallUUID: 'eba53b9e-8fbd-45c1-9444-696d2172fbc8',
    RecordUrl:
      'https://media.plivo.com/v1/Account/MAXXXXXXXXXXXXXXXXXX/Recording/2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091.mp3',
    RecordingID: '2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091',
    RecordingDuration: '27',
    RecordingDurationMs: '27340',
    RecordingStartMs: '1700000000000',
    RecordingEndMs: '1700000027340',
    api_id: 'c9527676-5839-11e1-86da-6ff39efcb949',
  };
  return sampleCallback({
    headers: {
      host: 'abc.ngrok.app',
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'PlivoHTTP/1.0',
      'x-plivo-signature-v3': 'K'.repeat(44),
      'x-plivo-signature-v3-nonce': '12345678901234567890',
      'x-plivo-signature-ma-v3': 'M'.repeat(44),
    },
    body: new URLSearchParams(params).toString(),
    params,
    summary: { callUuid: params.CallUUID, recordUrl: params.RecordUrl, recordingId: params.RecordingID },
    signature: {
      state: 'valid',
      version: 'v3',
      detail: 'X-Plivo-Signature-V3 matches',
    } as ReceivedCallback['signature'],
  });
}

test('missing file loads empty without a warning; the folder is created on first save', () =>
  withTempDir(async (dir) => {
    const store = storeAt(join(dir, 'not-yet-created'));
    assert.deepEqual(await store.load(), {});
    assert.deepEqual(store.list(), []);
    await store.add(sampleCallback());
    assert.equal((await storedIds(join(dir, 'not-yet-created'))).length, 1);
  }));

test('add/list/get/slice: newest first, persisted for a new instance on the same directory', () =>
  withTempDir(async (dir) => {
    const store = storeAt(dir);
    await store.load();
    const [a, b, c] = [sampleCallback(), sampleCallback(), sampleCallback()];
    for (const callback of [a, b, c]) await store.add(callback);
    assert.deepEqual(
      store.list().map((callback) => callback.id),
      [c.id, b.id, a.id],
    );
    assert.deepEqual(
      store.slice(1, 2).map((callback) => callback.id),
      [b.id],
    );
    assert.deepEqual(store.get(a.id), a);
    assert.equal(store.get('nope'), undefined);
    assert.equal(store.size, 3);

    const reopened = storeAt(dir);
    assert.deepEqual(await reopened.load(), {});
    assert.deepEqual(reopened.list(), [c, b, a]);
  }));

test('update merges a patch and persists it; unknown ids resolve undefined', () =>
  withTempDir(async (dir) => {
    const store = storeAt(dir);
    await store.load();
    const callback = sampleCallback();
    await store.add(callback);
    const forward = {
      targetUrl: 'http://localhost:3000/cb',
      status: 204,
      ok: true,
      durationMs: 12,
      responseSnippet: '',
    };
    const updated = await store.update(callback.id, { forward });
    assert.deepEqual(updated, { ...callback, forward });
    assert.equal(await store.update('missing', { status: 1 }), undefined);
    assert.deepEqual((await reopen(dir)).get(callback.id)?.forward, forward);
  }));

test('readers get a new decoded object each time; the revision tells a changed entry from an unchanged one', () =>
  withTempDir(async (dir) => {
    const store = storeAt(dir);
    await store.load();
    const [kept, changed] = [sampleCallback(), sampleCallback()];
    await store.add(kept);
    await store.add(changed);
    const read = store.get(kept.id);
    assert.deepEqual(read, kept);
    assert.notEqual(read, store.get(kept.id), 'decoded anew, so no reader can change what the store holds');
    (read as ReceivedCallback).status = 599;
    assert.equal(store.get(kept.id)?.status, kept.status);

    const [keptBefore, changedBefore] = [store.revisionOf(kept.id), store.revisionOf(changed.id)];
    assert.ok(keptBefore !== undefined && changedBefore !== undefined && keptBefore !== changedBefore);
    await store.update(changed.id, { status: 500 });
    assert.equal(store.revisionOf(kept.id), keptBefore);
    assert.notEqual(store.revisionOf(changed.id), changedBefore);
    assert.equal(store.get(changed.id)?.status, 500);
    store.maxHistory = 1;
    assert.equal(store.revisionOf(kept.id), undefined, 'gone');
    assert.equal(store.revisionOf('nope'), undefined);
    // The rewrite lowering maxHistory started must end before the folder is removed.
    await store.dispose();
  }));

test('maxHistory drops the oldest, on add and when lowered, in memory and on disk', () =>
  withTempDir(async (dir) => {
    const store = storeAt(dir, { maxHistory: 3 });
    await store.load();
    const callbacks = Array.from({ length: 5 }, () => sampleCallback());
    for (const callback of callbacks) await store.add(callback);
    assert.deepEqual(
      store.list().map((c) => c.id),
      [callbacks[4].id, callbacks[3].id, callbacks[2].id],
    );
    store.maxHistory = 1;
    await store.flush();
    assert.deepEqual(await storedIds(dir), [callbacks[4].id]);
    assert.equal(store.maxHistory, 1);
  }));

test('onDidChange reports each change incrementally: added, updated, removed, cleared', () =>
  withTempDir(async (dir) => {
    const store = storeAt(dir, { maxHistory: 2 });
    const changes: StoreChange[] = [];
    const subscription = store.onDidChange((change) => changes.push(change));
    await store.load();
    const [a, b, c] = [sampleCallback(), sampleCallback(), sampleCallback()];
    await store.add(a);
    await store.add(b);
    await store.add(c);
    await store.update(c.id, { status: 500 });
    await store.clear();
    const brief = changes.map((change) => ({
      cleared: change.cleared,
      added: change.added.map((x) => x.id),
      updated: change.updated.map((x) => `${x.id}:${x.status}`),
      removed: change.removed,
    }));
    assert.deepEqual(brief, [
      { cleared: true, added: [], updated: [], removed: [] },
      { cleared: false, added: [a.id], updated: [], removed: [] },
      { cleared: false, added: [b.id], updated: [], removed: [] },
      { cleared: false, added: [c.id], updated: [], removed: [a.id] },
      { cleared: false, added: [], updated: [`${c.id}:500`], removed: [] },
      { cleared: true, added: [], updated: [], removed: [] },
    ]);
    assert.deepEqual(await storedIds(dir), []);
    subscription.dispose();
    await store.add(sampleCallback());
    assert.equal(changes.length, 6);
  }));

test('the version 1 file is migrated to the journal on first load, skipping malformed entries', () =>
  withTempDir(async (dir) => {
    const [newer, older] = [sampleCallback(), sampleCallback()];
    await writeFile(
      join(dir, 'callbacks.json'),
      JSON.stringify({ version: 1, callbacks: [newer, { id: 5 }, null, 'x', older] }),
    );
    const store = storeAt(dir);
    assert.deepEqual(await store.load(), {});
    assert.deepEqual(store.list(), [newer, older]);
    await store.flush();
    assert.deepEqual(await readdir(dir), [JOURNAL]);
    assert.deepEqual(await storedIds(dir), [newer.id, older.id]);
  }));

test('a version 1 file that repeats an id loads it once, as its newest version', () =>
  withTempDir(async (dir) => {
    const [repeated, other] = [sampleCallback(), sampleCallback()];
    const newest = { ...repeated, status: 500 };
    await writeFile(join(dir, 'callbacks.json'), JSON.stringify({ version: 1, callbacks: [newest, other, repeated] }));
    const store = storeAt(dir);
    await store.load();
    assert.deepEqual(store.list(), [newest, other]);
    assert.equal(store.size, 2);
  }));

test('a corrupt file is moved aside with a warning and the store starts empty', () =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, JOURNAL), 'not a history file\n{"op":"add"}\n');
    const store = storeAt(dir);
    const { warning } = await store.load();
    assert.match(warning ?? '', /was corrupt .*moved to .*callbacks\.jsonl\.corrupt-/);
    assert.deepEqual(store.list(), []);
    const files = await readdir(dir);
    assert.equal(files.filter((name) => name.startsWith(`${JOURNAL}.corrupt-`)).length, 1);
    await store.add(sampleCallback());
    assert.equal((await storedIds(dir)).length, 1);
  }));

test('a version 1 file of the wrong shape is moved aside as corrupt', () =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, 'callbacks.json'), '[1,2,3]');
    assert.match((await storeAt(dir).load()).warning ?? '', /no "callbacks" list/);
  }));

test('a torn last line (crash mid-append) is dropped quietly and the file is repaired before the next append', () =>
  withTempDir(async (dir) => {
    const store = await reopen(dir);
    const kept = [sampleCallback(), sampleCallback()];
    for (const callback of kept) await store.add(callback);
    await store.dispose();
    await appendFile(join(dir, JOURNAL), '{"op":"add","entry":{"id":"torn","receivedAt":"2025-');

    const reopened = storeAt(dir);
    assert.deepEqual(await reopened.load(), { tornTail: true });
    assert.deepEqual(
      reopened.list().map((c) => c.id),
      [kept[1].id, kept[0].id],
    );
    const next = sampleCallback();
    await reopened.add(next);
    await reopened.flush();
    const again = storeAt(dir);
    assert.deepEqual(await again.load(), {});
    assert.deepEqual(
      again.list().map((c) => c.id),
      [next.id, kept[1].id, kept[0].id],
    );
  }));

test('damaged lines in the middle are skipped and counted; the rest loads', () =>
  withTempDir(async (dir) => {
    const store = await reopen(dir);
    const [a, b] = [sampleCallback(), sampleCallback()];
    await store.add(a);
    await store.dispose();
    await appendFile(join(dir, JOURNAL), '{"op":"add","entry":{"id":\n\u0000\u0000garbage\n[1]\n');
    const writer = await reopen(dir);
    await writer.add(b);
    await writer.dispose();
    // The first reopen repaired the file; damage it again after a valid line to count it.
    await appendFile(join(dir, JOURNAL), 'oops\n');
    await appendFile(join(dir, JOURNAL), `${JSON.stringify({ op: 'update', id: a.id, patch: { status: 299 } })}\n`);
    const reopened = storeAt(dir);
    const result = await reopened.load();
    assert.equal(result.corruptLines, 1);
    assert.match(result.warning ?? '', /1 damaged entry in the callback history file .* was skipped/);
    assert.deepEqual(
      reopened.list().map((c) => c.id),
      [b.id, a.id],
    );
    assert.equal(reopened.get(a.id)?.status, 299);
  }));

test('a journal of a newer format is left untouched and the history is kept in memory', () =>
  withTempDir(async (dir) => {
    const newer = '{"format":"plivo-callbacks","version":99}\n{"op":"something-new"}\n';
    await writeFile(join(dir, JOURNAL), newer);
    const store = storeAt(dir);
    const problems: (string | undefined)[] = [];
    store.onDidChangeSaveProblem((problem) => problems.push(problem));
    const { warning } = await store.load();
    assert.match(warning ?? '', /written by a newer version of this extension \(format 99\); it is left as it is/);
    assert.match(store.saveProblem ?? '', /newer version/);
    assert.equal(problems.length, 1);
    await store.add(sampleCallback());
    await store.flush();
    assert.equal(store.list().length, 1);
    assert.equal(await readFile(join(dir, JOURNAL), 'utf8'), newer);
    assert.deepEqual(await readdir(dir), [JOURNAL]);
  }));

test('a version 1 file with a newer version number is left untouched', () =>
  withTempDir(async (dir) => {
    const text = JSON.stringify({ version: 7, callbacks: [] });
    await writeFile(join(dir, 'callbacks.json'), text);
    const store = storeAt(dir);
    assert.match((await store.load()).warning ?? '', /newer version of this extension \(format 7\)/);
    await store.add(sampleCallback());
    assert.equal(await readFile(join(dir, 'callbacks.json'), 'utf8'), text);
    assert.deepEqual(await readdir(dir), ['callbacks.json']);
  }));

test('an unreadable file (a directory in its place) is reported and kept, not moved aside', () =>
  withTempDir(async (dir) => {
    await mkdir(join(dir, JOURNAL));
    const store = storeAt(dir);
    assert.match(
      (await store.load()).warning ?? '',
      /could not be read \(it is a folder, not a file\); it is left as it is/,
    );
    assert.deepEqual(store.list(), []);
    await store.add(sampleCallback());
    assert.equal(store.list().length, 1);
    assert.deepEqual(await readdir(dir), [JOURNAL]);
  }));

test('leftover temp files of an interrupted compaction are removed on load; the journal is intact', () =>
  withTempDir(async (dir) => {
    const store = await reopen(dir);
    const callback = sampleCallback();
    await store.add(callback);
    await store.dispose();
    // No live process has pid 2^22+1 (above Linux's pid_max default); a half-written compaction of it remains.
    const leftover = `${JOURNAL}.4194305.0badf00d.tmp`;
    await writeFile(join(dir, leftover), '{"format":"plivo-callbacks","version":2}\n{"op":"add","ent');
    await writeFile(join(dir, 'callbacks.json.4194305.12ab34cd.tmp'), '{"version":1,"callb'); // the old format's
    const reopened = storeAt(dir);
    assert.deepEqual(await reopened.load(), {});
    assert.deepEqual(reopened.list(), [callback]);
    assert.deepEqual(await readdir(dir), [JOURNAL]);
  }));

test('compaction keeps the file bounded and the newest entries intact', () =>
  withTempDir(async (dir) => {
    const store = await reopen(dir, 20);
    const callbacks = Array.from({ length: 400 }, () => sampleCallback({ body: 'x'.repeat(4000) }));
    for (const callback of callbacks) await store.add(callback);
    await store.flush();
    const { compactions, fileBytes } = store.stats();
    assert.ok(compactions >= 2, `compacted ${compactions} times`);
    assert.equal((await stat(join(dir, JOURNAL))).size, fileBytes);
    assert.ok(fileBytes < 2 * 20 * 4500 + 256 * 1024 + 4500, `file is ${fileBytes} bytes`);
    assert.deepEqual(
      (await storedIds(dir)).slice(0, 20),
      callbacks
        .slice(-20)
        .map((c) => c.id)
        .reverse(),
    );
  }));

test('compaction copies the kept part of the journal: updates, re-added and dropped entries load as in memory', () =>
  withTempDir(async (dir) => {
    const store = await reopen(dir, 20);
    const added: ReceivedCallback[] = [];
    for (let i = 0; i < 400; i++) {
      const callback = sampleCallback({ body: 'x'.repeat(4000) });
      added.push(callback);
      await store.add(callback);
      // An update of a kept entry, of the oldest one (dropped soon after) and a re-add of a kept entry.
      if (i % 7 === 0) await store.update(callback.id, { status: 299 });
      if (i % 11 === 0) await store.update(store.slice(store.size - 1)[0].id, { error: `update ${i}` });
      if (i % 13 === 0) await store.add(added[Math.max(0, i - 3)]);
    }
    await store.flush();
    const { compactions, rewrites, fileBytes } = store.stats();
    assert.ok(compactions >= 2, `compacted ${compactions} times`);
    assert.equal(rewrites, 1, 'only the first save wrote the history from memory');
    assert.equal((await stat(join(dir, JOURNAL))).size, fileBytes);
    assert.deepEqual((await reopen(dir, 20)).list(), store.list());
  }));

test('a compaction after a restart rewrites from memory, then copies', () =>
  withTempDir(async (dir) => {
    // Saved with a larger maxHistory, the file is not yet due for compaction when loaded with a smaller one.
    const first = await reopen(dir, 1000);
    for (let i = 0; i < 100; i++) await first.add(sampleCallback({ body: 'x'.repeat(4000) }));
    await first.dispose();
    const store = await reopen(dir, 20);
    for (let i = 0; i < 300; i++) await store.add(sampleCallback({ body: 'x'.repeat(4000) }));
    await store.flush();
    const { compactions, rewrites } = store.stats();
    assert.ok(compactions >= 2, `compacted ${compactions} times`);
    assert.equal(rewrites, 1, 'the entries loaded at start-up have no known place in the file');
    assert.deepEqual((await reopen(dir, 20)).list(), store.list());
  }));

test('callbacks arriving within the save delay share one write; flush() writes at once', () =>
  withTempDir(async (dir) => {
    const store = new CallbackStore(dir, { saveDelayMs: 60_000 });
    await store.load();
    await store.add(sampleCallback()); // the first save writes the new journal at once
    let saved = 0;
    const saves = Array.from({ length: 10 }, () => store.add(sampleCallback()).then(() => saved++));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(saved, 0, 'held for the save delay');
    assert.equal((await storedIds(dir)).length, 1);
    await store.flush();
    await Promise.all(saves);
    assert.equal(store.stats().appends, 1, 'one write for the ten');
    assert.deepEqual(
      await storedIds(dir),
      store.list().map((c) => c.id),
    );
    await store.dispose();
  }));

test('without flush(), waiting callbacks are written once the save delay has passed', () =>
  withTempDir(async (dir) => {
    const store = new CallbackStore(dir, { saveDelayMs: 30 });
    await store.load();
    await store.add(sampleCallback());
    const callbacks = Array.from({ length: 5 }, () => sampleCallback());
    await Promise.all(callbacks.map((callback) => store.add(callback)));
    assert.equal(store.stats().appends, 1);
    assert.deepEqual(
      await storedIds(dir),
      store.list().map((c) => c.id),
    );
    await store.dispose();
  }));

test('a process killed at random points while appending and compacting always leaves a loadable history', async () => {
  const storeModule = require.resolve('../../src/callbacks/store');
  const script = `
    const { CallbackStore } = require(${JSON.stringify(storeModule)});
    const store = new CallbackStore(process.argv[1], { maxHistory: 30, saveDelayMs: 0 });
    let n = 0;
    const add = () => store.add({ id: 'k' + n++, receivedAt: new Date().toISOString(), method: 'POST', path: '/',
      headers: {}, body: 'y'.repeat(3000 + (n % 7) * 1000), params: {}, kind: 'record', summary: {},
      signature: { state: 'unsigned', detail: '' }, status: 200 });
    store.load().then(async () => {
      // One entry on disk before the kill, whatever the machine's load: the test is about what a kill destroys.
      await add();
      await store.flush();
      process.send('ready');
      for (;;) await add();
    });`;
  for (let round = 0; round < 6; round++) {
    await withTempDir(async (dir) => {
      const child = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      await new Promise((resolve) => child.once('message', resolve));
      await new Promise((resolve) => setTimeout(resolve, 40 + round * 37));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const store = storeAt(dir, { maxHistory: 30 });
      const result = await store.load();
      assert.equal(result.warning, undefined, `round ${round}: ${result.warning}`);
      assert.ok(store.size > 0, `round ${round}: some history survived`);
      await store.flush();
      assert.deepEqual(
        (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
        [],
      );
    });
  }
});

test('a save failure keeps the callback, reports it in plain words, retries, and clears once a save succeeds', () =>
  withTempDir(async (dir) => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, '');
    const storeDir = join(blocker, 'history');
    const store = storeAt(storeDir, quickRetry);
    await store.load();
    const problems: (string | undefined)[] = [];
    store.onDidChangeSaveProblem((problem) => problems.push(problem));
    const callback = sampleCallback();
    await store.add(callback); // resolves, does not reject
    assert.deepEqual(store.list(), [callback]);
    assert.equal(
      store.saveProblem,
      `cannot create folder ${storeDir}: a file is in the way where a folder is expected`,
    );
    const later = sampleCallback();
    await store.add(later);
    assert.equal(store.list().length, 2);

    await unlink(blocker);
    await until(() => store.saveProblem === undefined);
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /^cannot create folder /);
    assert.equal(problems[1], undefined);
    assert.deepEqual(await storedIds(storeDir), [later.id, callback.id]);
  }));

test('a full disk while appending is reported as such; the retry rewrites the whole history', () =>
  withTempDir(async (dir) => {
    const store = storeAt(dir, quickRetry);
    await store.load();
    const first = sampleCallback();
    await store.add(first);
    await store.dispose();

    const reopened = storeAt(dir, { retryDelayMs: () => 200 });
    await reopened.load();
    // Appends now reach /dev/full, which fails every write with ENOSPC; a rewrite replaces the link with a file.
    await rm(join(dir, JOURNAL));
    await symlink('/dev/full', join(dir, JOURNAL));
    const second = sampleCallback();
    await reopened.add(second);
    assert.equal(reopened.saveProblem, `cannot write to ${join(dir, JOURNAL)}: no space left on device`);
    await until(() => reopened.saveProblem === undefined);
    assert.deepEqual(await storedIds(dir), [second.id, first.id]);
  }));

test('one hostile entry (deep nesting, huge body) cannot break saving; its body is capped with the size noted', () =>
  withTempDir(async (dir) => {
    const store = await reopen(dir);
    let deep: unknown = 'core';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const hostile = sampleCallback({
      body: 'é'.repeat(100_000),
      params: { response: deep } as unknown as Record<string, string>,
    });
    await store.add(hostile);
    const after = sampleCallback();
    await store.add(after);
    assert.equal(store.saveProblem, undefined);
    const stored = (await reopen(dir)).get(hostile.id);
    assert.ok(stored);
    assert.equal(Buffer.byteLength(stored.body), 16 * 1024);
    assert.equal(stored.bodyTruncated, true);
    assert.equal(stored.bodyBytes, 200_000);
    assert.doesNotThrow(() => JSON.stringify(stored));
    assert.deepEqual((await storedIds(dir))[0], after.id);
  }));

for (const maxHistory of [500, 5000]) {
  test(`bytes written per callback stay under 4× its size at maxHistory ${maxHistory}`, () =>
    withTempDir(async (dir) => {
      const store = await reopen(dir, maxHistory);
      for (let i = 0; i < maxHistory; i++) await store.add(realisticCallback());
      await store.flush();
      const before = store.stats().bytesWritten;
      let callbackBytes = 0;
      let syncMs = 0;
      const count = 2 * maxHistory;
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const callback = realisticCallback();
        callbackBytes += Buffer.byteLength(JSON.stringify(callback));
        const before = performance.now();
        const saved = store.add(callback);
        syncMs += performance.now() - before;
        await saved;
      }
      await store.flush();
      const perAppendMs = (performance.now() - started) / count;
      const ratio = (store.stats().bytesWritten - before) / callbackBytes;
      console.log(
        `maxHistory ${maxHistory}: ${Math.round(callbackBytes / count)} B per callback, written ${ratio.toFixed(2)}× its size, ` +
          `${perAppendMs.toFixed(3)} ms per saved append (${(syncMs / count).toFixed(3)} ms on the event loop), ` +
          `${store.stats().compactions} compactions`,
      );
      assert.ok(ratio <= 4, `wrote ${ratio.toFixed(2)}× the callbacks' size`);
      assert.equal((await stat(join(dir, JOURNAL))).size, store.stats().fileBytes);
    }));
}

test('a burst of concurrent adds: a reader never sees a damaged journal, and every entry is saved', () =>
  withTempDir(async (dir) => {
    const store = await reopen(dir, 60);
    const path = join(dir, JOURNAL);
    await store.add(sampleCallback());
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const read = readJournal(await readFile(path, 'utf8'), 60);
        assert.equal(read.kind, 'entries');
        assert.equal(read.kind === 'entries' && read.corruptLines, 0);
        reads++;
      }
    })();
    const callbacks = Array.from({ length: 300 }, () => sampleCallback({ body: 'x'.repeat(2000) }));
    for (let start = 0; start < callbacks.length; start += 20) {
      await Promise.all(callbacks.slice(start, start + 20).map((callback) => store.add(callback)));
    }
    await store.flush();
    writing = false;
    await reader;
    assert.ok(reads > 0, 'the reader saw the file while it was being written');
    assert.ok(store.stats().compactions > 0, 'compactions ran during the burst');
    assert.deepEqual(await readdir(dir), [JOURNAL]);
    assert.deepEqual(
      (await reopen(dir, 60)).list().map((callback) => callback.id),
      callbacks
        .slice(-60)
        .map((callback) => callback.id)
        .reverse(),
    );
  }));

test('nothing is written before load(), so an early add cannot replace the saved history', () =>
  withTempDir(async (dir) => {
    const saved = sampleCallback();
    const first = await reopen(dir);
    await first.add(saved);
    await first.dispose();
    const early = storeAt(dir);
    await early.add(sampleCallback());
    await early.flush();
    assert.deepEqual(await storedIds(dir), [saved.id]);
  }));

/** Callbacks as the listener makes them from real requests: a form POST, a JSON POST, a GET with a query. */
async function listenerCallbacks(requests: { path: string; init: RequestInit }[]): Promise<ReceivedCallback[]> {
  const listener = await startListener();
  try {
    const received = nextCallbacks(listener, requests.length);
    for (const { path, init } of requests) await (await fetch(`${listener.url}${path}`, init)).arrayBuffer();
    return await received;
  } finally {
    await listener.stop();
  }
}

const form = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
});

test('a callback the listener accepted is saved without its params, kind and summary, and reads back whole', () =>
  withTempDir(async (dir) => {
    const callbacks = await listenerCallbacks([
      { path: '/cb', init: form('CallUUID=u-1&RecordUrl=https%3A%2F%2Fmedia.example%2Fr.mp3&RecordingDuration=7') },
      {
        path: '/cb',
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ api_id: 'a-1', response: { url: 'https://media.example/a.mp3', recording_id: 'r' } }),
        },
      },
      { path: '/cb?transcription=hello%20there&call_uuid=u-2', init: { method: 'GET' } },
    ]);
    assert.deepEqual(
      callbacks.map((callback) => [callback.kind, callback.paramsFromRequest]),
      [
        ['record', true],
        ['async', true],
        ['transcription', true],
      ],
    );
    const store = await reopen(dir);
    for (const callback of callbacks) await store.add(callback);
    await store.dispose();

    const lines = (await readFile(join(dir, JOURNAL), 'utf8')).trimEnd().split('\n');
    assert.equal(lines[0], '{"format":"plivo-callbacks","version":3}');
    for (const line of lines.slice(1)) assert.doesNotMatch(line, /"params"|"summary"|"kind"/);
    const newestFirst = [...callbacks].reverse();
    assert.deepEqual((await reopen(dir)).list(), newestFirst);
    assert.deepEqual(store.list(), newestFirst);
  }));

test('params that are not what the kept request reads as are saved as they are', () =>
  withTempDir(async (dir) => {
    // A 20 KiB body is cut to 16 KiB when stored: its last field would be lost if params were read from it again.
    const [long] = await listenerCallbacks([{ path: '/cb', init: form(`a=${'x'.repeat(20 * 1024)}&CallUUID=last`) }]);
    const made = sampleCallback({ params: { CallUUID: 'not-in-the-body' } });
    const store = await reopen(dir);
    await store.add(long);
    await store.add(made);
    await store.dispose();
    const reopened = await reopen(dir);
    assert.equal(reopened.get(long.id)?.params.CallUUID, 'last');
    assert.equal(reopened.get(long.id)?.bodyTruncated, true);
    assert.equal(reopened.get(long.id)?.paramsFromRequest, undefined);
    assert.deepEqual(reopened.get(made.id), made);
  }));

test('an update keeps params read from the request; one that changes the request keeps them as they were', () =>
  withTempDir(async (dir) => {
    const [callback] = await listenerCallbacks([{ path: '/cb', init: form('CallUUID=u-1&RecordUrl=r') }]);
    const store = await reopen(dir);
    await store.add(callback);
    const forward = { targetUrl: 'http://127.0.0.1:1/', ok: false, durationMs: 1, responseSnippet: '' };
    await store.update(callback.id, { forward });
    await store.update(callback.id, { body: 'CallUUID=edited' });
    await store.dispose();
    for (const reader of [store, await reopen(dir)]) {
      const entry = reader.get(callback.id);
      assert.deepEqual(entry?.forward, forward);
      assert.equal(entry?.body, 'CallUUID=edited');
      assert.deepEqual(entry?.params, { CallUUID: 'u-1', RecordUrl: 'r' });
      assert.equal(entry?.paramsFromRequest, undefined);
    }
  }));

test('a version 2 journal is rewritten as version 3 before lines without params are added to it', () =>
  withTempDir(async (dir) => {
    const old = sampleCallback();
    await writeFile(
      join(dir, JOURNAL),
      `{"format":"plivo-callbacks","version":2}\n${JSON.stringify({ op: 'add', entry: old })}\n`,
    );
    const [callback] = await listenerCallbacks([{ path: '/cb', init: form('CallUUID=u-1') }]);
    const store = storeAt(dir);
    assert.deepEqual(await store.load(), {});
    await store.add(callback);
    await store.dispose();
    const text = await readFile(join(dir, JOURNAL), 'utf8');
    assert.ok(text.startsWith('{"format":"plivo-callbacks","version":3}\n'), text.slice(0, 80));
    assert.deepEqual((await reopen(dir)).list(), [callback, old]);
  }));

test('a saved request that no longer parses (a hand-edited file) loads with no params instead of failing', () =>
  withTempDir(async (dir) => {
    const [callback] = await listenerCallbacks([{ path: '/cb', init: form('CallUUID=u-1') }]);
    const store = await reopen(dir);
    await store.add(callback);
    await store.dispose();
    const text = await readFile(join(dir, JOURNAL), 'utf8');
    await writeFile(join(dir, JOURNAL), text.replace('"body":"CallUUID=u-1"', '"body":"CallUUID=%zz"'));
    const reopened = storeAt(dir);
    assert.deepEqual(await reopened.load(), {});
    const entry = reopened.get(callback.id);
    assert.deepEqual([entry?.params, entry?.kind, entry?.summary], [{}, 'unknown', {}]);
    assert.equal(entry?.paramsFromRequest, undefined);
  }));
