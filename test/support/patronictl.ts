// Run our bundled patronictl (or Debian's) synchronously against a test cluster, with the config file
// of ctl/run.ts naming its etcd (ctl/run.ts has the asynchronous runner).
import { spawnSync } from 'node:child_process';
import { TS_CTL, type TestCluster } from './cluster/index.js';
import { writeCtlConfig } from './ctl/run.js';

export interface CtlResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function ctlConfig(cluster: TestCluster): string {
  return writeCtlConfig(cluster.dir, cluster.scope, cluster.etcd.hostPort);
}

export function patronictl(cluster: TestCluster, args: string[], opts: { input?: string; impl?: 'ts' | 'debian' } = {}): CtlResult {
  const [cmd, pre] = opts.impl === 'debian' ? ['/usr/bin/patronictl', []] : [process.execPath, [TS_CTL]];
  const r = spawnSync(cmd, [...pre, '-c', ctlConfig(cluster), ...args], { encoding: 'utf8', input: opts.input ?? '', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
