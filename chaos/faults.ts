// The faults (I/O): each injects its failure, keeps it long enough to matter and undoes it, restarting
// what it killed. Each returns whether it ran; notes go to the run's report.
import { performance } from 'node:perf_hooks';
import { sleep } from '../test/support/tmp.js';
import type { Expectation } from './expectations.js';
import type { Lab } from './lab.js';
import { cut, heal, netnsPids, signalPids } from './netns.js';
import type { LabNode } from './node.js';
import type { FaultName, Profile } from './plan.js';
import type { Rng } from './rng.js';

export interface FaultContext {
  lab: Lab;
  leader: LabNode;
  replicas: LabNode[];
  profile: Profile;
  rng: Rng;
  notes: string[];
}

/** `expect`: the fault's own invariants, checked over the acknowledged writes once the cluster recovered. */
export type FaultOutcome = { kind: 'injected'; expect?: Expectation[] } | { kind: 'skipped'; reason: string };

const INJECTED: FaultOutcome = { kind: 'injected' };

/** Longer than ttl, so that the leader key expires while the fault lasts. */
const holdMs = (c: FaultContext): number => (c.lab.timing.ttl + c.rng.int(3, 8)) * 1000;

async function newLeaderOtherThan(c: FaultContext, old: LabNode, timeoutMs: number): Promise<LabNode | undefined> {
  try {
    return await c.lab.waitFor(
      `a leader other than ${old.name}`,
      async () => {
        const l = await c.lab.leader();
        return l && l !== old ? l : undefined;
      },
      timeoutMs,
    );
  } catch {
    return undefined;
  }
}

async function killPrimary(c: FaultContext): Promise<FaultOutcome> {
  c.leader.killDaemon('SIGKILL');
  c.leader.killPostmaster('SIGKILL');
  const next = await newLeaderOtherThan(c, c.leader, (c.lab.timing.ttl + 60) * 1000);
  c.notes.push(next ? `${next.name} took over from ${c.leader.name}` : `no new leader after killing ${c.leader.name}`);
  await c.leader.start();
  return INJECTED;
}

async function killPostgres(c: FaultContext): Promise<FaultOutcome> {
  if (!c.leader.killPostmaster('SIGKILL')) return { kind: 'skipped', reason: `${c.leader.name} has no postmaster` };
  return INJECTED;
}

async function freezeNode(c: FaultContext): Promise<FaultOutcome> {
  c.leader.signalAll('SIGSTOP');
  try {
    await sleep(holdMs(c));
  } finally {
    c.leader.signalAll('SIGCONT');
  }
  return INJECTED;
}

async function freezeDaemon(c: FaultContext): Promise<FaultOutcome> {
  c.leader.killDaemon('SIGSTOP');
  try {
    await sleep(holdMs(c));
  } finally {
    c.leader.killDaemon('SIGCONT');
  }
  return INJECTED;
}

async function cutPrimaryEtcd(c: FaultContext): Promise<FaultOutcome> {
  const etcd = c.lab.etcd.host;
  cut(c.leader.host, etcd);
  try {
    await sleep(holdMs(c));
  } finally {
    heal(c.leader.host, etcd);
  }
  return INJECTED;
}

async function cutPrimaryReplicas(c: FaultContext): Promise<FaultOutcome> {
  for (const r of c.replicas) cut(c.leader.host, r.host);
  try {
    await sleep(holdMs(c));
  } finally {
    for (const r of c.replicas) heal(c.leader.host, r.host);
  }
  const still = await c.lab.leader();
  c.notes.push(still === c.leader ? `${c.leader.name} stayed the leader` : `leader changed to ${still?.name ?? 'none'}`);
  return INJECTED;
}

/**
 * etcd down longer than ttl. Failsafe off: the primary must stop taking writes before its lease could
 * have expired (ttl after the outage began). Failsafe on: every member answers, so it stays writable.
 */
