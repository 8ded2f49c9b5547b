// One fault from healthy to healthy again (I/O), then the invariants over what happened meanwhile.
import { performance } from 'node:perf_hooks';
import { log } from '../src/log/logger.js';
import { sleep } from '../test/support/tmp.js';
import { checkExpectations } from './expectations.js';
import { FAULTS } from './faults.js';
import { findDoublePrimaries, judgeLoss, parseTimelineHistory, type AcceptedWrite, type Durability, type TimelineSwitch } from './invariants.js';
import type { Lab } from './lab.js';
import type { LabNode } from './node.js';
import type { PlanItem } from './plan.js';
import type { Rng } from './rng.js';
import type { FaultResult } from './stats.js';
import { WRITES_TABLE, type TimedCommit, type Writer } from './writer.js';

export interface RunState {
  lab: Lab;
  writer: Writer;
  accepted: AcceptedWrite[];
  rng: Rng;
  maximumLagOnFailover: number;
  recoveryBoundMs: number;
  /** Commits already reported lost, so a loss is counted once. */
  knownLost: Set<number>;
  /** Accepted writes sent before this instant were already checked for double primaries. */
  checkedUntil: number;
}

const HEALTHY_TIMEOUT_MS = 180_000;

export async function runFault(item: PlanItem, s: RunState): Promise<FaultResult> {
  const { lab, writer } = s;
  const leader = await lab.waitFor('a healthy cluster before the fault', () => lab.healthyLeader(), HEALTHY_TIMEOUT_MS);
  await lab.waitFor(`writes acknowledged by ${leader.name}`, async () => writer.lastCommit()?.node === leader.name || undefined, 60_000);
  await sleep(s.rng.int(500, 2500));
  const notes: string[] = [];
  const replicas = lab.nodes.filter((n) => n !== leader);
  const started = performance.now();
  log.info('chaos: %s (%s) on leader %s', item.fault, item.profile, leader.name);
  const outcome = await FAULTS[item.fault]({ lab, leader, replicas, profile: item.profile, rng: s.rng, notes });
  const base = { fault: item.fault, profile: item.profile, notes };
  if (outcome.kind === 'skipped') {
    return { ...base, outcome: 'skipped', violations: [], recoveryMs: undefined, writeGapMs: undefined, lostCommits: 0, notes: [...notes, outcome.reason] };
  }
  const healed = performance.now();
  const violations: string[] = [];
  const recovered = await waitRecovered(s, healed);
  const recoveryMs = recovered ? recovered.at - healed : undefined;
  if (!recovered) violations.push(`no leader with ${lab.nodes.length - 1} streaming replicas accepting writes within ${s.recoveryBoundMs / 1000} s`);
  await sleep(1000);
  violations.push(...splitBrainViolations(s));
  violations.push(...checkExpectations(outcome.expect ?? [], s.accepted));
  let lostCommits = 0;
  const final = recovered?.leader ?? (await lab.leader());
  if (final) {
    const durability: Durability = item.profile === 'strict' ? { kind: 'strict' } : { kind: 'async', maximumLagOnFailover: s.maximumLagOnFailover };
    const loss = await checkLoss(s, final, durability);
    lostCommits = loss.lost;
    violations.push(...loss.violations);
    if (loss.lost > 0) notes.push(`${loss.lost} acknowledged commit(s) lost, at most ${loss.maxBytes} bytes past the failover point`);
  }
  const writeGapMs = longestGap(writer.commits, started, recovered?.at ?? performance.now());
  for (const v of violations) log.error('chaos: VIOLATION after %s: %s', item.fault, v);
  return { ...base, outcome: violations.length ? 'violated' : 'ok', violations, recoveryMs, writeGapMs, lostCommits };
}

/** Healthy again: one leader, n-1 streaming replicas, and the writer's commits acknowledged by that leader. */
async function waitRecovered(s: RunState, since: number): Promise<{ leader: LabNode; at: number } | undefined> {
  const deadline = since + s.recoveryBoundMs;
  while (performance.now() < deadline) {
    const leader = await s.lab.healthyLeader().catch(() => undefined);
    const last = s.writer.lastCommit();
    if (leader && last && last.node === leader.name && last.sentAt > since) return { leader, at: performance.now() };
    await sleep(250);
  }
  return undefined;
}

function splitBrainViolations(s: RunState): string[] {
  const now = performance.now();
  // Writes sent a little before the last check may overlap ones after it: look back a few seconds.
  const window = s.accepted.filter((w) => w.sentAt >= s.checkedUntil - 5_000);
  const found = findDoublePrimaries(window).filter((d) => d.at >= s.checkedUntil);
  s.checkedUntil = now;
  return found.map((d) => `${d.first} and ${d.second} both accepted writes at ${new Date(performance.timeOrigin + d.at).toISOString()}`);
}

async function leaderHistory(leader: LabNode, timeline: number): Promise<TimelineSwitch[]> {
  if (timeline <= 1) return [];
  const name = `pg_wal/${timeline.toString(16).toUpperCase().padStart(8, '0')}.history`;
  const rows = await leader.sql<{ text: string }>('SELECT pg_read_file($1) AS text', [name]);
  return parseTimelineHistory(rows[0]?.text ?? '');
}

async function checkLoss(s: RunState, leader: LabNode, durability: Durability): Promise<{ lost: number; maxBytes: number; violations: string[] }> {
  // Only commits acknowledged before the leader's snapshot is taken can be expected in it.
  const acknowledged = s.writer.commits.slice(0, s.writer.commits.length);
  const rows = await leader.sql<{ id: string; tl: number }>(
    `SELECT id::text, ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int AS tl FROM ${WRITES_TABLE}
     UNION ALL SELECT '0', ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int`,
  );
  const timeline = rows[0]?.tl ?? 1;
  const present = new Set(rows.map((r) => Number(r.id)));
  const missing = acknowledged.filter((c) => !present.has(c.id) && !s.knownLost.has(c.id));
  for (const c of missing) s.knownLost.add(c.id);
  const report = judgeLoss(missing, timeline, await leaderHistory(leader, timeline), durability);
  return { lost: report.lost.length, maxBytes: report.maxLostBytes, violations: report.violations };
}

/** Longest time without an acknowledged commit between `from` and `to`. */
export function longestGap(commits: readonly TimedCommit[], from: number, to: number): number {
  let prev = from;
  let gap = 0;
  for (const c of commits) {
    if (c.ackAt <= from) continue;
    if (c.ackAt > to) break;
    gap = Math.max(gap, c.ackAt - prev);
    prev = c.ackAt;
  }
  return Math.max(gap, to - prev);
}
