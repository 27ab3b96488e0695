import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  DownloadError,
  RecordingCache,
  downloadRecording,
  mayReceiveCredentials,
  type DownloadOptions,
  type DownloadProgress,
} from '../../src/plivo';
import { rejectsWithCode } from './helpers/rejects';

const credentials = { authId: 'MAAAAAAAAAAAAAAAAAAA', authToken: 'secret-token' };
const AUDIO = Buffer.alloc(64 * 1024, 7);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A stand-in recording host on loopback; each test sets the routes it needs. */
class FileHost {
  readonly requests: IncomingMessage[] = [];
  readonly routes = new Map<string, Handler>();
  url = '';
  readonly #server: Server = createServer((req, res) => {
    this.requests.push(req);
    const route = this.routes.get(req.url ?? '');
    if (route) route(req, res);
    else res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
  });

  static async start(): Promise<FileHost> {
    const host = new FileHost();
    await new Promise<void>((resolve) => host.#server.listen(0, '127.0.0.1', resolve));
    host.url = `http://127.0.0.1:${(host.#server.address() as AddressInfo).port}`;
    return host;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function audio(type = 'audio/mpeg', body = AUDIO): Handler {
  return (_req, res) => res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length }).end(body);
}

describe('downloadRecording over loopback HTTP', () => {
  let host: FileHost;
  let elsewhere: FileHost;
  let dir: string;
  let file: string;

  before(async () => {
    host = await FileHost.start();
    elsewhere = await FileHost.start();
  });
  after(async () => {
    await host.close();
    await elsewhere.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plivo-download-'));
    file = join(dir, 'rec.mp3');
    host.routes.clear();
    host.requests.length = 0;
    elsewhere.routes.clear();
    elsewhere.requests.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const options = (path: string, extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    url: host.url + path,
    file,
    credentials,
    apiBaseUrl: host.url,
    idleTimeoutMs: 1000,
    ...extra,
  });

  /** Every failure must leave the directory as it was: no file, no `.part`. */
  async function assertNothingLeft(): Promise<void> {
    assert.deepEqual(await readdir(dir), []);
  }

  test('streams the file with progress, sending credentials to the API origin', async () => {
    host.routes.set('/r.mp3', audio());
    const progress: DownloadProgress[] = [];
    const result = await downloadRecording(options('/r.mp3', { onProgress: (p) => progress.push(p) }));
    assert.deepEqual(result, { file, bytes: AUDIO.length, contentType: 'audio/mpeg' });
    assert.deepEqual(await readFile(file), AUDIO);
    assert.deepEqual(await readdir(dir), ['rec.mp3']);
    assert.equal(progress[0].receivedBytes, 0);
    assert.deepEqual(progress.at(-1), { receivedBytes: AUDIO.length, totalBytes: AUDIO.length });
    const expected = `Basic ${Buffer.from(`${credentials.authId}:${credentials.authToken}`).toString('base64')}`;
    assert.equal(host.requests[0].headers.authorization, expected);
  });

  test('accepts application/octet-stream and a missing Content-Type', async () => {
    host.routes.set('/bin', audio('application/octet-stream'));
    host.routes.set('/none', (_req, res) => {
      res.removeHeader('Content-Type');
      res.writeHead(200, { 'Content-Length': AUDIO.length }).end(AUDIO);
    });
    await downloadRecording(options('/bin'));
    await downloadRecording(options('/none'));
    assert.deepEqual(await readFile(file), AUDIO);
  });

  test('a compressed body is stored inflated, its Content-Length not mistaken for the file size', async () => {
    const gzipped = gzipSync(AUDIO);
    host.routes.set('/gz', (_req, res) =>
      res
        .writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Encoding': 'gzip', 'Content-Length': gzipped.length })
        .end(gzipped),
    );
    const result = await downloadRecording(options('/gz'));
    assert.equal(result.bytes, AUDIO.length);
    assert.deepEqual(await readFile(file), AUDIO);
  });

  test('never sends the credentials to another host, directly or through a redirect', async () => {
    elsewhere.routes.set('/r.mp3', audio());
    await downloadRecording(options('/x', { url: `${elsewhere.url}/r.mp3` }));
    host.routes.set('/moved', (_req, res) => res.writeHead(302, { Location: `${elsewhere.url}/r.mp3` }).end());
    await downloadRecording(options('/moved'));
    assert.equal(elsewhere.requests.length, 2);
    for (const req of elsewhere.requests) assert.equal(req.headers.authorization, undefined);
    assert.ok(host.requests[0].headers.authorization, 'the API origin itself gets them');
    assert.deepEqual(await readFile(file), AUDIO);
  });

  test('mayReceiveCredentials: only the API origin and Plivo hosts over https', () => {
    assert.equal(mayReceiveCredentials('https://api.plivo.com/v1/x.mp3'), true);
    assert.equal(mayReceiveCredentials('https://media.plivo.com/v1/Account/MA/Recording/r.mp3'), true);
    assert.equal(mayReceiveCredentials('http://media.plivo.com/r.mp3'), false);
    assert.equal(mayReceiveCredentials('https://media.plivo.com:8443/r.mp3'), false);
    assert.equal(mayReceiveCredentials('https://media.plivo.com.example.com/r.mp3'), false);
    assert.equal(mayReceiveCredentials('https://s3.amazonaws.com/recordings_2013/r.mp3'), false);
    assert.equal(mayReceiveCredentials('http://127.0.0.1:4000/recordings/r.mp3', 'http://127.0.0.1:4000'), true);
    assert.equal(mayReceiveCredentials('http://127.0.0.1:4001/recordings/r.mp3', 'http://127.0.0.1:4000'), false);
    assert.equal(mayReceiveCredentials('not a url'), false);
  });

  test('404 and 410 are "expired"; 401 and 403 say so; 5xx is retryable', async () => {
    host.routes.set('/gone', (_req, res) => res.writeHead(410).end());
    host.routes.set('/401', (_req, res) => res.writeHead(401).end());
    host.routes.set('/403', (_req, res) => res.writeHead(403).end());
    host.routes.set('/503', (_req, res) => res.writeHead(503).end());
    const expired = await rejectsWithCode(downloadRecording(options('/missing')), DownloadError, 'expired');
    assert.match(expired.message, /no longer available \(404\)/);
    assert.equal(expired.retryable, false);
    await rejectsWithCode(downloadRecording(options('/gone')), DownloadError, 'expired');
    assert.match(
      (await rejectsWithCode(downloadRecording(options('/401')), DownloadError, 'unauthorized')).message,
      /Auth Token/,
    );
    await rejectsWithCode(downloadRecording(options('/403')), DownloadError, 'forbidden');
    assert.equal(
      (await rejectsWithCode(downloadRecording(options('/503')), DownloadError, 'http-error')).retryable,
      true,
    );
    await assertNothingLeft();
  });

  test('an HTML page or a JSON message is refused with what it said', async () => {
    host.routes.set(
      '/login',
      audio('text/html; charset=utf-8', Buffer.from('<html><body>Please log in</body></html>')),
    );
    host.routes.set('/json', audio('application/json', Buffer.from('{"error": "recording expired"}')));
    const html = await rejectsWithCode(downloadRecording(options('/login')), DownloadError, 'not-audio');
    assert.match(html.message, /a web page instead of audio/);
    const json = await rejectsWithCode(downloadRecording(options('/json')), DownloadError, 'not-audio');
    assert.match(json.message, /a JSON message instead of audio: "\{"error": "recording expired"\}"/);
    await assertNothingLeft();
  });

  test('a file over the cap fails, whether announced by Content-Length or not', async () => {
    host.routes.set('/announced', audio());
    host.routes.set('/chunked', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/mpeg' });
      res.write(AUDIO);
      res.end(AUDIO);
    });
    const announced = await rejectsWithCode(
      downloadRecording(options('/announced', { maxBytes: 1000 })),
      DownloadError,
      'too-large',
    );
    assert.match(announced.message, /larger than the 0 MB download limit/);
    await rejectsWithCode(
      downloadRecording(options('/chunked', { maxBytes: AUDIO.length + 10 })),
      DownloadError,
      'too-large',
    );
    await assertNothingLeft();
  });

  test('a connection cut mid-file is an interruption, retryable', async () => {
    host.routes.set('/cut', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': AUDIO.length * 2 });
      res.write(AUDIO, () => setTimeout(() => res.destroy(), 20));
    });
    const error = await rejectsWithCode(downloadRecording(options('/cut')), DownloadError, 'network');
    assert.match(error.message, /interrupted after \d+ of 131072 bytes/);
    assert.equal(error.retryable, true);
    await assertNothingLeft();
  });

  // The 'timeout' code is given only when the idle deadline fired; the test's timeout is the hang guard.
  test('a server that stops sending times out', { timeout: 20_000 }, async () => {
    host.routes.set('/stall', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': AUDIO.length * 2 });
      res.write(AUDIO); // then nothing
    });
    const started = performance.now();
    const error = await rejectsWithCode(
      downloadRecording(options('/stall', { idleTimeoutMs: 200 })),
      DownloadError,
      'timeout',
    );
    const elapsed = performance.now() - started;
    assert.match(error.message, /sent nothing for 0\.2 s/);
    assert.ok(elapsed >= 190, `gave up after ${Math.round(elapsed)} ms, before the idle deadline`);
    assert.equal(error.retryable, true);
    await assertNothingLeft();
  });

  // A deadline several times too long still times out against a server that stops for good. Here the whole file
  // comes, 2.5× the idle limit late, so such a deadline lets it through and the download succeeds. Timer order,
  // not the clock, decides: Node fires timers in the order they fall due, and the late part's timer is armed only
  // after downloadRecording (re)armed its idle timer, so the idle timer falls due first on any machine.
  for (const phase of ['headers', 'body'] as const) {
    test(
      `a whole file 2.5× the idle limit late (${phase} late): a timeout, so the idle deadline is not too long`,
      { timeout: 20_000 },
      async () => {
        const head = AUDIO.subarray(0, 1024);
        const lateParts: Promise<void>[] = [];
        const sendLate = (send: () => void): void => {
          lateParts.push(new Promise((resolve) => setTimeout(() => resolve(send()), 500)));
        };
        let response: ServerResponse | undefined;
        host.routes.set('/late', (_req, res) => {
          const headers = { 'Content-Type': 'audio/mpeg', 'Content-Length': AUDIO.length };
          // Deterministic order: armed on the request's arrival, after the idle timer was armed before fetch.
          if (phase === 'headers') return sendLate(() => res.writeHead(200, headers).end(AUDIO));
          res.writeHead(200, headers).write(head); // the rest is sent once the client has read this much
          response = res;
        });
        const onProgress = ({ receivedBytes }: DownloadProgress): void => {
          if (phase === 'body' && receivedBytes === head.length) {
            // Deterministic order: the idle timer is re-armed as soon as this returns, before the next read.
            setImmediate(() => sendLate(() => response?.end(AUDIO.subarray(head.length))));
          }
        };

        const error = await rejectsWithCode(
          downloadRecording(options('/late', { idleTimeoutMs: 200, onProgress })),
          DownloadError,
          'timeout',
        );
        assert.match(error.message, /sent nothing for 0\.2 s/);
        await assertNothingLeft();
        await Promise.all(lateParts);

        // The same late file is a good one: with an idle limit far beyond its delay the download takes it.
        lateParts.length = 0;
        const result = await downloadRecording(options('/late', { idleTimeoutMs: 10_000, onProgress }));
        assert.deepEqual(result, { file, bytes: AUDIO.length, contentType: 'audio/mpeg' });
        assert.deepEqual(await readFile(file), AUDIO);
        await Promise.all(lateParts);
      },
    );
  }

  test('cancelling through the AbortSignal stops the download and removes the partial file', async () => {
    host.routes.set('/slow', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': AUDIO.length * 4 });
      res.write(AUDIO); // the rest never comes; the caller cancels
    });
    const controller = new AbortController();
    const promise = downloadRecording(
      options('/slow', {
        signal: controller.signal,
        onProgress: (p) => p.receivedBytes > 0 && controller.abort(),
      }),
    );
    await rejectsWithCode(promise, DownloadError, 'cancelled');
    await assertNothingLeft();
    await rejectsWithCode(
      downloadRecording(options('/slow', { signal: controller.signal })),
      DownloadError,
      'cancelled',
    );
  });

  test('a full disk fails with disk-full and leaves nothing behind', { skip: !existsSync('/dev/full') }, async () => {
    host.routes.set('/r.mp3', audio());
    // The partial file is written through a link to /dev/full, where every write fails with ENOSPC.
    await symlink('/dev/full', `${file}.part`);
    const error = await rejectsWithCode(downloadRecording(options('/r.mp3')), DownloadError, 'disk-full');
    assert.match(error.message, /disk is full/);
    await assertNothingLeft();
  });

  test('an existing file is replaced only once the new one is complete', async () => {
    await writeFile(file, 'old');
    host.routes.set('/cut', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': AUDIO.length * 2 });
      res.write(AUDIO, () => res.destroy());
    });
    await rejectsWithCode(downloadRecording(options('/cut')), DownloadError, 'network');
    assert.equal(await readFile(file, 'utf8'), 'old');
    assert.deepEqual(await readdir(dir), ['rec.mp3']);
  });

  test('unreachable hosts and bad URLs fail clearly', async () => {
    const closed = await FileHost.start();
    const url = `${closed.url}/r.mp3`;
    await closed.close();
    assert.match(
      (await rejectsWithCode(downloadRecording(options('', { url })), DownloadError, 'network')).message,
      /connection refused/,
    );
    await rejectsWithCode(
      downloadRecording(options('', { url: 'ftp://example.com/r.mp3' })),
      DownloadError,
      'invalid-url',
    );
    await rejectsWithCode(downloadRecording(options('', { url: 'recording.mp3' })), DownloadError, 'invalid-url');
    await assertNothingLeft();
  });
});

