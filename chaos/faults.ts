// The faults (I/O): each injects its failure, keeps it long enough to matter and undoes it, restarting
// what it killed. Each returns whether it ran; notes go to the run's report.
import { sleep } from '../test/support/tmp.js';
import type { Lab } from './lab.js';
import { cut, heal } from './netns.js';
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

export type FaultOutcome = { kind: 'injected' } | { kind: 'skipped'; reason: string };

const INJECTED: FaultOutcome = { kind: 'injected' };

/** Longer than ttl, so that the leader key expires while the fault lasts. */
const holdMs = (c: FaultContext): number => (c.lab.timing.ttl + c.rng.int(3, 8)) * 1000;

async function newLeaderOtherThan(c: FaultContext, old: LabNode, timeoutMs: number): Promise<LabNode | undefined> {
  try {
    return await c.lab.waitFor(`a leader other than ${old.name}`, async () => {
      const l = await c.lab.leader();
      return l && l !== old ? l : undefined;
    }, timeoutMs);
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

async function stopEtcd(c: FaultContext): Promise<FaultOutcome> {
  await c.lab.etcd.stop();
  try {
    await sleep(holdMs(c));
    const s = await c.leader.status();
    c.notes.push(`after ${c.lab.timing.ttl}+ s without etcd ${c.leader.name} is ${String(s?.role ?? 'unreachable')}`);
  } finally {
    await c.lab.etcd.start();
  }
  return INJECTED;
}

async function patchConfig(c: FaultContext, patch: Record<string, boolean | null>): Promise<boolean> {
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
    return await stopEtcd(c);
  } finally {
    if (!(await patchConfig(c, { failsafe_mode: null }))) c.notes.push('could not switch failsafe_mode off again');
  }
}

async function syncStandby(leader: LabNode): Promise<string | undefined> {
  const rows = await leader.sql<{ application_name: string }>(
    "SELECT application_name FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum') ORDER BY 1").catch(() => []);
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
    const r = await c.leader.api('POST', '/switchover', { leader: c.leader.name, candidate: candidate.name })
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

export const FAULTS: Record<FaultName, (c: FaultContext) => Promise<FaultOutcome>> = {
  'kill-primary': killPrimary,
  'kill-postgres': killPostgres,
  'freeze-node': freezeNode,
  'freeze-daemon': freezeDaemon,
  'cut-primary-etcd': cutPrimaryEtcd,
  'cut-primary-replicas': cutPrimaryReplicas,
  'stop-etcd': stopEtcd,
  'stop-etcd-failsafe': stopEtcdFailsafe,
  'switchover-during-cut': switchoverDuringCut,
};
