// A recording HTTP proxy in front of etcd's JSON gateway (I/O): one per member, so every request is
// known by member and time. Answers are streamed back untouched (watches stay open); only lease
// grants' answers are kept, for the lease IDs the replay maps.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent } from 'node:http';

export interface RecordedRequest {
  member: number;
  /** performance.now() when the request arrived. */
  at: number;
  method: string;
  path: string;
  body: string;
  /** The answer of a lease grant (its ID is referenced later). */
  answer?: string;
}

export class Recorder {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true });
  port = 0;

  constructor(
    private readonly member: number,
    private readonly upstream: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => this.forward(req, res));
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    this.server = server;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
    this.agent.destroy();
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry: RecordedRequest = { member: this.member, at: performance.now(), method: req.method ?? 'POST', path: req.url ?? '/', body: body.toString() };
      this.requests.push(entry);
      let done = false;
      const up = request(
        {
          host: this.upstream.host,
          port: this.upstream.port,
          method: entry.method,
          path: entry.path,
          agent: this.agent,
          headers: { ...req.headers, host: `${this.upstream.host}:${this.upstream.port}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          if (entry.path.endsWith('/lease/grant')) {
            const parts: Buffer[] = [];
            answer.on('data', (c: Buffer) => parts.push(c));
            answer.on('end', () => {
              entry.answer = Buffer.concat(parts).toString();
            });
          }
          answer.on('end', () => {
            done = true;
          });
          answer.pipe(res);
        },
      );
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      res.on('close', () => {
        if (!done) up.destroy();
      }); // a client that went away (a watch it cancelled)
      up.end(body);
    });
  }
}
