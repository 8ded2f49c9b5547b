// Debian's HAProxy in front of a test cluster: a primary port checked with GET /primary and a replica
// port checked with GET /replica, as the Patroni docs configure it.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '../ports.js';
import { stopProcess, tcpOpen } from '../process.js';
import { makeTempDir, waitFor } from '../tmp.js';

export interface HaproxyBackend {
  name: string;
  pgPort: number;
  restPort: number;
}

export interface Haproxy {
  primaryPort: number;
  replicaPort: number;
  stop(): Promise<void>;
}

export function haproxyConfig(primaryPort: number, replicaPort: number, backends: HaproxyBackend[]): string {
  const servers = backends.map((b) => `    server ${b.name} 127.0.0.1:${b.pgPort} maxconn 100 check port ${b.restPort}`).join('\n');
  const section = (name: string, port: number, path: string) => `listen ${name}
    bind 127.0.0.1:${port}
    option httpchk GET ${path}
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
${servers}
`;
  return `global
    maxconn 100
defaults
    log global
    mode tcp
    retries 2
    timeout client 30m
    timeout connect 4s
    timeout server 30m
    timeout check 5s
${section('primary', primaryPort, '/primary')}${section('replicas', replicaPort, '/replica')}`;
}

export async function startHaproxy(backends: HaproxyBackend[]): Promise<Haproxy> {
  const [primaryPort, replicaPort] = (await freePorts(2)) as [number, number];
  const dir = makeTempDir('haproxy');
  const cfg = join(dir.path, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(primaryPort, replicaPort, backends));
  const child: ChildProcess = spawn('/usr/sbin/haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  // Listening on both ports, or gone (a configuration it refused): polled, never a fixed pause.
  try {
    await waitFor(
      'haproxy to listen',
      async () => {
        if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
        return (await tcpOpen(primaryPort)) && (await tcpOpen(replicaPort));
      },
      20_000,
      100,
    );
  } catch (e) {
    await stopProcess(child, 0);
    dir.remove();
    throw e;
  }
  return {
    primaryPort,
    replicaPort,
    stop: async () => {
      await stopProcess(child);
      dir.remove();
    },
  };
}
