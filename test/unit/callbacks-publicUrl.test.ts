import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CALLBACK_PATHS,
  callbackUrlsFor,
  checkPublicUrl,
  refreshRememberedUrl,
  remoteWindowAdvice,
  resolveCallbackBase,
} from '../../src/callbacks/publicUrl';

const ALL = {
  configuredPublicUrl: 'https://configured.example.com/',
  detectedTunnelUrl: 'https://abc.ngrok-free.app/',
  forwardedUrl: 'http://localhost:8090/proxy/8787/',
  localUrl: 'http://127.0.0.1:8787',
};

test('resolver order: publicUrl, then detected tunnel, then forwarded, then local', () => {
  const pick = (c: Partial<typeof ALL>) => {
    const r = resolveCallbackBase(c);
    return [r.url, r.source];
  };
  assert.deepEqual(pick(ALL), ['https://configured.example.com', 'publicUrl']);
  assert.deepEqual(pick({ ...ALL, configuredPublicUrl: '  ' }), ['https://abc.ngrok-free.app', 'tunnel']);
  assert.deepEqual(pick({ ...ALL, configuredPublicUrl: '', detectedTunnelUrl: undefined }), [
    'http://localhost:8090/proxy/8787',
    'forwarded',
  ]);
  assert.deepEqual(pick({ localUrl: ALL.localUrl }), ['http://127.0.0.1:8787', 'local']);
  assert.deepEqual(pick({ localUrl: ALL.localUrl, forwardedUrl: 'http://127.0.0.1:8787/' }), [
    'http://127.0.0.1:8787',
    'local',
  ]);
  assert.deepEqual(resolveCallbackBase({}), { warnings: [], errors: [] });
});

test('a configured publicUrl with a path or query is reported and skipped; http is used with a warning', () => {
  const withPath = resolveCallbackBase({ ...ALL, configuredPublicUrl: 'https://abc.ngrok.app/plivo/recording' });
  assert.equal(withPath.source, 'tunnel');
  assert.deepEqual(withPath.errors, [
    'plivo.listener.publicUrl "https://abc.ngrok.app/plivo/recording" has a path or query; give only the tunnel\'s base URL (https://abc.ngrok.app): the listener paths such as /plivo/recording are added to it. It is not used until fixed.',
  ]);
  const withQuery = resolveCallbackBase({ localUrl: ALL.localUrl, configuredPublicUrl: 'https://abc.ngrok.app?x=1' });
  assert.equal(withQuery.source, 'local');
  assert.equal(withQuery.errors.length, 1);

  const http = resolveCallbackBase({ ...ALL, configuredPublicUrl: 'http://ABC.example.com:80/' });
  assert.deepEqual(http, {
    url: 'http://abc.example.com',
    source: 'publicUrl',
    warnings: [
      'plivo.listener.publicUrl http://abc.example.com is not https: callbacks and their signatures would cross the internet unencrypted',
    ],
    errors: [],
  });
});

test('checkPublicUrl explains each kind of bad value', () => {
  assert.deepEqual(checkPublicUrl('abc.ngrok.app'), {
    error: 'plivo.listener.publicUrl "abc.ngrok.app" has no scheme: write it as https://abc.ngrok.app',
  });
  assert.deepEqual(checkPublicUrl('ftp://x.example'), {
    error: 'plivo.listener.publicUrl must be an https:// URL, not ftp:',
  });
  assert.deepEqual(checkPublicUrl('https://exa mple'), {
    error: 'plivo.listener.publicUrl "https://exa mple" is not a valid URL',
  });
  assert.deepEqual(checkPublicUrl('https://u:p@x.example'), {
    error: 'plivo.listener.publicUrl must not contain a user name or password',
  });
  assert.match((checkPublicUrl('https://x.example/#a') as { error: string }).error, /has a path or query/);
  assert.deepEqual(checkPublicUrl(' https://x.example:8443 '), { url: 'https://x.example:8443' });
  assert.match(
    (checkPublicUrl('https://127.0.0.1:8787') as { warning: string }).warning,
    /on this machine: Plivo's servers cannot reach it/,
  );
});

