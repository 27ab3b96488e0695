// Shared fixtures for the callback tests: a running listener and event waits (no fixed sleeps).
// The stand-in user app is CallbackReceiver (sandboxReceiver.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackListener, type ListenerOptions } from '../../../src/callbacks/listener';
import type { ReceivedCallback } from '../../../src/callbacks/model';

export const TOKEN = 'test-auth-token-0123456789abcdefghijklmn';

export async function startListener(
  options: Partial<ListenerOptions> = {},
): Promise<CallbackListener & { url: string }> {
  const listener = new CallbackListener();
  await listener.start({ port: 0, getAuthTokens: () => [TOKEN], getSignedBaseUrls: () => [], ...options });
  return listener as CallbackListener & { url: string };
}

/** Resolves with the next `count` callbacks the listener emits. */
export function nextCallbacks(listener: CallbackListener, count: number): Promise<ReceivedCallback[]> {
  return new Promise((resolve) => {
    const seen: ReceivedCallback[] = [];
    const onCallback = (callback: ReceivedCallback): void => {
      seen.push(callback);
      if (seen.length < count) return;
      listener.off('callback', onCallback);
      resolve(seen);
    };
    listener.on('callback', onCallback);
  });
}

export async function nextCallback(listener: CallbackListener): Promise<ReceivedCallback> {
  return (await nextCallbacks(listener, 1))[0];
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'plivo-callbacks-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

let sampleCounter = 0;

/** A stored-callback record as the listener would produce it. */
export function sampleCallback(overrides: Partial<ReceivedCallback> = {}): ReceivedCallback {
  sampleCounter += 1;
  return {
    id: `cb-${sampleCounter}`,
    receivedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, sampleCounter)).toISOString(),
    method: 'POST',
    path: '/plivo/record',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `call_uuid=c-${sampleCounter}&record_url=https%3A%2F%2Fm.example%2Fr.mp3`,
    contentType: 'application/x-www-form-urlencoded',
    params: { call_uuid: `c-${sampleCounter}`, record_url: 'https://m.example/r.mp3' },
    kind: 'record',
    summary: { callUuid: `c-${sampleCounter}`, recordUrl: 'https://m.example/r.mp3' },
    signature: { state: 'unsigned', detail: 'no X-Plivo-Signature-V3 or -V2 header' },
    status: 200,
    ...overrides,
  };
}