async function stopEtcd(c: FaultContext, failsafe = false): Promise<FaultOutcome> {
  const from = performance.now();
  await c.lab.etcd.stop();
  let to = from;
  try {
    await sleep(holdMs(c));
    to = performance.now();
    const s = await c.leader.status();
    c.notes.push(`after ${c.lab.timing.ttl}+ s without etcd ${c.leader.name} is ${String(s?.role ?? 'unreachable')}`);
  } finally {
    await c.lab.etcd.start();
  }
  const { ttl, loopWait, retryTimeout } = c.lab.timing;
  // Strict sync mode blocks commits whenever the standby set changes; only async must stay fully writable.
  const expect: Expectation[] = failsafe
    ? c.profile === 'async'
      ? [{ kind: 'stays_writable', node: c.leader.name, from, to, maxGapMs: (loopWait + retryTimeout + 3) * 1000 }]
      : []
    : [{ kind: 'stops_writes_by', node: c.leader.name, deadline: from + ttl * 1000, until: to }];
  return { kind: 'injected', expect };
}

async function patchConfig(c: FaultContext, patch: Record<string, boolean | number | null>): Promise<boolean> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const target = (await c.lab.leader()) ?? c.leader;
    const r = await target.api('PATCH', '/config', patch).catch(() => undefined);
    if (r && r.status < 300) return true;
    await sleep(1000);
  }
  return false;
}

async function stopEtcdFailsafe(c: FaultContext): Promise<FaultOutcome> {
  if (!(await patchConfig(c, { failsafe_mode: true }))) return { kind: 'skipped', reason: 'PATCH /config failsafe_mode failed' };
  // Give every member a loop to read the mode and the leader one to publish the failsafe key.
  await sleep(c.lab.timing.loopWait * 2000 + 1000);
  try {
    return await stopEtcd(c, true);
  } finally {
    if (!(await patchConfig(c, { failsafe_mode: null }))) c.notes.push('could not switch failsafe_mode off again');
  }
}

async function syncStandby(leader: LabNode): Promise<string | undefined> {
  const rows = await leader
    .sql<{ application_name: string }>("SELECT application_name FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum') ORDER BY 1")
    .catch(() => []);
  return rows[0]?.application_name;
}

async function switchoverDuringCut(c: FaultContext): Promise<FaultOutcome> {
  if (c.replicas.length < 2) return { kind: 'skipped', reason: 'needs two replicas' };
  const sync = c.profile === 'strict' ? await syncStandby(c.leader) : undefined;
  const candidate = c.replicas.find((r) => r.name === sync) ?? c.rng.pick(c.replicas);
  const isolated = c.rng.pick(c.replicas.filter((r) => r !== candidate));
  cut(c.leader.host, isolated.host);
  try {
    await sleep(c.rng.int(1000, 4000));
    const r = await c.leader
      .api('POST', '/switchover', { leader: c.leader.name, candidate: candidate.name })
      .catch((e: unknown) => ({ status: 0, text: String(e) }));
    c.notes.push(`switchover ${c.leader.name} -> ${candidate.name} with ${isolated.name} cut off: ${r.status} ${r.text.trim()}`);
    const next = await newLeaderOtherThan(c, c.leader, 60_000);
    c.notes.push(next ? `${next.name} leads after the switchover` : 'the leader did not change');
    await sleep(c.rng.int(1000, 5000));
  } finally {
    heal(c.leader.host, isolated.host);
  }
  return INJECTED;
}

/**
 * The leader's daemon frozen with its watchdog (testing driver) open: when the pipe's timer runs out the
 * orchestrator does what a real device does, a hard reset of the host (SIGKILL of all its processes).
 * That must happen before any replica can promote; then the host comes back.
 */
async function freezeDaemonWatchdog(c: FaultContext): Promise<FaultOutcome> {
  const wd = c.lab.watchdogs.get(c.leader.name);
  if (!wd?.open) return { kind: 'skipped', reason: `the watchdog of ${c.leader.name} is not open` };
  wd.reset();
  const host = c.leader.host.netns;
  wd.onTrigger = () => {
    c.leader.note('watchdog fired: resetting the host');
    signalPids(netnsPids(host), 'SIGKILL');
  };
  const from = performance.now();
  c.leader.killDaemon('SIGSTOP');
  try {
    await sleep(holdMs(c));
  } finally {
    wd.onTrigger = undefined;
    c.leader.signalAll('SIGCONT');
  }
  c.notes.push(wd.triggeredAt === undefined ? 'the watchdog did not fire' : `the watchdog fired after ${((wd.triggeredAt - from) / 1000).toFixed(1)} s`);
  await c.leader.stop();
  await c.leader.start();
  return { kind: 'injected', expect: [{ kind: 'fenced_before_promotion', node: c.leader.name, from, firedAt: wd.triggeredAt }] };
}