describe('RecordingCache', () => {
  let dir: string;

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'plivo-cache-')), 'cache');
  });
  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  const fill = (bytes: number) => async (file: string) => writeFile(file, Buffer.alloc(bytes));

  test('downloads once, then serves from the cache; concurrent requests share the download', async () => {
    const cache = new RecordingCache(dir, 1000);
    let downloads = 0;
    const download = async (file: string) => {
      downloads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      await writeFile(file, 'audio');
    };
    const [a, b] = await Promise.all([cache.ensure('rec-1', 'mp3', download), cache.ensure('rec-1', 'mp3', download)]);
    assert.equal(a, join(dir, 'rec-1.mp3'));
    assert.equal(b, a);
    assert.equal(await cache.ensure('rec-1', 'mp3', download), a);
    assert.equal(downloads, 1);
    assert.equal(await cache.lookup('rec-1', 'wav'), undefined);
  });

  test('evicts the least recently used files beyond the limit, never the one just fetched', async () => {
    const cache = new RecordingCache(dir, 250);
    const t = Date.now() / 1000;
    for (const [i, id] of ['old', 'mid', 'new'].entries()) {
      await cache.ensure(id, 'mp3', fill(100));
      await utimes(join(dir, `${id}.mp3`), t - 300 + i * 100, t - 300 + i * 100);
    }
    assert.deepEqual((await readdir(dir)).sort(), ['mid.mp3', 'new.mp3']);
    // Using "mid" makes "new" the least recently used.
    await utimes(join(dir, 'new.mp3'), t - 50, t - 50);
    assert.ok(await cache.lookup('mid', 'mp3'));
    await cache.ensure('big', 'wav', fill(200));
    assert.deepEqual((await readdir(dir)).sort(), ['big.wav']);
    // A file larger than the whole cache is still kept: it is the one being played.
    await cache.ensure('huge', 'wav', fill(400));
    assert.deepEqual(await readdir(dir), ['huge.wav']);
    assert.deepEqual(await cache.usage(), { files: 1, bytes: 400 });
  });

  test('leaves downloads in flight alone and removes stale partial files', async () => {
    const cache = new RecordingCache(dir, 10);
    await cache.ensure('a', 'mp3', fill(5));
    await writeFile(join(dir, 'b.mp3.part'), Buffer.alloc(50));
    await writeFile(join(dir, 'c.mp3.part'), Buffer.alloc(50));
    const hourAgo = Date.now() / 1000 - 3700;
    await utimes(join(dir, 'c.mp3.part'), hourAgo, hourAgo);
    assert.deepEqual(await cache.prune(), [join(dir, 'c.mp3.part')]);
    assert.deepEqual((await readdir(dir)).sort(), ['a.mp3', 'b.mp3.part']);
    await cache.clear();
    assert.deepEqual(await readdir(dir), ['b.mp3.part']);
  });

  test('a failed download leaves nothing and is not cached', async () => {
    const cache = new RecordingCache(dir);
    await assert.rejects(
      cache.ensure('r', 'mp3', async () => {
        throw new DownloadError('expired', 'gone');
      }),
      /gone/,
    );
    assert.deepEqual(await readdir(dir), []);
    assert.equal(await cache.lookup('r', 'mp3'), undefined);
  });

  test('ids and formats cannot leave the cache directory', async () => {
    const cache = new RecordingCache(dir);
    for (const [id, format] of [
      ['../x', 'mp3'],
      ['a/b', 'mp3'],
      ['', 'mp3'],
      ['r', '../mp3'],
      ['r', 'mp3/x'],
    ]) {
      assert.throws(() => cache.fileFor(id, format), /not a recording/);
    }
    assert.throws(() => new RecordingCache(dir, 0), RangeError);
    assert.equal((await stat(join(dir, '..'))).isDirectory(), true);
  });
});
