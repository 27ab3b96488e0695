// Sandboxes with many live calls, run as a child process (see Child in harness.ts) so that serving the requests
// costs nothing in the process whose client CPU is measured. Answers with the requests each sandbox received.
import { Sandbox } from '../../src/sandbox';
import { serveParent } from './harness';

export type SandboxHostMessage = { op: 'start'; liveCalls: number[] } | { op: 'drain'; index: number };

export interface ServedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** Epoch milliseconds. */
  at: number;
}

const sandboxes: Sandbox[] = [];

serveParent(async (message: SandboxHostMessage): Promise<string[] | ServedRequest[]> => {
  if (message.op === 'start') {
    // The rows measure client CPU and the extension's own pacing, and the SDK does not pace itself: no 429s here.
    for (const liveCalls of message.liveCalls) sandboxes.push(await Sandbox.start({ liveCalls, rateLimit: false }));
    return sandboxes.map((s) => s.url);
  }
  return sandboxes[message.index].requests.splice(0).map(({ method, path, query, status, at }) => ({
    method,
    path,
    query,
    status,
    at: at.getTime(),
  }));
});
