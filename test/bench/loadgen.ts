// Load generator, run as a child process (see Child in harness.ts): it never shares the event loop or the
// CPU account of the server it loads. Plain node:http with keep-alive sockets, as a tunnel or Plivo would hold them.
import { Agent, request } from 'node:http';
import { signedCallback, type SignedCallback } from './fixtures';
import { percentile, serveParent } from './harness';

export interface LoadRequest {
  /** Where the callbacks go, and the URL they are signed for. */
  url: string;
  count: number;
  /** Requests in flight at once (burst mode). */
  concurrency: number;
  /** When set, one request starts every `intervalMs` regardless of answers (paced arrivals). */
  intervalMs?: number;
}

export interface LoadResult {
  elapsedMs: number;
  p99Ms: number;
  failures: number;
}

function post(agent: Agent, callback: SignedCallback): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(callback.url, { method: 'POST', agent, headers: callback.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - started, ok: res.statusCode === 200 }));
    });
    req.on('error', () => resolve({ ms: performance.now() - started, ok: false }));
    req.end(callback.body);
  });
}

async function run(load: LoadRequest): Promise<LoadResult> {
  // Distinct callbacks, as Plivo sends them (own call and recording ids, own nonce), signed before the clock starts.
  const callbacks = Array.from({ length: load.count }, () => signedCallback(load.url));
  const agent = new Agent({ keepAlive: true, maxSockets: load.concurrency });
  const answers: Promise<{ ms: number; ok: boolean }>[] = [];
  const started = performance.now();
  if (load.intervalMs === undefined) {
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < load.count) {
        const answer = post(agent, callbacks[sent++]);
        answers.push(answer);
        await answer;
      }
    };
    await Promise.all(Array.from({ length: load.concurrency }, worker));
  } else {
    for (let i = 0; i < load.count; i++) {
      // Scheduled against the start time, so a late timer does not shift every later arrival.
      const wait = started + i * load.intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      answers.push(post(agent, callbacks[i]));
    }
  }
  const results = await Promise.all(answers);
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    elapsedMs,
    p99Ms: percentile(
      results.map((r) => r.ms),
      99,
    ),
    failures: results.filter((r) => !r.ok).length,
  };
}

serveParent(run);
