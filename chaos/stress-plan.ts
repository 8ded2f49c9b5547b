// `--stress` (pure): the schedule of stress phases on the primary's host, and the judgement of what the
// leader key did meanwhile. No leader fault is injected, so any change of the leader key's holder, or
// the key disappearing, is a false failover.
import type { Rng } from './rng.js';

/**
 * cpu: busy-loop processes (one per core) compete with the primary's daemon and PostgreSQL.
 * disk-stall: every PostgreSQL process of the primary stopped for 1 s (its I/O hangs, the daemon's
 *   queries wait), as a stalled disk does; repeated every few seconds of the phase.
 * etcd-latency: etcd answers the primary 500 ms late (delay proxy).
 * combined: all three at once. calm: nothing, so recovery between phases is part of the run.
 */
export type StressKind = 'cpu' | 'disk-stall' | 'etcd-latency' | 'combined' | 'calm';

export interface StressPhase {
  kind: StressKind;
  seconds: number;
}

export const ETCD_EXTRA_LATENCY_MS = 500;
export const DISK_STALL_MS = 1_000;

const KINDS: readonly StressKind[] = ['cpu', 'disk-stall', 'etcd-latency', 'combined'];

/** Phases of 15-30 s (each followed by 5 s calm) in seeded order, until `durationS` is filled. */
export function stressSchedule(durationS: number, rng: Rng): StressPhase[] {
  const out: StressPhase[] = [];
  let left = durationS;
  while (left > 0) {
    for (const kind of rng.shuffle(KINDS)) {
      if (left <= 0) break;
      const seconds = Math.min(left, rng.int(15, 30));
      out.push({ kind, seconds });
      left -= seconds;
      if (left <= 0) break;
      const calm = Math.min(left, 5);
      out.push({ kind: 'calm', seconds: calm });
      left -= calm;
    }
  }
  return out;
}

/** The leader key's holder as sampled (null: no leader key). Times in ms. */
export interface LeaderSample {
  at: number;
  leader: string | null;
}

export interface LeaderChange {
  at: number;
  from: string | null;
  to: string | null;
}

/** Every change of the sampled holder, the first sample being the reference. */
export function leaderChanges(samples: readonly LeaderSample[]): LeaderChange[] {
  const out: LeaderChange[] = [];
  let prev = samples[0]?.leader;
  for (const s of samples.slice(1)) {
    if (s.leader !== prev) out.push({ at: s.at, from: prev ?? null, to: s.leader });
    prev = s.leader;
  }
  return out;
}

/** Violations of "no false failover": any change while no leader fault was injected. */
export function falseFailovers(samples: readonly LeaderSample[]): string[] {
  if (samples.length === 0) return ['the leader key was never read'];
  const first = samples[0];
  const head = first?.leader === null ? ['no leader key when the stress began'] : [];
  return [
    ...head,
    ...leaderChanges(samples).map((c) =>
      c.to === null
        ? `the leader key of ${c.from ?? '?'} disappeared at +${(c.at - (first?.at ?? 0)) / 1000} s`
        : `the leader key went from ${c.from ?? 'nobody'} to ${c.to} at +${(c.at - (first?.at ?? 0)) / 1000} s`,
    ),
  ];
}

/** `--duration`: `30m`, `90s`, `1h`, or a plain number of minutes; seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration must look like 30m, 90s or 1h (got ${text})`);
  const n = Number(m[1]);
  const seconds = Math.round(n * ({ s: 1, m: 60, h: 3600 }[m[2] ?? 'm'] ?? 60));
  if (seconds < 10) throw new Error('--duration must be at least 10 s');
  return seconds;
}
