// Unplanned failures of the primary: a host crash (daemon and PostgreSQL killed together) and a
// PostgreSQL-only crash (the daemon survives and may restart it in place rather than fail over).
import type { TestCluster } from '../test/support/cluster/index.js';
import { haTimeoutMs, record, step, type SuiteContext } from './context.js';
import { crashHost, crashPostgres } from './crash.js';
import { progress } from './progress.js';
import { waitHealthy, waitWritable } from './probe.js';
import type { Writers } from './switchover.js';

/** Back to leader + 2 streaming replicas (restarting a crashed daemon), or throw. */
async function recover(ctx: SuiteContext, cluster: TestCluster): Promise<void> {
  for (const n of cluster.nodes) if (!n.running) await n.start();
  const t0 = performance.now();
  await waitHealthy(cluster, haTimeoutMs(ctx.profile) + 120_000);
  progress(`  recovered to leader + 2 streaming replicas in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export async function measureCrashFailover(ctx: SuiteContext, cluster: TestCluster, writers: Writers): Promise<void> {
  const timeoutMs = haTimeoutMs(ctx.profile);
  for (let i = 1; i <= ctx.options.reps; i++) {
    const metrics = [
      'failover_crash',
      ...(writers.haproxy ? (['write_gap_crash'] as const) : []),
      ...(writers.direct ? (['write_gap_direct_crash'] as const) : []),
    ] as const;
    const ok = await step(ctx, `failover after host crash ${i}/${ctx.options.reps}`, metrics, async () => {
      const { leader, replicas } = await waitHealthy(cluster, timeoutMs);
      const t0 = performance.now();
      await crashHost(leader);
      const { node, at } = await waitWritable(replicas, timeoutMs);
      record(ctx, 'failover_crash', (at - t0) / 1000);
      progress(`  ${node.name} took over from ${leader.name}`);
      if (writers.direct) record(ctx, 'write_gap_direct_crash', (await writers.direct.gapSince(t0, at, 60_000)) / 1000);
      if (writers.haproxy) record(ctx, 'write_gap_crash', (await writers.haproxy.gapSince(t0, at, 60_000)) / 1000);
    });
    const recovered = await step(ctx, 'restart the crashed node', [], () => recover(ctx, cluster));
    if (!ok || !recovered) return;
  }
}

export async function measurePostgresCrash(ctx: SuiteContext, cluster: TestCluster): Promise<void> {
  const timeoutMs = haTimeoutMs(ctx.profile);
  for (let i = 1; i <= ctx.options.reps; i++) {
    const ok = await step(ctx, `PostgreSQL-only crash ${i}/${ctx.options.reps}`, ['failover_pg_only'], async () => {
      const { leader } = await waitHealthy(cluster, timeoutMs);
      const t0 = performance.now();
      if (!crashPostgres(leader)) throw new Error(`${leader.name}: no postmaster to crash`);
      const { node, at } = await waitWritable(cluster.nodes, timeoutMs);
      record(ctx, 'failover_pg_only', (at - t0) / 1000);
      progress(`  ${node.name} accepts writes (${node === leader ? 'restarted in place' : `took over from ${leader.name}`})`);
    });
    const recovered = await step(ctx, 'wait for the cluster to be healthy again', [], () => recover(ctx, cluster));
    if (!ok || !recovered) return;
  }
}