test('callbackUrlsFor joins the listener paths to a base, with or without a trailing slash', () => {
  assert.deepEqual(callbackUrlsFor('https://abc.ngrok.app/'), {
    recording: 'https://abc.ngrok.app/plivo/recording',
    transcription: 'https://abc.ngrok.app/plivo/transcription',
    async: 'https://abc.ngrok.app/plivo/recording',
  });
  assert.equal(
    callbackUrlsFor('http://h:8090/proxy/8787').transcription,
    'http://h:8090/proxy/8787' + CALLBACK_PATHS.transcription,
  );
});

test('a remembered URL at an old listener port, old tunnel or old forwarded base moves to the current base', () => {
  const current = {
    base: 'https://new.trycloudflare.com',
    localUrl: 'http://127.0.0.1:8788',
    previousBases: ['https://my-static.example.com/tunnel'],
  };
  const cases: [string, string][] = [
    ['http://127.0.0.1:8787/plivo/recording', 'https://new.trycloudflare.com/plivo/recording'],
    ['http://localhost:8787/plivo/transcription?x=1', 'https://new.trycloudflare.com/plivo/transcription?x=1'],
    ['http://127.0.0.1:8788/anything', 'https://new.trycloudflare.com/anything'],
    ['https://old-words.trycloudflare.com/plivo/recording', 'https://new.trycloudflare.com/plivo/recording'],
    ['https://old.ngrok-free.app/plivo/recording', 'https://new.trycloudflare.com/plivo/recording'],
    ['http://localhost:8090/proxy/8787/plivo/recording', 'https://new.trycloudflare.com/plivo/recording'],
    ['https://my-static.example.com/tunnel/plivo/recording', 'https://new.trycloudflare.com/plivo/recording'],
  ];
  for (const [remembered, expected] of cases) {
    assert.deepEqual(
      refreshRememberedUrl(remembered, current),
      { action: 'rewritten', url: expected, from: remembered },
      remembered,
    );
  }
});

test("the current base and the user's own apps are kept; nothing stale survives a stopped listener", () => {
  const current = {
    base: 'http://h:8090/proxy/8788',
    localUrl: 'http://127.0.0.1:8788',
    appOrigins: ['http://localhost:3000'],
  };
  for (const url of [
    'http://h:8090/proxy/8788/plivo/recording',
    'http://localhost:3000/plivo/recording',
    'http://localhost:3000/hooks/plivo',
    'https://my-app.example.com/plivo/recording',
  ]) {
    assert.deepEqual(refreshRememberedUrl(url, current), { action: 'kept', url });
  }
  assert.deepEqual(refreshRememberedUrl('http://127.0.0.1:8787/plivo/recording', {}), {
    action: 'dropped',
    from: 'http://127.0.0.1:8787/plivo/recording',
    reason:
      'http://127.0.0.1:8787/plivo/recording pointed at an earlier callback listener, and the listener is not running now',
  });
  assert.deepEqual(refreshRememberedUrl('not a url', current), {
    action: 'dropped',
    from: 'not a url',
    reason: '"not a url" is not an http(s) URL',
  });
});

test('remote windows get one message on why the forwarded URL is not enough', () => {
  assert.equal(remoteWindowAdvice(undefined, 8787), undefined);
  assert.match(
    remoteWindowAdvice('codespaces', 8787, 'https://x-8787.app.github.dev') ?? '',
    /forwarded as https:\/\/x-8787\.app\.github\.dev\. .*right-click port 8787 → Port Visibility → Public/,
  );
  assert.equal(
    remoteWindowAdvice('ssh-remote', 8787, 'http://localhost:8787'),
    "The callback listener runs on a machine over SSH, on 127.0.0.1:8787. The editor forwards it to your computer as http://localhost:8787, but that address is private to you: Plivo's servers need a public URL. Start a tunnel on that host (Plivo: Start Public Tunnel), or set plivo.listener.publicUrl to one you run yourself.",
  );
  assert.match(
    remoteWindowAdvice('some-remote', 9000) ?? '',
    /^The callback listener runs on a remote host \(some-remote\), on 127\.0\.0\.1:9000\. The editor forwards it to your computer, but/,
  );
});
