// Command line of `npm run chaos` (pure).
import { parseArgs } from 'node:util';
import { isFaultName, type FaultName, type Mode } from './plan.js';
import { parseDuration } from './stress-plan.js';

export interface ChaosOptions {
  seed: number;
  mode: Mode;
  repeats: number;
  nodes: number;
  faults: FaultName[];
  jsonPath: string | undefined;
  keep: boolean;
  recoveryBoundS: number;
  /** --hostile: REST abuse and DCS garbage against a live cluster (chaos/hostile/) instead of faults. */
  hostile: boolean;
  /** Hostile REST requests to send (--requests, default 10,000). */
  requests: number;
  /** --stress: ttl 6, the primary's host under CPU, disk and etcd-latency stress (chaos/stress.ts). */
  stress: boolean;
  /** --duration of the stress (default 30 min), seconds. */
  durationS: number;
  /** --crashes: host crashes of the primary timed after the stress (default 5). */
  crashes: number;
}

export const USAGE = `usage: node --import tsx chaos/run.ts [--seed N] [--short | --quick] [--repeats N] [--nodes N]
       [--faults a,b,...] [--recovery-bound SECONDS] [--json FILE] [--keep]
       [--stress [--duration 30m] [--crashes N]]
  --short     3 faults (kill -9 primary, freeze node, cut primary from etcd), async only: the in-suite variant
  --quick     every fault once per profile (async, then synchronous_mode_strict)
  (default)   every fault --repeats times (3) per profile, in seeded random order
  --stress    ttl 6; the primary's host under stress (CPU burners, 1 s disk stalls, etcd +500 ms) for
              --duration (30m; 90s, 2m, 1h), then --crashes N (5) host crashes timed to a writable replica
  --hostile   hostile REST requests (--requests N, default 10000) then garbage in every DCS key
  --keep      keep the work directory (logs, data directories) even when the run passed`;

export function parseOptions(argv: readonly string[], defaultSeed: number): ChaosOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seed: { type: 'string' },
      short: { type: 'boolean' },
      quick: { type: 'boolean' },
      repeats: { type: 'string' },
      nodes: { type: 'string' },
      faults: { type: 'string' },
      json: { type: 'string' },
      keep: { type: 'boolean' },
      'recovery-bound': { type: 'string' },
      hostile: { type: 'boolean' },
      requests: { type: 'string' },
      stress: { type: 'boolean' },
      duration: { type: 'string' },
      crashes: { type: 'string' },
    },
    strict: true,
  });
  const int = (v: string | undefined, fallback: number, what: string, min: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${what} must be an integer >= ${min}`);
    return n;
  };
  const faults = (values.faults ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = faults.filter((f) => !isFaultName(f));
  if (unknown.length > 0) throw new Error(`unknown fault(s): ${unknown.join(', ')}`);
  return {
    seed: int(values.seed, defaultSeed, 'seed', 0),
    mode: values.short ? 'short' : values.quick ? 'quick' : 'long',
    repeats: int(values.repeats, 3, 'repeats', 1),
    nodes: int(values.nodes, 3, 'nodes', 3),
    faults: faults.filter(isFaultName),
    jsonPath: values.json,
    keep: values.keep ?? false,
    recoveryBoundS: int(values['recovery-bound'], 120, 'recovery-bound', 10),
    hostile: values.hostile ?? false,
    requests: int(values.requests, 10_000, 'requests', 1),
    stress: values.stress ?? false,
    durationS: parseDuration(values.duration ?? '30m'),
    crashes: int(values.crashes, 5, 'crashes', 0),
  };
}
