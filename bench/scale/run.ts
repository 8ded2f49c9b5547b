// `npm run bench -- --scale [--members 15] [--clusters 1000] [--record-seconds 60] [--replay-seconds 60]`,
// ours and Debian's Patroni in turn, fast profile:
//  1. a large cluster: bootstrap, GET /cluster, `patronictl list`, switchover from the command, host crash;
//  2. the DCS load of many clusters on one etcd: a 3-member cluster's etcd traffic recorded through one
//     recording proxy per member (use_proxies, so nothing bypasses it) for --record-seconds of steady
//     state, then replayed as --clusters simulated clusters on a fresh etcd (replay.ts).
import { spawnSync } from 'node:child_process';
import { startCluster, type TestCluster } from '../../test/support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../test/support/etcd.js';
import { sleep } from '../../test/support/tmp.js';
import { haTimeoutMs, record, recordError, recordMany, step, tag, type SuiteContext } from '../context.js';
import { ctlCommand } from '../ctl.js';
import { crashHost } from '../crash.js';
import { writeCtlConfig } from '../../test/support/ctl/run.js';
import { cleanEnv, run } from '../proc.js';
import { createProbeTable, waitHealthy, waitWritable, waitWritableHeld } from '../probe.js';
import { progress } from '../progress.js';
import { startSwitchover } from '../switchover.js';
import { Recorder } from './recorder.js';
import { replay } from './replay.js';

const CTL_RUNS = 5;
const GET_CLUSTER_RUNS = 20;
let seq = 0;

/**
 * Sender and slot capacity for every other member at once (the harness's 10 fit 5 members, not 15): each
 * bootstrapping replica's `pg_basebackup -X stream` holds two walsenders and a temporary slot, and each
 * streaming replica one walsender and its permanent slot.
 */
export function replicationCapacity(members: number): { max_wal_senders: number; max_replication_slots: number } {
  const n = Math.max(10, 2 * (members - 1) + 4);
  return { max_wal_senders: n, max_replication_slots: n };
}

async function largeCluster(ctx: SuiteContext, members: number): Promise<void> {
  const { ttl, loopWait, retryTimeout } = ctx.profile;
  // Bounds and poll rates scaled by the member count: 15 PostgreSQL instances and daemons on 2 cores are
  // slow to start and basebackup, and GET /patroni every 100 ms on 15 nodes would itself load the machine.
  const timeoutMs = haTimeoutMs(ctx.profile) + members * 10_000;
  const pollMs = Math.max(100, members * 15);
  const healthy = (c: TestCluster) => waitHealthy(c, timeoutMs, pollMs);
  let cluster: TestCluster | undefined;
  try {
    const ok = await step(ctx, `bootstrap of ${members} members`, ['scale_bootstrap'], async () => {
      const t0 = performance.now();
      cluster = await startCluster({
        impl: ctx.impl,
        nodes: members,
        etcd: ctx.etcd,
        scope: `scale-${ctx.impl}-${++seq}`,
        ttl,
        loopWait,
        retryTimeout,
        dcs: { postgresql: { parameters: replicationCapacity(members) } },
      });
      const { leader } = await healthy(cluster);
      record(ctx, 'scale_bootstrap', (performance.now() - t0) / 1000);
      await createProbeTable(leader);
    });
    const c = cluster;
    if (!ok || !c) return;
    await step(ctx, `GET /cluster x ${GET_CLUSTER_RUNS}`, ['scale_get_cluster'], async () => {
      const { leader } = await healthy(c);
      const times: number[] = [];
      for (let i = 0; i < GET_CLUSTER_RUNS; i++) {
        const t0 = performance.now();
        const res = await fetch(`${leader.apiUrl}/cluster`, { signal: AbortSignal.timeout(10_000) });
        const body = (await res.json()) as { members?: unknown[] };
        times.push(performance.now() - t0);
        if (res.status !== 200 || body.members?.length !== members) throw new Error(`GET /cluster: ${res.status}, ${body.members?.length ?? 0} members`);
      }
      recordMany(ctx, 'scale_get_cluster', times);
    });
    await step(ctx, `patronictl list x ${CTL_RUNS}`, ['scale_ctl_list'], async () => {
      const [cmd = '', ...args] = ctlCommand(ctx, writeCtlConfig(c.dir, c.scope, ctx.etcd.hostPort));
      const times: number[] = [];
      for (let i = 0; i < CTL_RUNS; i++) {
        const t0 = performance.now();
        const r = await run(cmd, args, { env: cleanEnv(), timeoutMs: 60_000 });
        times.push(performance.now() - t0);
        if (r.code !== 0 || !r.stdout.includes(c.scope)) throw new Error(`patronictl list exited ${r.code}: ${(r.stderr || r.stdout).slice(-300)}`);
      }
      recordMany(ctx, 'scale_ctl_list', times);
    });
    await step(ctx, 'switchover from the command', ['scale_switchover'], async () => {
      const {
        leader,
        replicas: [candidate],
      } = await healthy(c);
      if (!candidate) throw new Error('no replica');
      const t0 = performance.now();
      const command = startSwitchover(ctx, c, leader.name, candidate.name);
      // A refused command ends the step at once instead of waiting out the timeout.
      const refused = command.then((r) => {
        if (r.code !== 0) throw new Error(`patronictl switchover exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-300)}`);
        return new Promise<never>(() => undefined);
      });
      const { at } = await Promise.race([waitWritable([candidate], timeoutMs), refused]);
      record(ctx, 'scale_switchover', (at - t0) / 1000);
      const r = await command;
      if (r.code !== 0) throw new Error(`patronictl switchover exited ${r.code}`);
    });
    await step(ctx, 'host crash of the primary', ['scale_failover_crash'], async () => {
      const { leader, replicas } = await healthy(c);
      const t0 = performance.now();
      await crashHost(leader);
      const { at } = await waitWritableHeld(replicas, timeoutMs);
      record(ctx, 'scale_failover_crash', (at - t0) / 1000);
    });
  } finally {
    progress(`${tag(ctx)} removing the ${members}-member cluster`);
    await cluster?.remove();
  }
}

