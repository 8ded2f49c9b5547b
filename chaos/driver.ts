// The inner half of a run (I/O), inside the ctl namespace: start the cluster, keep a writer and the
// split-brain probes going, run the plan fault by fault, and print the summary.
import { writeFileSync } from 'node:fs';
import { log } from '../src/log/logger.js';
import { sleep } from '../test/support/tmp.js';
import type { AcceptedWrite } from './invariants.js';
import { Lab } from './lab.js';
import type { ChaosOptions } from './options.js';
import { buildPlan, type PlanItem } from './plan.js';
import { makeRng } from './rng.js';
import { PROBE_TABLE, Sampler } from './sampler.js';
import { runFault, type RunState } from './scenario.js';
import { formatTable, summarize, type FaultResult } from './stats.js';
import type { Topology } from './topology.js';
import { WRITES_TABLE, Writer } from './writer.js';

const TIMING = { ttl: 20, loopWait: 2, retryTimeout: 5 } as const;
const MAXIMUM_LAG_ON_FAILOVER = 1048576;

export interface RunReport {
  seed: number;
  mode: string;
  results: FaultResult[];
  violations: number;
  acknowledgedCommits: number;
  probeRounds: number;
}

const skipped = (item: PlanItem, reason: string): FaultResult => ({
  fault: item.fault,
  profile: item.profile,
  outcome: 'skipped',
  violations: [],
  recoveryMs: undefined,
  writeGapMs: undefined,
  lostCommits: 0,
  notes: [reason],
});

/** Switches the running cluster to synchronous_mode_strict; true once a standby is really synchronous. */
async function enableStrictSync(lab: Lab): Promise<boolean> {
  const leader = await lab.waitFor('a healthy cluster', () => lab.healthyLeader(), 180_000);
  const r = await leader.api('PATCH', '/config', { synchronous_mode: true, synchronous_mode_strict: true }).catch(() => undefined);
  if (!r || r.status >= 300) return false;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const l = await lab.leader();
    const rows = l
      ? await l.sql<{ n: string }>("SELECT count(*)::text AS n FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')").catch(() => [])
      : [];
    if (Number(rows[0]?.n ?? 0) > 0) return true;
    await sleep(1000);
  }
  return false;
}

export async function drive(o: ChaosOptions, topology: Topology, workDir: string, onResult: (r: FaultResult) => void): Promise<RunReport> {
  const rng = makeRng(o.seed);
  const plan = buildPlan(o.mode, o.repeats, rng, o.faults);
  log.info('chaos: seed %s, %s faults: %s', o.seed, plan.length, plan.map((p) => `${p.fault}/${p.profile}`).join(', '));
  const lab = new Lab({ topology, workDir, timing: TIMING, maximumLagOnFailover: MAXIMUM_LAG_ON_FAILOVER });
  const accepted: AcceptedWrite[] = [];
  const writer = new Writer(lab.nodes, accepted);
  const sampler = new Sampler(lab.nodes, accepted);
  const results: FaultResult[] = [];
  try {
    await lab.start();
    const leader = await lab.waitFor('a healthy cluster', () => lab.healthyLeader(), 180_000);
    await leader.sql(`CREATE TABLE ${WRITES_TABLE} (id bigint PRIMARY KEY, at timestamptz DEFAULT now())`);
    await leader.sql(`CREATE TABLE ${PROBE_TABLE} (node text, at timestamptz DEFAULT now())`);
    writer.start();
    sampler.start();
    const state: RunState = {
      lab,
      writer,
      accepted,
      rng,
      maximumLagOnFailover: MAXIMUM_LAG_ON_FAILOVER,
      recoveryBoundMs: o.recoveryBoundS * 1000,
      knownLost: new Set(),
      checkedUntil: 0,
    };
    let strict: 'untested' | 'on' | 'unavailable' = 'untested';
    for (const item of plan) {
      if (item.profile === 'strict' && strict === 'untested') {
        strict = (await enableStrictSync(lab)) ? 'on' : 'unavailable';
        log.info('chaos: synchronous_mode_strict %s', strict);
      }
      const result =
        strict === 'unavailable' && item.profile === 'strict'
          ? skipped(item, 'synchronous_mode_strict does not take effect (no synchronous standby)')
          : await runFault(item, state);
      results.push(result);
      onResult(result);
    }
  } finally {
    await writer.stop();
    await sampler.stop();
    await lab.stop().catch((e: unknown) => log.error('chaos: stopping the lab: %s', e));
  }
  const report: RunReport = {
    seed: o.seed,
    mode: o.mode,
    results,
    violations: results.reduce((n, r) => n + r.violations.length, 0),
    acknowledgedCommits: writer.commits.length,
    probeRounds: sampler.rounds,
  };
  if (o.jsonPath) writeFileSync(o.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

export function printReport(r: RunReport): void {
  const lines = [
    '',
    `chaos summary (seed ${r.seed}, ${r.mode}; ${r.acknowledgedCommits} acknowledged commits, ${r.probeRounds} probe rounds)`,
    formatTable(summarize(r.results)),
  ];
  for (const res of r.results) {
    const recovery = res.recoveryMs === undefined ? '-' : `${(res.recoveryMs / 1000).toFixed(1)} s`;
    lines.push(`  ${res.profile}:${res.fault} ${res.outcome} recovery ${recovery}${res.notes.length ? `: ${res.notes.join('; ')}` : ''}`);
    for (const v of res.violations) lines.push(`    VIOLATION ${v}`);
  }
  lines.push(`invariant violations: ${r.violations}${r.violations ? ` -- replay with --seed ${r.seed}` : ''}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
