// A loopback HTTP server whose behaviour each test sets, standing in for a faulty API server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class FaultyServer {
  handler: Handler = (_req, res) => res.end();
  readonly requests: { method: string; url: string; authorization?: string }[] = [];
  readonly #server: Server;
  #url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
      req.resume();
      res.on('error', () => undefined);
      this.handler(req, res);
    });
    this.#server.on('connection', (socket) => socket.on('error', () => undefined));
  }

  static async start(): Promise<FaultyServer> {
    const standIn = new FaultyServer();
    await new Promise<void>((resolve) => standIn.#server.listen(0, '127.0.0.1', resolve));
    standIn.#url = `http://127.0.0.1:${(standIn.#server.address() as AddressInfo).port}`;
    return standIn;
  }

  get url(): string {
    return this.#url;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
