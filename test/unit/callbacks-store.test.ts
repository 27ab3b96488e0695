import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CallbackStore } from '../../src/callbacks/store';
import { sampleCallback, withTempDir } from './helpers/callbacks';

async function storedIds(dir: string): Promise<string[]> {
  const file = JSON.parse(await readFile(join(dir, 'callbacks.json'), 'utf8')) as { callbacks: Array<{ id: string }> };
  return file.callbacks.map((callback) => callback.id);
}

test('missing file loads empty without a warning', () =>
  withTempDir(async (dir) => {
    const store = new CallbackStore(join(dir, 'not-yet-created'));
    assert.deepEqual(await store.load(), {});
    assert.deepEqual(store.list(), []);
    await store.add(sampleCallback());
    assert.equal(store.list().length, 1, 'creates the directory on first save');
  }));

test('add/list/get: newest first, persisted for a new instance on the same directory', () =>
  withTempDir(async (dir) => {
    const store = new CallbackStore(dir);
    await store.load();
    const [a, b] = [sampleCallback(), sampleCallback()];
    await store.add(a);
    await store.add(b);
    assert.deepEqual(
      store.list().map((callback) => callback.id),
      [b.id, a.id],
    );
    assert.deepEqual(store.get(a.id), a);
    assert.equal(store.get('nope'), undefined);

    const reopened = new CallbackStore(dir);
    assert.deepEqual(await reopened.load(), {});
    assert.deepEqual(reopened.list(), [b, a]);
  }));

test('update merges a patch and persists it; unknown ids resolve undefined', () =>
  withTempDir(async (dir) => {
    const store = new CallbackStore(dir);
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
    const reopened = new CallbackStore(dir);
    await reopened.load();
    assert.deepEqual(reopened.get(callback.id)?.forward, forward);
  }));

test('maxHistory drops the oldest, on add and when lowered', () =>
  withTempDir(async (dir) => {
    const store = new CallbackStore(dir, { maxHistory: 3 });
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

test('clear empties memory and file; onDidChange fires until disposed', () =>
  withTempDir(async (dir) => {
    const store = new CallbackStore(dir);
    let changes = 0;
    const subscription = store.onDidChange(() => changes++);
    await store.load();
    await store.add(sampleCallback());
    await store.clear();
    assert.equal(changes, 3);
    assert.deepEqual(await storedIds(dir), []);
    subscription.dispose();
    await store.add(sampleCallback());
    assert.equal(changes, 3);
  }));

test('a corrupt file is moved aside with a warning and the store starts empty', () =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, 'callbacks.json'), '{"version":1,"callbacks":[{"id":');
    const store = new CallbackStore(dir);
    const { warning } = await store.load();
    assert.match(warning ?? '', /was corrupt .*moved to .*callbacks\.json\.corrupt-/);
    assert.deepEqual(store.list(), []);
    const files = await readdir(dir);
    assert.equal(files.filter((name) => name.startsWith('callbacks.json.corrupt-')).length, 1);
    assert.ok(!files.includes('callbacks.json'));
    await store.add(sampleCallback());
    assert.equal((await storedIds(dir)).length, 1);
  }));

test('valid JSON of the wrong shape counts as corrupt; malformed entries are skipped', () =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, 'callbacks.json'), '[1,2,3]');
    assert.match((await new CallbackStore(dir).load()).warning ?? '', /no "callbacks" list/);
    const good = sampleCallback();
    await writeFile(
      join(dir, 'callbacks.json'),
      JSON.stringify({ version: 1, callbacks: [good, { id: 5 }, null, 'x'] }),
    );
    const store = new CallbackStore(dir);
    assert.deepEqual(await store.load(), {});
    assert.deepEqual(store.list(), [good]);
  }));

test('an unreadable file (a directory in its place) is reported, not thrown', () =>
  withTempDir(async (dir) => {
    await mkdir(join(dir, 'callbacks.json'));
    const store = new CallbackStore(dir);
    assert.match((await store.load()).warning ?? '', /could not be read \(EISDIR\)/);
    assert.deepEqual(store.list(), []);
  }));

test('a failed save rejects but keeps the entry in memory', () =>
  withTempDir(async (dir) => {
    const blocked = join(dir, 'file-not-dir');
    await writeFile(blocked, '');
    const store = new CallbackStore(blocked);
    const callback = sampleCallback();
    await assert.rejects(store.add(callback));
    assert.deepEqual(store.list(), [callback]);
  }));

test('burst of writes: serialized, file always parseable, no temp files left, all entries saved', () =>
  withTempDir(async (dir) => {
    const store = new CallbackStore(dir, { maxHistory: 1000 });
    await store.load();
    const first = sampleCallback();
    await store.add(first);
    const path = join(dir, 'callbacks.json');
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        JSON.parse(await readFile(path, 'utf8'));
        reads++;
      }
    })();
    const callbacks = Array.from({ length: 200 }, () => sampleCallback({ body: 'x'.repeat(2000) }));
    // Bursts of 20 concurrent adds, so several rewrites overlap the reader.
    for (let start = 0; start < callbacks.length; start += 20) {
      await Promise.all(callbacks.slice(start, start + 20).map((callback) => store.add(callback)));
    }
    writing = false;
    await reader;
    assert.ok(reads > 0, 'the reader saw the file while it was being rewritten');
    assert.deepEqual(await readdir(dir), ['callbacks.json']);
    assert.deepEqual(await storedIds(dir), [first, ...callbacks].map((callback) => callback.id).reverse());
  }));
