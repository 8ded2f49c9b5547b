// Bootstrap of a 3-node cluster from empty data directories: daemons spawned -> leader + 2 streaming.
import { startCluster, type TestCluster } from '../test/support/cluster/index.js';
import { haTimeoutMs, record, recordError, step, type SuiteContext } from './context.js';
import { createProbeTable, waitHealthy } from './probe.js';

let clusterSeq = 0;

export async function newCluster(ctx: SuiteContext): Promise<{ cluster: TestCluster; seconds: number }> {
  const { ttl, loopWait, retryTimeout } = ctx.profile;
  const scope = `bench-${ctx.impl}-${ctx.profile.name}-${++clusterSeq}`;
  const t0 = performance.now();
  const cluster = await startCluster({ impl: ctx.impl, nodes: 3, etcd: ctx.etcd, scope, ttl, loopWait, retryTimeout });
  try {
    const { leader } = await waitHealthy(cluster, haTimeoutMs(ctx.profile) + 60_000);
    const seconds = (performance.now() - t0) / 1000;
    await createProbeTable(leader);
    return { cluster, seconds };
  } catch (e) {
    await cluster.remove();
    throw e;
  }
}

/** Bootstraps reps clusters; all but the last are removed, the last is returned for the other steps. */
export async function measureBootstrap(ctx: SuiteContext): Promise<TestCluster | undefined> {
  let kept: TestCluster | undefined;
  for (let i = 1; i <= ctx.options.reps; i++) {
    await kept?.remove();
    kept = undefined;
    await step(ctx, `bootstrap ${i}/${ctx.options.reps}`, ['bootstrap'], async () => {
      const { cluster, seconds } = await newCluster(ctx);
      kept = cluster;
      record(ctx, 'bootstrap', seconds);
    });
  }
  if (kept) return kept;
  // Every bootstrap failed: one more try so the other measurements still get a cluster.
  try {
    return (await newCluster(ctx)).cluster;
  } catch (e) {
    recordError(ctx, [], e);
    return undefined;
  }
}
