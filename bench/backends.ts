// The other DCS backends (etcd v2, ZooKeeper, Exhibitor), ours and Debian's Patroni side by side on
// the same server: idle DCS requests per member per minute, and failover after a host crash.
import { sleep } from '../test/support/tmp.js';
import { startCluster, type TestCluster } from '../test/support/cluster/index.js';
import { dcsRequestCount, startDcsServer, type BackendName, type DcsServer } from '../test/support/dcs-servers.js';
import { haTimeoutMs, record, step, tag, type SuiteContext } from './context.js';
import { crashHost } from './crash.js';
import type { MetricId } from './metrics.js';
import { progress } from './progress.js';
import { createProbeTable, waitHealthy, waitWritable } from './probe.js';

const METRIC: Record<BackendName, { failover: MetricId; requests: MetricId }> = {
  etcd2: { failover: 'failover_crash_etcd2', requests: 'dcs_requests_etcd2' },
  zookeeper: { failover: 'failover_crash_zookeeper', requests: 'dcs_requests_zookeeper' },
  exhibitor: { failover: 'failover_crash_exhibitor', requests: 'dcs_requests_exhibitor' },
};

/** `ctx.etcd` (the run's etcd v3) is not used: each backend gets its own server. */
export async function runBackendSuite(ctx: SuiteContext, backend: BackendName): Promise<void> {
  const metrics = METRIC[backend];
  let server: DcsServer | undefined;
  let cluster: TestCluster | undefined;
  try {
    const started = await step(ctx, `${backend}: start the server and a 3-node cluster`, [metrics.failover, metrics.requests], async () => {
      server = await startDcsServer(backend);
      const s = server;
      const { ttl, loopWait, retryTimeout } = ctx.profile;
      cluster = await startCluster({
        impl: ctx.impl,
        nodes: 3,
        etcd: s.asEtcd,
        scope: `bench-${ctx.impl}-${backend}`,
        ttl,
        loopWait,
        retryTimeout,
        nodeOverrides: () => ({ etcd3: null, ...s.section }),
      });
    });
    if (!started || !server || !cluster) return;
    const full = ctx;
    const s = server;
    const c = cluster;
    await step(full, `${backend}: idle window of ${ctx.options.idleSeconds} s`, [metrics.requests], async () => {
      const { leader } = await waitHealthy(c, haTimeoutMs(ctx.profile) + 60_000);
      await createProbeTable(leader); // the failover measurement writes into it
      await sleep(3_000);
      const before = await dcsRequestCount(s);
      const t0 = performance.now();
      await sleep(ctx.options.idleSeconds * 1000);
      const after = await dcsRequestCount(s);
      record(full, metrics.requests, (after - before) / c.nodes.length / ((performance.now() - t0) / 60_000));
    });
    for (let i = 1; i <= ctx.options.reps; i++) {
      const ok = await step(full, `${backend}: failover after host crash ${i}/${ctx.options.reps}`, [metrics.failover], async () => {
        const { leader, replicas } = await waitHealthy(c, haTimeoutMs(ctx.profile));
        const t0 = performance.now();
        await crashHost(leader);
        const { node, at } = await waitWritable(replicas, haTimeoutMs(ctx.profile));
        record(full, metrics.failover, (at - t0) / 1000);
        progress(`  ${node.name} took over from ${leader.name}`);
        for (const n of c.nodes) if (!n.running) await n.start();
        await waitHealthy(c, haTimeoutMs(ctx.profile) + 120_000);
      });
      if (!ok) break;
    }
  } finally {
    progress(`${tag(ctx)} ${backend}: stopping`);
    await (cluster as TestCluster | undefined)?.remove();
    await (server as DcsServer | undefined)?.stop();
  }
}