/**
 * primary_race_backoff longer than the freeze: the leader's daemon is frozen past ttl while its
 * PostgreSQL keeps streaming the writer's WAL, so the replicas see their WAL move and hold the race.
 * No replica may promote before the daemon is thawed (what happens after is the lease fence's call).
 */
async function freezeDaemonBackoff(c: FaultContext): Promise<FaultOutcome> {
  const backoff = c.lab.timing.ttl * 3;
  if (!(await patchConfig(c, { primary_race_backoff: backoff }))) return { kind: 'skipped', reason: 'PATCH /config primary_race_backoff failed' };
  await sleep(c.lab.timing.loopWait * 2000 + 1000);
  const from = performance.now();
  c.leader.killDaemon('SIGSTOP');
  let until = from;
  try {
    await sleep(holdMs(c));
    until = performance.now();
  } finally {
    c.leader.killDaemon('SIGCONT');
  }
  const moved = c.replicas.some((r) => /wal position moved since last heart beat loop/.test(r.logTail(200)));
  c.notes.push(moved ? 'the replicas postponed the leader race' : 'no replica reported a postponed race');
  await sleep(c.lab.timing.loopWait * 2000);
  if (!(await patchConfig(c, { primary_race_backoff: null }))) c.notes.push('could not reset primary_race_backoff');
  return { kind: 'injected', expect: [{ kind: 'no_promotion_before', node: c.leader.name, from, until }] };
}

/**
 * A demotion whose shutdown would hang: the synchronous standby's PostgreSQL is frozen, so the
 * primary's WAL sender waits for it (wal_sender_timeout) and a fast stop never finishes. With
 * primary_stop_timeout the daemon's shutdown kills the postmaster instead.
 */
async function stuckShutdown(c: FaultContext): Promise<FaultOutcome> {
  const stopTimeout = 5;
  const sync = await syncStandby(c.leader);
  const standby = c.replicas.find((r) => r.name === sync);
  if (!standby) return { kind: 'skipped', reason: 'no synchronous standby' };
  if (!(await patchConfig(c, { primary_stop_timeout: stopTimeout }))) return { kind: 'skipped', reason: 'PATCH /config primary_stop_timeout failed' };
  await sleep(c.lab.timing.loopWait * 2000 + 1000);
  const daemon = standby.pid;
  const frozen = netnsPids(standby.host.netns).filter((p) => p !== daemon);
  standby.note(`PostgreSQL frozen (${frozen.length} processes)`);
  signalPids(frozen, 'SIGSTOP');
  let tookMs: number | undefined;
  try {
    await sleep(1000);
    const started = performance.now();
    await c.leader.stop(90_000);
    tookMs = performance.now() - started;
    c.notes.push(`${c.leader.name} shut down in ${(tookMs / 1000).toFixed(1)} s with ${standby.name} frozen`);
  } finally {
    signalPids(frozen, 'SIGCONT');
    standby.note('PostgreSQL thawed');
  }
  await c.leader.start();
  if (!(await patchConfig(c, { primary_stop_timeout: null }))) c.notes.push('could not reset primary_stop_timeout');
  // Fast stop, then immediate, each up to primary_stop_timeout; the rest is pg_ctl and process exit.
  return { kind: 'injected', expect: [{ kind: 'stopped_within', node: c.leader.name, tookMs, boundMs: (stopTimeout * 2 + 10) * 1000 }] };
}

export const FAULTS: Record<FaultName, (c: FaultContext) => Promise<FaultOutcome>> = {
  'kill-primary': killPrimary,
  'kill-postgres': killPostgres,
  'freeze-node': freezeNode,
  'freeze-daemon': freezeDaemon,
  'cut-primary-etcd': cutPrimaryEtcd,
  'cut-primary-replicas': cutPrimaryReplicas,
  'stop-etcd': (c) => stopEtcd(c),
  'stop-etcd-failsafe': stopEtcdFailsafe,
  'switchover-during-cut': switchoverDuringCut,
  'freeze-daemon-watchdog': freezeDaemonWatchdog,
  'freeze-daemon-backoff': freezeDaemonBackoff,
  'stuck-shutdown': stuckShutdown,
};
