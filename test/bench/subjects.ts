// The project code each row measures, behind one small adapter per subject. When a module changes shape
// (the journal store, the request limiter, paged live calls, the incremental Callbacks tree), only its
// adapter here changes; the rows and the harness stay as they are.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CallbackFilterIndex,
  CallbackListener,
  CallbackStore,
  type CallbackFilter,
  type ReceivedCallback,
  type StoreChange,
} from '../../src/callbacks';
import { DEFAULT_MAX_REQUESTS_PER_WINDOW, LiveCallsPager, PlivoClient, RequestLimiter } from '../../src/plivo';
import { verifyPlivoSignature } from '../../src/plivo/signature';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN } from '../../src/sandbox';
import { callbackDescription, callbackLabel } from '../../src/callbacks/format';

const SANDBOX_CREDENTIALS = { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN };

/** What the rows need from the callback history. */
export interface History {
  add(callback: ReceivedCallback): Promise<unknown>;
  /** Resolves once everything added so far is on disk. */
  flush(): Promise<void>;
}

/** The history store as the editor creates it (src/services/callbackHistory.ts) and the listener service loads it. */
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
    void history?.add(callback);
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

/**
 * Never holds a request back, so the CPU rows measure the client, not the wait for the budget. Its window is 1 ms:
 * with a 5 s window every request of the pairs would keep a slot for 5 s, and the limiter would scan thousands of
 * them per request, far more than the at most 150 the default budget ever holds.
 */
const UNLIMITED = new RequestLimiter({ maxRequests: 1_000_000, windowMs: 1 });

/**
 * The Calls view's first refresh: a fresh LiveCallsPager (200 calls shown, details for each, the rest of the list
 * counted) over a client with an injected limiter too large to ever hold a request back.
 */
export function callsClient(baseUrl: string): CallsClient {
  const client = new PlivoClient({ credentials: SANDBOX_CREDENTIALS, baseUrl, limiter: UNLIMITED });
  const pager = new LiveCallsPager(client);
  return { refresh: async () => (await pager.refresh()).shown };
}

export interface SpamTarget {
  /** A *Refresh* click: joins the running refresh, if any. */
  refresh(): Promise<unknown>;
  /** A user action (Record or Stop) on a live call; it goes ahead of queued refresh requests. */
  record(callUuid: string): Promise<unknown>;
  stop(callUuid: string): Promise<unknown>;
}

/**
 * What *Refresh* clicks and Record/Stop reach: one pager and the recording commands over clients created without a
 * limiter, so they share the account's default one (150 requests per 5 s), as every client of the extension does.
 */
export function limitedRefresher(baseUrl: string): SpamTarget {
  const client = new PlivoClient({ credentials: SANDBOX_CREDENTIALS, baseUrl });
  const pager = new LiveCallsPager(client);
  return {
    refresh: () => pager.refresh(),
    record: (callUuid) => client.startRecording(callUuid),
    stop: (callUuid) => client.stopRecording(callUuid),
  };
}

/** UUIDs of the first live calls, fetched outside any limiter the rows measure. */
export async function someLiveCallUuids(baseUrl: string, count: number): Promise<string[]> {
  const client = new PlivoClient({ credentials: SANDBOX_CREDENTIALS, baseUrl, limiter: UNLIMITED });
  return (await client.listLiveCallIds({ limit: count })).uuids;
}

/** The limiter's default budget (`plivo.api.maxRequestsPer5s`). */
export const REQUEST_BUDGET_PER_5S = DEFAULT_MAX_REQUESTS_PER_WINDOW;

/** What `callbacksTreeModel` measures, shown beside the figure. */
export const TREE_UPDATE_MEASURES =
  'store add + StoreChange + label/description of the added row, rows cached by id (TreeItem wrapping excluded)';

export interface TreeModel {
  /** Adds one callback to the history; resolves to the rows the change built (the write is not awaited). */
  update(callback: ReceivedCallback): number;
  readonly rows: number;
}

/**
 * The pure part of an incremental Callbacks tree: rows (label and description) kept by id, built once for what a
 * `StoreChange` adds or updates and dropped for what it removes; a cleared change rebuilds them all. The
 * `vscode.TreeItem` wrapping is left out, since it needs the editor.
 */
export function callbacksTreeModel(store: CallbackStore): TreeModel {
  const rows = new Map<string, { label: string; description: string }>();
  let built = 0;
  const build = (callback: ReceivedCallback): void => {
    rows.set(callback.id, { label: callbackLabel(callback), description: callbackDescription(callback) });
    built++;
  };
  const apply = (change: StoreChange): void => {
    if (change.cleared) rows.clear();
    for (const id of change.removed) rows.delete(id);
    change.added.forEach(build);
    change.updated.forEach(build);
  };
  apply({ cleared: true, added: store.list(), updated: [], removed: [] });
  store.onDidChange(apply);
  return {
    update: (callback) => {
      built = 0;
      void store.add(callback).catch(() => undefined);
      return built;
    },
    get rows() {
      return rows.size;
    },
  };
}

/** Rows the Callbacks view shows before "Show older…" (PAGE_SIZE in src/views/callbacksTree.ts). */
const TREE_PAGE = 200;

/** What `filteredPage` measures, shown beside the figure. */
export const FILTERED_PAGE_MEASURES = `store add + the filter index's matching ids + the first ${TREE_PAGE} of them decoded`;

/**
 * A refresh of the Callbacks view under a filter (src/views/callbacksTree.ts): the ids the filter index matches, and
 * the page shown decoded from the history. The index lives as long as the filter, as in the view.
 */
export function filteredPage(store: CallbackStore): (filter: CallbackFilter) => ReceivedCallback[] {
  const index = new CallbackFilterIndex(store);
  return (filter) =>
    index
      .matching(filter)
      .slice(0, TREE_PAGE)
      .map((id) => store.get(id))
      .filter((callback) => callback !== undefined);
}

/** The extension's bundle entry point, built with scripts/build.mjs's production settings. */
export const EXTENSION_ENTRY = 'src/extension.ts';

/** The Plivo REST client layer (client, request budget, signatures, validation, downloads): the SDK's job. */
export const CLIENT_LAYER_ENTRY = 'src/plivo/index.ts';
