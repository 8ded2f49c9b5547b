// A TCP proxy in front of etcd that can add latency to the answers one client host gets (I/O). tc netem
// is not available in every kernel this runs on (no sch_netem here), so latency is injected in user
// space: every chunk etcd sends to a delayed client is held back `delayMs` and then written in order,
// as a slow network or an overloaded etcd would answer. Requests go through at once.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class DelayProxy {
  /** Client address -> extra latency of etcd's answers (ms). */
  private readonly delays = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  constructor(
    private readonly listen: { host: string; port: number },
    private readonly upstream: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.listen.port, this.listen.host, () => res());
    });
    this.server = server;
  }

  /** Answers to connections from `clientAddress` arrive `ms` later (0: no delay), from now on. */
  setDelay(clientAddress: string, ms: number): void {
    if (ms > 0) this.delays.set(clientAddress, ms);
    else this.delays.delete(clientAddress);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
  }

  private pipe(client: Socket): void {
    const server = createConnection(this.upstream);
    const from = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    for (const s of [client, server]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => {
        client.destroy();
        server.destroy();
      });
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        server.destroy();
      });
    }
    client.on('data', (d) => server.write(d));
    // Answers in order: a chunk is written no earlier than the one before it.
    let lastDue = 0;
    server.on('data', (d) => {
      const delay = this.delays.get(from) ?? 0;
      if (delay === 0 && lastDue <= Date.now()) {
        client.write(d);
        return;
      }
      const due = Math.max(Date.now() + delay, lastDue);
      lastDue = due;
      setTimeout(() => {
        if (!client.destroyed) client.write(d);
      }, due - Date.now());
    });
  }
}
