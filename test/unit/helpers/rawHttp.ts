// Raw HTTP over node:net, for requests fetch() refuses to send (bad paths, broken chunking, invalid bytes).
import { connect } from 'node:net';

/**
 * Writes `chunks` (with `gapMs` between them) and resolves with everything received until the
 * server closes the connection or `timeoutMs` passes; never rejects.
 */
export function rawRequest(
  port: number,
  chunks: Array<string | Buffer>,
  options: { timeoutMs?: number; gapMs?: number } = {},
): Promise<string> {
  const { timeoutMs = 3000, gapMs = 0 } = options;
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(received).toString('latin1'));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (data) => received.push(data));
    socket.on('close', done);
    socket.on('error', done);
    socket.on('connect', async () => {
      for (const [index, chunk] of chunks.entries()) {
        if (index > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (socket.destroyed) return;
        socket.write(chunk);
      }
    });
  });
}

/** The status code of the first response in `text`, or 0 when there is none. */
export function statusOf(text: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : 0;
}
