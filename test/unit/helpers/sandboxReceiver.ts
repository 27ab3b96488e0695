// A local HTTP server standing in for the user's app: records the callbacks it receives (from the sandbox, the relay, ...).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  method: string;
  /** Path and query exactly as requested. */
  target: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  /** Form fields of a POST, or the query of a GET. */
  params: Record<string, string>;
}

export interface ReceiverOptions {
  /** Status answered to every callback (default 200). */
  status?: number;
  /** Never answer, to exercise the sender's timeout. */
  hang?: boolean;
  /** Answers each callback itself (custom status, body, or none at all). */
  respond?: (callback: ReceivedCallback, res: ServerResponse) => void;
}

export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  private readonly waiting = new Set<() => void>();
  private readonly hanging: ServerResponse[] = [];

  private readonly server: Server;
  private baseUrl = '';

  private constructor(options: ReceiverOptions) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://receiver.invalid');
        const body = Buffer.concat(chunks).toString('utf8');
        const query = Object.fromEntries(url.searchParams);
        const params = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : query;
        const callback = {
          method: req.method ?? '',
          target: req.url ?? '/',
          path: url.pathname,
          query,
          headers: req.headers,
          body,
          params,
        };
        this.add(callback);
        if (options.hang) this.hanging.push(res);
        else if (options.respond) options.respond(callback, res);
        else res.writeHead(options.status ?? 200).end('ok');
      });
    });
  }

  static async start(options: ReceiverOptions = {}): Promise<CallbackReceiver> {
    const receiver = new CallbackReceiver(options);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.baseUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  url(path = '/callback'): string {
    return this.baseUrl + path;
  }

  /** The first received callback matching `predicate`, past or future. */
  next(predicate: (c: ReceivedCallback) => boolean = () => true, timeoutMs = 5000): Promise<ReceivedCallback> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        this.waiting.delete(onAdd);
        resolve(found);
        return true;
      };
      const onAdd = (): void => void check();
      const timer = setTimeout(() => {
        this.waiting.delete(onAdd);
        reject(new Error(`no matching callback within ${timeoutMs} ms (received ${this.received.length})`));
      }, timeoutMs);
      if (!check()) this.waiting.add(onAdd);
    });
  }

  close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private add(callback: ReceivedCallback): void {
    this.received.push(callback);
    for (const notify of [...this.waiting]) notify();
  }
}
