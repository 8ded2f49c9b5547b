// HAProxy in front of the cluster, routing to whichever node answers 200 on GET /primary (the
// configuration Patroni documents), so a client sees what an application would during HA events.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCluster } from '../test/support/cluster/index.js';
import { freePort } from '../test/support/ports.js';
import { waitFor } from '../test/support/tmp.js';
import { startDaemon } from './proc.js';
import { tryWrite } from './probe.js';

/** haproxy.cfg text (pure). The same check settings are used for both implementations. */
export function haproxyConfig(port: number, servers: readonly { name: string; pgPort: number; restPort: number }[]): string {
  return [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 30m',
    '  timeout server 30m',
    '  timeout check 1s',
    'listen primary',
    `  bind 127.0.0.1:${port}`,
    '  option httpchk',
    '  http-check send meth GET uri /primary',
    '  http-check expect status 200',
    '  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions',
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.pgPort} maxconn 100 check port ${s.restPort}`),
    '',
  ].join('\n');
}

export interface Haproxy {
  port: number;
  stop(): Promise<void>;
}

export async function startHaproxy(cluster: TestCluster): Promise<Haproxy> {
  const port = await freePort();
  const cfg = join(cluster.dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, cluster.nodes));
  const proc = startDaemon('haproxy', ['-db', '-f', cfg]);
  try {
    await waitFor('HAProxy to route a write to the primary', () => tryWrite(port), 30_000, 200);
  } catch (e) {
    await proc.stop();
    throw new Error(`${String(e)}\n${proc.output()}`);
  }
  return { port, stop: proc.stop };
}
