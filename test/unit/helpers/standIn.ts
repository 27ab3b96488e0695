// A loopback HTTP server answering every request with a handler the test gives:
// stands in for ngrok's agent API, cloudflared's metrics server or the user's app.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export class StandIn {
  readonly #server: Server;

  private constructor(
    server: Server,
    readonly requests: SeenRequest[],
  ) {
    this.#server = server;
  }

  static async start(handler: Handler): Promise<StandIn> {
    const requests: SeenRequest[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        requests.push({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body });
        handler(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new StandIn(server, requests);
  }

  /** Serves `value` as JSON. */
  static json(value: unknown): Promise<StandIn> {
    return StandIn.start((_req, res, _body) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value)),
    );
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
