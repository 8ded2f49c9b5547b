// A real etcd (Debian's etcd-server) on free loopback ports in a temp dir, for integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePorts } from './ports.js';
import { stopProcess, tcpOpen } from './process.js';
import { makeTempDir, waitFor } from './tmp.js';

export interface EtcdServer {
  endpoint: string; // http(s)://127.0.0.1:PORT
  hostPort: string; // 127.0.0.1:PORT
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A one-member etcd's command line: client URL as given, peers on plain HTTP, errors-only logging. */
export function etcdArgs(o: { dataDir: string; clientUrl: string; peerPort: number; extra?: string[] }): string[] {
  const peerUrl = `http://127.0.0.1:${o.peerPort}`;
  return [
    ...['--name', 'test', '--data-dir', o.dataDir],
    ...['--listen-client-urls', o.clientUrl, '--advertise-client-urls', o.clientUrl],
    ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `test=${peerUrl}`],
    ...['--log-level', 'error', '--logger', 'zap'],
    ...(o.extra ?? []),
  ];
}

/** `tls`: clients must speak https and present a certificate signed by `ca` (etcd's --client-cert-auth). */
export async function startEtcd(opts: { tls?: { ca: string; cert: string; key: string } } = {}): Promise<EtcdServer> {
  const [client, peer] = (await freePorts(2)) as [number, number];
  const dir = makeTempDir('etcd');
  const scheme = opts.tls ? 'https' : 'http';
  const tlsArgs = opts.tls ? ['--cert-file', opts.tls.cert, '--key-file', opts.tls.key, '--trusted-ca-file', opts.tls.ca, '--client-cert-auth'] : [];
  const child = spawn('etcd', etcdArgs({ dataDir: dir.path, clientUrl: `${scheme}://127.0.0.1:${client}`, peerPort: peer, extra: tlsArgs }), {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `${scheme}://127.0.0.1:${client}`;
  try {
    await waitFor(
      'etcd to answer',
      async () => {
        if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}`);
        return opts.tls ? tcpOpen(client) : (await fetch(`${endpoint}/version`)).ok;
      },
      20_000,
      100,
    );
  } catch (e) {
    await stopProcess(child, 0);
    dir.remove();
    throw new Error(`${String(e)}\n${stderr}`);
  }
  return {
    endpoint,
    hostPort: `127.0.0.1:${client}`,
    process: child,
    stop: async () => {
      await stopProcess(child);
      dir.remove();
    },
  };
}
