// etcd alone in its namespace (I/O). Stop/start keep the data directory, like an etcd host going down.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, waitFor } from '../test/support/tmp.js';
import { LogCapture } from '../test/support/cluster/logcapture.js';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, type Host } from './topology.js';

export class LabEtcd {
  readonly hostPort: string;
  private child: ChildProcess | undefined;
  private readonly log: LogCapture;
  private readonly dataDir: string;

  constructor(
    readonly host: Host,
    dir: string,
  ) {
    this.hostPort = `${host.address}:${ETCD_CLIENT_PORT}`;
    this.dataDir = join(dir, 'data');
    mkdirSync(dir, { recursive: true });
    this.log = new LogCapture(join(dir, 'etcd.log'));
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { address } = this.host;
    const client = `http://${address}:${ETCD_CLIENT_PORT}`;
    const peer = `http://${address}:${ETCD_PEER_PORT}`;
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.host.netns,
        'etcd',
        '--name',
        'chaos',
        '--data-dir',
        this.dataDir,
        '--listen-client-urls',
        client,
        '--advertise-client-urls',
        client,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        `chaos=${peer}`,
        '--log-level',
        'warn',
        '--logger',
        'zap',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch } },
    );
    this.log.note(`start etcd (pid ${child.pid ?? '?'})`);
    this.log.attach(child.stdout);
    this.log.attach(child.stderr);
    this.child = child;
    await waitFor('etcd to answer', async () => (await fetch(`${client}/version`, { signal: AbortSignal.timeout(1000) })).ok, 30_000, 200);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.log.note('stop etcd');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (this.running) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  close(): void {
    this.log.close();
  }
}
