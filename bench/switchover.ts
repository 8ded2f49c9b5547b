// Switchover as the operator runs it: `patronictl switchover --leader L --candidate C --force` (ours on
// our cluster, Debian's on Debian's) -> candidate accepts a write -> old primary streams. The clock
// starts before the patronictl process is spawned, so its start-up is part of the measurement.
import { TS_CTL, type TestCluster } from '../test/support/cluster/index.js';
import { writeCtlConfig } from '../test/support/ctl/run.js';
import { haTimeoutMs, record, step, type SuiteContext } from './context.js';
import { cleanEnv, run, type RunResult } from './proc.js';
import { waitHealthy, waitWritable, type Healthy } from './probe.js';
import { sleep } from '../test/support/tmp.js';
import { requestReceivedAt } from './timeline.js';
import type { Writer } from './writer.js';

/** The HAProxy writer (its row is bounded by HAProxy's checks) and the one that knows every node. */
export interface Writers {
  haproxy: Writer | undefined;
  direct: Writer | undefined;
}

/**
 * When the leader logged that the POST arrived (epoch ms): read from its log rather than from
 * PATRONICTL_TRACE, so Debian's patronictl is measured the same way. The line travels through a pipe
 * into the harness's last 300 lines of the log, read a few seconds later: poll for it a while.
 */
async function requestArrival(leader: Healthy['leader'], notBefore: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const at = requestReceivedAt(leader.logTail(300).split('\n'), 'switchover', notBefore);
    if (at !== undefined) return at;
    if (Date.now() > deadline) throw new Error(`${leader.name} logged no "received switchover request" line after the command started`);
    await sleep(100);
  }
}

/** argv of the switchover command of an implementation (pure). */
export function switchoverCommand(impl: SuiteContext['impl'], configPath: string, leader: string, candidate: string): string[] {
  const args = ['-c', configPath, 'switchover', '--leader', leader, '--candidate', candidate, '--force'];
  return impl === 'ts' ? [process.execPath, TS_CTL, ...args] : ['/usr/bin/patronictl', ...args];
}

/** Starts the command; the promise settles when it exits. `env` adds variables (PATRONICTL_TRACE). */
export function startSwitchover(ctx: SuiteContext, cluster: TestCluster, leader: string, candidate: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const configPath = writeCtlConfig(cluster.dir, cluster.scope, ctx.etcd.hostPort);
  const [cmd = '', ...args] = switchoverCommand(ctx.impl, configPath, leader, candidate);
  return run(cmd, args, { env: { ...cleanEnv(), ...env }, timeoutMs: haTimeoutMs(ctx.profile) });
}

export async function measureSwitchover(ctx: SuiteContext, cluster: TestCluster, writers: Writers): Promise<void> {
  const timeoutMs = haTimeoutMs(ctx.profile);
  for (let i = 1; i <= ctx.options.reps; i++) {
    const metrics = [
      'switchover_writable',
      'switchover_streaming',
      'switchover_request',
      ...(writers.haproxy ? (['write_gap_switchover'] as const) : []),
      ...(writers.direct ? (['write_gap_direct_switchover'] as const) : []),
    ] as const;
    const ok = await step(ctx, `switchover ${i}/${ctx.options.reps}`, metrics, async () => {
      const {
        leader,
        replicas: [candidate],
      } = await waitHealthy(cluster, timeoutMs);
      if (!candidate) throw new Error('no replica to switch over to');
      const wallT0 = Date.now();
      const t0 = performance.now();
      const command = startSwitchover(ctx, cluster, leader.name, candidate.name);
      // A command that fails (refusal, bad config) ends the attempt at once; one that succeeds is
      // judged by what the cluster does.
      const failed = command.then((r) => {
        ctx.store.detail(ctx.profile.name, ctx.impl, 'switchover answers', { exit: r.code, out: r.stdout.slice(-300), err: r.stderr.slice(-300) });
        if (r.code !== 0) throw new Error(`patronictl switchover exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(-300)}`);
        return new Promise<never>(() => undefined);
      });
      const { at: writableAt } = await Promise.race([waitWritable([candidate], timeoutMs), failed]);
      record(ctx, 'switchover_writable', (writableAt - t0) / 1000);
      const healthy = await waitHealthy(cluster, timeoutMs);
      if (healthy.leader !== candidate) throw new Error(`${healthy.leader.name} is leader, not the candidate ${candidate.name}`);
      record(ctx, 'switchover_streaming', (performance.now() - t0) / 1000);
      if (writers.direct) record(ctx, 'write_gap_direct_switchover', (await writers.direct.gapSince(t0, writableAt, 60_000)) / 1000);
      if (writers.haproxy) record(ctx, 'write_gap_switchover', (await writers.haproxy.gapSince(t0, writableAt, 60_000)) / 1000);
      record(ctx, 'switchover_request', ((await requestArrival(leader, wallT0)) - wallT0) / 1000);
      await command.catch(() => undefined);
    });
    if (!ok) return; // a cluster that failed one switchover would only fail the next ones the same way
  }
}
