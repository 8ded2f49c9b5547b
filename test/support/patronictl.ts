// Run our bundled patronictl (or Debian's) against a test cluster, with a config file naming its etcd.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TS_CTL, type TestCluster } from './cluster/index.js';

export interface CtlResult { status: number; stdout: string; stderr: string }

export function ctlConfig(cluster: TestCluster): string {
  const file = join(cluster.dir, 'patronictl.yml');
  writeFileSync(file, `scope: ${cluster.scope}\netcd3:\n  hosts: ${cluster.etcd.hostPort}\n`);
  return file;
}

export function patronictl(cluster: TestCluster, args: string[], opts: { input?: string; impl?: 'ts' | 'debian' } = {}): CtlResult {
  const [cmd, pre] = opts.impl === 'debian' ? ['/usr/bin/patronictl', []] : [process.execPath, [TS_CTL]];
  const r = spawnSync(cmd, [...pre, '-c', ctlConfig(cluster), ...args], { encoding: 'utf8', input: opts.input ?? '', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
