// A stand-in's answer that comes whole and valid, but late, by a timer of the test's own process. Deadline tests use
// it to show that a deadline no longer than its limit fires first: Node fires timers in the order they fall due, and
// this one is armed when the request arrives, after the client armed its deadline.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LateAnswer {
  /** For FaultyServer or StandIn. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** One promise per request, settled once the whole answer has been handed to the connection. */
  sent: Promise<void>[];
}

/**
 * `status` with the JSON `body`, `delayMs` after the request arrives: nothing before then (`headers`), or the headers
 * and the first half of the body before then (`body`).
 */
export function lateAnswer(phase: 'headers' | 'body', delayMs: number, body: string, status = 200): LateAnswer {
  const sent: Promise<void>[] = [];
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  const half = Math.floor(body.length / 2);
  const handler = (_req: IncomingMessage, res: ServerResponse): void => {
    if (phase === 'body') res.writeHead(status, headers).write(body.slice(0, half));
    sent.push(
      new Promise((resolve) =>
        setTimeout(() => {
          if (phase === 'headers') res.writeHead(status, headers).end(body);
          else res.end(body.slice(half));
          resolve();
        }, delayMs),
      ),
    );
  };
  return { handler, sent };
}
