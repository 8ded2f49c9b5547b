// Everything measured on one implementation under one timing profile, in an order that keeps client
// traffic (wrk, HAProxy checks, the writer) out of the idle window.
import type { TestCluster } from '../test/support/cluster/index.js';
import { measureBootstrap } from './bootstrap.js';
import { step, tag, type SuiteContext } from './context.js';
import { measureCtl } from './ctl.js';
import { measureCrashFailover, measurePostgresCrash } from './failover.js';
import { startHaproxy, type Haproxy } from './haproxy.js';
import { measureHealthUnderLoad } from './health-load.js';
import { measureHttp } from './http.js';
import { measureIdle } from './idle-window.js';
import { progress } from './progress.js';
import { haTimeoutMs } from './context.js';
import { waitHealthy } from './probe.js';
import { measureSwitchover, type Writers } from './switchover.js';
import { Writer } from './writer.js';

export async function runSuite(ctx: SuiteContext): Promise<void> {
  progress(`${tag(ctx)} === ttl ${ctx.profile.ttl}, loop_wait ${ctx.profile.loopWait}, retry_timeout ${ctx.profile.retryTimeout} ===`);
  const cluster = await measureBootstrap(ctx);
  if (!cluster) return;
  let haproxy: Haproxy | undefined;
  let writer: Writer | undefined;
  let direct: Writer | undefined;
  try {
    await measureIdle(ctx, cluster);
    await step(ctx, 'REST API load', [], async () => {
      const { leader } = await waitHealthy(cluster, haTimeoutMs(ctx.profile));
      await measureHttp(ctx, leader);
    });
    await measureCtl(ctx, cluster);
    await step(ctx, 'start HAProxy and a writing client', ['write_gap_switchover', 'write_gap_crash'], async () => {
      haproxy = await startHaproxy(cluster);
      writer = Writer.through(haproxy.port, 'through HAProxy');
    });
    await measureHealthUnderLoad(ctx, cluster, writer);
    // Started after the health-check rows so that their load stays one writer's.
    direct = Writer.direct(cluster.nodes.map((n) => n.pgPort));
    const writers: Writers = { haproxy: writer, direct };
    await measureSwitchover(ctx, cluster, writers);
    await measureCrashFailover(ctx, cluster, writers);
    ctx.store.detail(ctx.profile.name, ctx.impl, 'direct writer failures by kind', { ...direct.failures });
    await Promise.all([writer?.stop(), direct.stop()]);
    writer = undefined;
    direct = undefined;
    await measurePostgresCrash(ctx, cluster);
  } finally {
    await writer?.stop();
    await direct?.stop();
    await haproxy?.stop();
    await stopCluster(ctx, cluster);
  }
}

async function stopCluster(ctx: SuiteContext, cluster: TestCluster): Promise<void> {
  progress(`${tag(ctx)} stopping the cluster`);
  await cluster.remove();
}

/** `--health`: one cluster, HAProxy and a writer, then only the health-checks-under-load row. */
export async function runHealthSuite(ctx: SuiteContext): Promise<void> {
  progress(`${tag(ctx)} === health checks under load, ttl ${ctx.profile.ttl}, loop_wait ${ctx.profile.loopWait} ===`);
  const cluster = await measureBootstrap(ctx);
  if (!cluster) return;
  let haproxy: Haproxy | undefined;
  let writer: Writer | undefined;
  try {
    await step(ctx, 'start HAProxy and a writing client', ['p99_primary_busy', 'p99_replica_busy'], async () => {
      haproxy = await startHaproxy(cluster);
      writer = Writer.through(haproxy.port, 'through HAProxy');
    });
    await measureHealthUnderLoad(ctx, cluster, writer);
  } finally {
    await writer?.stop();
    await haproxy?.stop();
    await stopCluster(ctx, cluster);
  }
}
