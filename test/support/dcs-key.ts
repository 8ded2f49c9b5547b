// Read one key of a test cluster straight from etcd (v3 API, default namespace /service), as JSON.
import { execFileSync } from 'node:child_process';
import type { TestCluster } from './cluster/index.js';

export function dcsKey(cluster: TestCluster, key: string): unknown {
  const out = execFileSync('etcdctl', ['--endpoints', cluster.etcd.endpoint, 'get', `/service/${cluster.scope}/${key}`, '--print-value-only'], {
    env: { ...process.env, ETCDCTL_API: '3' },
    encoding: 'utf8',
  }).trim();
  if (out === '') return undefined;
  try {
    return JSON.parse(out) as unknown;
  } catch {
    return out;
  }
}