/** This process's soft limit of open files (children inherit it: etcd too). */
function openFilesLimit(): number {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) ? n : Infinity; // "unlimited"
}

async function dcsReplay(ctx: SuiteContext, clusters: number, recordSeconds: number, replaySeconds: number): Promise<void> {
  // One watch stream per simulated member plus the request sockets (replay.ts: up to 1,024), on both ends.
  const needed = clusters * 3 + 1536;
  const limit = openFilesLimit();
  if (needed > limit) {
    await step(ctx, 'DCS replay', ['dcs_replay_rps'], async () => {
      throw new Error(`${clusters} clusters need about ${needed} open files, the limit is ${limit}: raise \`ulimit -n\` or lower --clusters`);
    });
    return;
  }
  const metrics = [
    'dcs_replay_rps',
    'dcs_replay_etcd_cpu',
    'dcs_replay_etcd_rss',
    'dcs_replay_watches',
    'dcs_replay_scheduled_rps',
    'dcs_replay_answered_rps',
    'dcs_replay_lag_p99',
    'dcs_replay_latency_p99',
    'dcs_replay_generator_cpu',
  ] as const;
  const [host = '127.0.0.1', port = '0'] = ctx.etcd.hostPort.split(':');
  const recorders = [1, 2, 3].map((m) => new Recorder(m, { host, port: Number(port) }));
  let cluster: TestCluster | undefined;
  let target: EtcdServer | undefined;
  try {
    await step(ctx, `record a 3-member cluster's etcd traffic for ${recordSeconds} s`, [...metrics], async () => {
      for (const r of recorders) await r.start();
      const { ttl, loopWait, retryTimeout } = ctx.profile;
      const scope = `rec-${ctx.impl}-${++seq}`;
      cluster = await startCluster({
        impl: ctx.impl,
        nodes: 3,
        etcd: ctx.etcd,
        scope,
        ttl,
        loopWait,
        retryTimeout,
        nodeOverrides: (i) => ({ etcd3: { hosts: [`127.0.0.1:${recorders[i - 1]?.port ?? 0}`], use_proxies: true } }),
      });
      await waitHealthy(cluster, haTimeoutMs(ctx.profile));
      await sleep(loopWait * 1000 * 2); // past the start-up writes
      const from = performance.now();
      await sleep(recordSeconds * 1000);
      const to = performance.now();
      const recording = recorders.flatMap((r) => r.requests);
      const inWindow = recording.filter((r) => r.at >= from && r.at < to && !r.path.endsWith('/watch')).length;
      ctx.store.detail(ctx.profile.name, ctx.impl, 'recorded DCS traffic', {
        seconds: recordSeconds,
        requests: inWindow,
        per_member_per_minute: inWindow / 3 / (recordSeconds / 60),
        paths: Object.fromEntries(
          [...new Set(recording.map((r) => r.path))].map((p) => [p, recording.filter((r) => r.path === p && r.at >= from && r.at < to).length]),
        ),
      });
      await cluster.remove();
      cluster = undefined;
      progress(
        `${tag(ctx)} recorded ${inWindow} requests in ${recordSeconds} s; replaying them as ${clusters} clusters for ${replaySeconds} s on a fresh etcd`,
      );
      target = await startEtcd();
      const [th = '127.0.0.1', tp = '0'] = target.hostPort.split(':');
      const res = await replay({
        etcd: { host: th, port: Number(tp), pid: target.process.pid ?? 0 },
        recording,
        window: { from, to },
        recordedScope: scope,
        label: ctx.impl,
        clusters,
        seconds: replaySeconds,
        progress,
      });
      const { pacing: p } = res;
      ctx.store.detail(ctx.profile.name, ctx.impl, 'DCS replay', {
        clusters,
        ...res,
        etcdWatchers: { start: res.etcdWatchers.start ?? null, end: res.etcdWatchers.end ?? null },
        pacing: { ...p, lagMs: { ...p.lagMs }, latencyMs: { ...p.latencyMs }, worstLagBySliceMs: [...p.worstLagBySliceMs] },
      });
      progress(
        `${tag(ctx)} generator: ${p.verdict}; scheduled ${p.scheduledPerSecond.toFixed(0)} req/s, answered ${p.achievedPerSecond.toFixed(0)} req/s, ` +
          `lag p50/p99/max ${p.lagMs.p50.toFixed(1)}/${p.lagMs.p99.toFixed(1)}/${p.lagMs.max.toFixed(0)} ms, ` +
          `answer p50/p99 ${p.latencyMs.p50.toFixed(1)}/${p.latencyMs.p99.toFixed(1)} ms, CPU ${p.generatorCpuPercent.toFixed(0)} %; ` +
          `watches ${res.watches.created}/${res.watches.opened} (${res.watches.lost} lost); worst lag per 5 s: ${p.worstLagBySliceMs.join(' ')} ms`,
      );
      record(ctx, 'dcs_replay_rps', res.etcdGrpcPerSecond);
      record(ctx, 'dcs_replay_etcd_cpu', res.etcdCpuPercent);
      record(ctx, 'dcs_replay_etcd_rss', res.etcdRssMiB);
      record(ctx, 'dcs_replay_watches', res.etcdWatchers.end ?? res.watches.created - res.watches.lost);
      record(ctx, 'dcs_replay_scheduled_rps', p.scheduledPerSecond);
      record(ctx, 'dcs_replay_answered_rps', p.achievedPerSecond);
      record(ctx, 'dcs_replay_lag_p99', p.lagMs.p99);
      record(ctx, 'dcs_replay_latency_p99', p.latencyMs.p99);
      record(ctx, 'dcs_replay_generator_cpu', p.generatorCpuPercent);
      // Numbers from a generator that fell behind, or from a replay etcd refused, are kept but flagged.
      const problems = [
        ...(p.keptUp ? [] : [`the load generator did not keep up: ${p.verdict}`]),
        ...(p.failed > p.sent / 100 ? [`${p.failed} of ${p.sent} replayed requests failed`] : []),
        ...(res.watches.created < res.watches.opened || res.watches.lost > 0
          ? [`watches: ${res.watches.created} of ${res.watches.opened} created, ${res.watches.lost} lost`]
          : []),
      ];
      if (problems.length > 0) recordError(ctx, ['dcs_replay_rps', 'dcs_replay_answered_rps'], new Error(problems.join('; ')));
    });
  } finally {
    await cluster?.remove();
    for (const r of recorders) await r.stop();
    await target?.stop();
  }
}

export async function runScale(ctx: SuiteContext): Promise<void> {
  const scale = ctx.options.scale;
  if (!scale) return;
  progress(`${tag(ctx)} === scale: ${scale.members}-member cluster; ${scale.clusters} simulated clusters on one etcd ===`);
  await largeCluster(ctx, scale.members);
  await dcsReplay(ctx, scale.clusters, scale.recordSeconds, scale.replaySeconds);
}
