// The project code each row measures, behind one small adapter per subject. When a module changes shape
// (the journal store, the request limiter, paged live calls, the incremental Callbacks tree), only its
// adapter here changes; the rows and the harness stay as they are.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallbackListener, CallbackStore, type ReceivedCallback } from '../../src/callbacks';
import { PlivoClient } from '../../src/plivo';
import { verifyPlivoSignature } from '../../src/plivo/signature';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN } from '../../src/sandbox';
import { callbackDescription, callbackLabel } from '../../src/callbacks/format';

/** What the rows need from the callback history. */
export interface History {
  add(callback: ReceivedCallback): Promise<unknown>;
  /** Resolves once everything added so far is on disk. */
  flush(): Promise<void>;
}

/** The history store as the listener service opens it. */
export async function openHistory(directory: string, maxHistory: number): Promise<CallbackStore> {
  const store = new CallbackStore(directory, { maxHistory });
  await store.load();
  return store;
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** The callback listener wired to the history as the listener service wires it (no forward URL). */
export async function startHistoryListener(
  history: History | undefined,
  onCallback?: (callback: ReceivedCallback) => void,
): Promise<RunningServer> {
  const listener = new CallbackListener();
  listener.on('callback', (callback) => {
    onCallback?.(callback);
    void history?.add(callback).catch(() => undefined);
  });
  await listener.start({ port: 0, getAuthTokens: () => [SANDBOX_AUTH_TOKEN], getSignedBaseUrls: () => [] });
  return { url: listener.url ?? '', stop: () => listener.stop() };
}

/** Baseline: a bare node:http server that reads the whole body and answers as the listener does. */
export async function startBareServer(): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      Buffer.concat(chunks); // the body in one piece, as the listener assembles it
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Signature check as the listener makes it: from the received (lower-case) headers and the parsed params. */
export function verifySignature(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string>,
  authToken: string,
): boolean {
  return verifyPlivoSignature({ method: 'POST', url, params, headers, authTokens: [authToken] }).state === 'valid';
}

export interface CallsClient {
  /** One Calls-view refresh; resolves to the number of calls it shows. */
  refresh(): Promise<number>;
}

/** The client a Calls-view refresh uses. */
export function callsClient(baseUrl: string): CallsClient {
  const client = new PlivoClient({ credentials: { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN }, baseUrl });
  return { refresh: async () => (await client.listLiveCalls()).length };
}

/**
 * What *Refresh* clicks reach: the Calls model's refresh over a client that shares the account-wide request
 * limiter. Undefined while the project has no limiter (src/plivo/limiter.ts); the spam row is then n/a.
 * To switch it on, return a refresher built the way the extension builds it (limiter at its default budget,
 * clicks coalescing as in the Calls model).
 */
export function limitedRefresher(_baseUrl: string): CallsClient | undefined {
  return undefined;
}

/** The limiter's default budget (`plivo.api.maxRequestsPer5s`). */
export const REQUEST_BUDGET_PER_5S = 150;

/** What `treeUpdate` measures, shown beside the figure. */
export const TREE_UPDATE_MEASURES =
  'store add + list + label/description of every row, as the tree does today (TreeItem wrapping excluded)';

/**
 * The pure part of a Callbacks tree update after one new callback, as the tree does it today: the store takes
 * the callback and notifies synchronously; the tree then lists the whole history, drops repeated ids and builds
 * the label and description of every row (the `vscode.TreeItem` wrapping is left out: it needs the editor).
 * Returns the number of rows built. Re-point this (and TREE_UPDATE_MEASURES) at the incremental tree's
 * editor-free entry point once it exists.
 */
export function treeUpdate(store: CallbackStore, callback: ReceivedCallback): number {
  void store.add(callback).catch(() => undefined);
  const seen = new Set<string>();
  let rows = 0;
  const now = new Date();
  for (const item of store.list()) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    callbackLabel(item);
    callbackDescription(item, now);
    rows++;
  }
  return rows;
}

/** The extension's bundle entry point, built with scripts/build.mjs's production settings. */
export const EXTENSION_ENTRY = 'src/extension.ts';
