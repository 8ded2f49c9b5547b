// The machine and tool versions a run happened on, for the report.
import { execFileSync } from 'node:child_process';
import { cpus, hostname, release, totalmem } from 'node:os';
import { TS_DAEMON } from '../test/support/cluster/index.js';
import { PG_BIN_DIR } from '../test/support/cluster/index.js';

export interface Environment {
  machine: { hostname: string; cpu: string; cpus: number; memoryGiB: number; kernel: string };
  versions: Record<string, string>;
}

function firstLine(cmd: string, args: string[]): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    return out.trim().split('\n')[0] ?? '';
  } catch (e) {
    return `unavailable (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

export function describeEnvironment(): Environment {
  const cpuList = cpus();
  return {
    machine: {
      hostname: hostname(),
      cpu: cpuList[0]?.model ?? 'unknown',
      cpus: cpuList.length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      kernel: release(),
    },
    versions: {
      'patroni-ts': firstLine(process.execPath, [TS_DAEMON, '--version']),
      'Debian patroni': firstLine('/usr/bin/patroni', ['--version']),
      node: process.version,
      postgresql: firstLine(`${PG_BIN_DIR}/postgres`, ['--version']),
      etcd: firstLine('etcd', ['--version']),
      haproxy: firstLine('haproxy', ['-v']),
      wrk: firstLine('sh', ['-c', 'wrk -v 2>&1 | head -1']),
      hyperfine: firstLine('hyperfine', ['--version']),
    },
  };
}
