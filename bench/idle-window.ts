// One idle window per cluster: RSS and CPU of every daemon, and the DCS requests they make meanwhile.
import type { TestCluster } from '../test/support/cluster/index.js';
import { sleep } from '../test/support/tmp.js';
import { haTimeoutMs, record, recordMany, step, type SuiteContext } from './context.js';
import { delta, grpcStarted, total } from './dcs-requests.js';
import { openCpuWindow, rssMiB } from './idle.js';
import { waitHealthy } from './probe.js';

export async function measureIdle(ctx: SuiteContext, cluster: TestCluster): Promise<void> {
  const seconds = ctx.options.idleSeconds;
  await step(ctx, `idle window of ${seconds} s (no client traffic)`, ['idle_rss', 'idle_cpu', 'dcs_requests'], async () => {
    await waitHealthy(cluster, haTimeoutMs(ctx.profile));
    await sleep(3_000); // let the last status polls and replication handshakes pass
    const pids = cluster.nodes.map((n) => {
      if (n.pid === undefined) throw new Error(`${n.name} is not running`);
      return n.pid;
    });
    const cpu = pids.map(openCpuWindow);
    const before = await grpcStarted(ctx.etcd.endpoint);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const after = await grpcStarted(ctx.etcd.endpoint);
    const minutes = (performance.now() - t0) / 60_000;
    recordMany(
      ctx,
      'idle_cpu',
      cpu.map((w) => w.percent()),
    );
    recordMany(ctx, 'idle_rss', pids.map(rssMiB));
    const calls = delta(before, after);
    const perMemberMinute = (n: number): number => n / pids.length / minutes;
    ctx.store.detail(
      ctx.profile.name,
      ctx.impl,
      'dcs requests per member per minute by gRPC method',
      Object.fromEntries([...calls].map(([m, n]) => [m, Math.round(perMemberMinute(n) * 10) / 10])),
    );
    record(ctx, 'dcs_requests', perMemberMinute(total(calls)));
  });
}
