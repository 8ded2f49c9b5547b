// Health checks as a load balancer sees them on a busy cluster: wrk on the leader's GET /primary and
// a replica's GET /replica while a client writes through HAProxy every 10 ms (so WAL streams to the
// replicas) and the HA cycle runs. p50 and p99: a stall of the event loop (a synchronous file call,
// a log write, a snapshot refresh awaited by a request, a GC pause) shows in p99 first.
import type { TestCluster } from '../test/support/cluster/index.js';
import { haTimeoutMs, record, step, type SuiteContext } from './context.js';
import { runWrk } from './http.js';
import type { MetricId } from './metrics.js';
import { waitHealthy } from './probe.js';
import type { Writer } from './writer.js';

const TARGETS: readonly { path: '/primary' | '/replica'; p50: MetricId; p99: MetricId }[] = [
  { path: '/primary', p50: 'p50_primary_busy', p99: 'p99_primary_busy' },
  { path: '/replica', p50: 'p50_replica_busy', p99: 'p99_replica_busy' },
];

export async function measureHealthUnderLoad(ctx: SuiteContext, cluster: TestCluster, writer: Writer | undefined): Promise<void> {
  const { wrkSeconds, wrkRuns } = ctx.options;
  for (const t of TARGETS) {
    for (let i = 1; i <= wrkRuns; i++) {
      await step(ctx, `wrk GET ${t.path} with a writer ${i}/${wrkRuns}`, [t.p50, t.p99], async () => {
        if (!writer) throw new Error('no writing client (HAProxy did not start)');
        const {
          leader,
          replicas: [replica],
        } = await waitHealthy(cluster, haTimeoutMs(ctx.profile));
        const node = t.path === '/primary' ? leader : replica;
        if (!node) throw new Error('no streaming replica');
        const before = writer.successCount;
        const res = await runWrk(`${node.apiUrl}${t.path}`, wrkSeconds);
        const writes = writer.successCount - before;
        ctx.store.detail(ctx.profile.name, ctx.impl, `wrk ${t.path} with a writer`, {
          node: node.name,
          rps: res.rps,
          p50_ms: res.p50Ms,
          p99_ms: res.p99Ms,
          non_2xx: res.non2xx,
          writes,
          socket_errors: { ...res.socketErrors },
        });
        if (res.non2xx > 0) throw new Error(`${res.non2xx} non-2xx answers from ${node.name}`);
        if (res.socketErrors.timeout > 0) throw new Error(`${res.socketErrors.timeout} requests timed out`);
        if (writes === 0) throw new Error('the writer committed nothing during the run: not the load this row measures');
        record(ctx, t.p50, res.p50Ms);
        record(ctx, t.p99, res.p99Ms);
      });
    }
  }
}
