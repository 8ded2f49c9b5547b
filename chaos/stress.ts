// `npm run chaos -- --stress [--duration 30m] [--crashes N]` (I/O, inner half, inside the ctl namespace):
// a ttl-6 cluster whose primary's host is put under stress phase after phase (stress-plan.ts) while a
// writer and the split-brain probes run, then N host crashes of the primary timed to a writable replica.
// Invariants: the leader key never changes hands and never disappears during the stress (no leader
// fault is injected, so any change is a false failover), the primary's watchdog never fires, and no two
// nodes accept writes at once (over the whole run, crashes included).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { log } from '../src/log/logger.js';
import { sleep } from '../test/support/tmp.js';
import { DelayProxy } from './delay-proxy.js';
import { findDoublePrimaries, type AcceptedWrite } from './invariants.js';
import { Lab } from './lab.js';
import { netnsPids, signalPids } from './netns.js';
import type { LabNode } from './node.js';
import type { ChaosOptions } from './options.js';
import { makeRng } from './rng.js';
import { PROBE_TABLE, Sampler } from './sampler.js';
import { longestGap } from './scenario.js';
import { median } from './stats.js';
import { DISK_STALL_MS, ETCD_EXTRA_LATENCY_MS, falseFailovers, stressSchedule, type LeaderSample, type StressKind } from './stress-plan.js';
import { ETCD_CLIENT_PORT, type Topology } from './topology.js';
import { WRITES_TABLE, Writer } from './writer.js';

/** ttl 6 is the smallest patroni-ts accepts (README "Small TTLs"); 2 * retry_timeout <= ttl. */
const TIMING = { ttl: 6, loopWait: 2, retryTimeout: 3 } as const;
const MAXIMUM_LAG_ON_FAILOVER = 1048576;
/**
 * Watchdog timeout ttl - 2 = 4 s: pinged after each leader-key update of the HA cycle (every loop_wait
 * = 2 s), so a cycle may be 2 s late -- a 1 s disk stall plus a slow etcd answer -- before a real device
 * would reset the host. With safety_margin -1 (timeout ttl/2 = 3 s, 1 s slack) the first run of this
 * mode saw the watchdog fire under a disk stall: that setting is too tight for loop_wait 2 at ttl 6.
 */
const WATCHDOG_SAFETY_MARGIN = 2;
const PROXY_PORT = 2479;
const LEADER_KEY = '/service/chaos/leader';

export interface StressReport {
  seed: number;
  durationS: number;
  phases: { kind: StressKind; seconds: number; target: string }[];
  leaderSamples: number;
  violations: string[];
  /** Longest time without an acknowledged commit during the stress (ms): informative. */
  writeGapMs: number;
  /** Host crash of the primary -> a replica accepts a write (ms), one per crash. */
  crashToWritableMs: number[];
  acknowledgedCommits: number;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Holder of the leader key read straight from etcd (not through the proxy); undefined when etcd did not answer. */
async function readLeader(etcdUrl: string): Promise<string | null | undefined> {
  try {
    const res = await fetch(`${etcdUrl}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key: b64(LEADER_KEY) }),
      signal: AbortSignal.timeout(1_000),
    });
    const body = (await res.json()) as { kvs?: { value?: string }[] };
    const value = body.kvs?.[0]?.value;
    return value === undefined ? null : Buffer.from(value, 'base64').toString();
  } catch {
    return undefined;
  }
}

/** Samples the leader key every 200 ms until stopped. */
function watchLeader(etcdUrl: string): { samples: LeaderSample[]; stop: () => Promise<void> } {
  const samples: LeaderSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = performance.now();
      const leader = await readLeader(etcdUrl);
      if (leader !== undefined) samples.push({ at, leader });
      await sleep(Math.max(0, 200 - (performance.now() - at)));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** PostgreSQL processes of a node (postmaster and children), by /proc/<pid>/comm. */
function postgresPids(node: LabNode): number[] {
  return netnsPids(node.host.netns).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
    } catch {
      return false;
    }
  });
}

/** One busy loop per core in the node's namespace (so the lab's teardown kills them too). */
function startBurners(node: LabNode): ChildProcess[] {
  return cpus().map(() => spawn('ip', ['netns', 'exec', node.host.netns, 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }));
}

async function stopBurners(burners: ChildProcess[]): Promise<void> {
  await Promise.all(
    burners.map(
      (b) =>
        new Promise<void>((res) => {
          if (b.exitCode !== null || b.signalCode !== null) return res();
          b.once('exit', () => res());
          b.kill('SIGKILL');
        }),
    ),
  );
}

/** A disk stall: every PostgreSQL process of the node stopped for DISK_STALL_MS, then continued. */
async function diskStall(node: LabNode): Promise<void> {
  const pids = postgresPids(node);
  node.note(`disk stall: SIGSTOP of ${pids.length} postgres processes for ${DISK_STALL_MS} ms`);
  signalPids(pids, 'SIGSTOP');
  try {
    await sleep(DISK_STALL_MS);
  } finally {
    signalPids(pids, 'SIGCONT');
  }
}

async function runPhase(kind: StressKind, seconds: number, target: LabNode, proxy: DelayProxy): Promise<void> {
  const end = performance.now() + seconds * 1000;
  const cpu = kind === 'cpu' || kind === 'combined';
  const disk = kind === 'disk-stall' || kind === 'combined';
  const latency = kind === 'etcd-latency' || kind === 'combined';
  const burners = cpu ? startBurners(target) : [];
  if (latency) proxy.setDelay(target.host.address, ETCD_EXTRA_LATENCY_MS);
  try {
    while (performance.now() < end) {
      if (disk) await diskStall(target);
      await sleep(Math.min(disk ? 4_000 : 1_000, Math.max(0, end - performance.now())));
    }
  } finally {
    proxy.setDelay(target.host.address, 0);
    await stopBurners(burners);
  }
}

/** First instant (performance.now()) one of `nodes` commits a probe row; each success is an accepted write. */
async function firstWritable(nodes: readonly LabNode[], accepted: AcceptedWrite[], timeoutMs: number): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const round = performance.now();
    const hits = await Promise.all(
      nodes.map(async (n) => {
        const client = n.pgClient(1_000);
        client.on('error', () => undefined);
        try {
          await client.connect();
          const sentAt = performance.now();
          await client.query(`INSERT INTO ${PROBE_TABLE} (node) VALUES ($1)`, [n.name]);
          const ackAt = performance.now();
          accepted.push({ node: n.name, sentAt, ackAt });
          return ackAt;
        } catch {
          return undefined;
        } finally {
          void client.end().catch(() => undefined);
        }
      }),
    );
    const ok = hits.filter((h): h is number => h !== undefined);
    if (ok.length > 0) return Math.min(...ok);
    await sleep(Math.max(0, 100 - (performance.now() - round)));
  }
  return undefined;
}

async function hostCrash(lab: Lab, accepted: AcceptedWrite[], i: number, n: number): Promise<number | undefined> {
  const leader = await lab.waitFor('a healthy cluster before the crash', () => lab.healthyLeader(), 180_000);
  await sleep(1_000 + Math.floor(Math.random() * 1_000)); // not in phase with the lease renewals
  const replicas = lab.nodes.filter((x) => x !== leader);
  log.info('chaos: host crash %s/%s of %s', i, n, leader.name);
  leader.note('host crash: SIGKILL of every process of the host');
  const t0 = performance.now();
  signalPids(netnsPids(leader.host.netns), 'SIGKILL');
  const writable = await firstWritable(replicas, accepted, (TIMING.ttl + 60) * 1000);
  await leader.stop();
  await leader.start();
  return writable === undefined ? undefined : writable - t0;
}

export async function driveStress(o: ChaosOptions, topology: Topology, workDir: string): Promise<StressReport> {
  const rng = makeRng(o.seed);
  const schedule = stressSchedule(o.durationS, rng);
  const proxy = new DelayProxy({ host: topology.ctl.address, port: PROXY_PORT }, { host: topology.etcd.address, port: ETCD_CLIENT_PORT });
  const lab = new Lab({
    topology,
    workDir,
    timing: TIMING,
    maximumLagOnFailover: MAXIMUM_LAG_ON_FAILOVER,
    etcdProxy: `${topology.ctl.address}:${PROXY_PORT}`,
    watchdogSafetyMargin: WATCHDOG_SAFETY_MARGIN,
  });
  const etcdUrl = `http://${topology.etcd.address}:${ETCD_CLIENT_PORT}`;
  const accepted: AcceptedWrite[] = [];
  const writer = new Writer(lab.nodes, accepted);
  const sampler = new Sampler(lab.nodes, accepted);
  const violations: string[] = [];
  const phases: StressReport['phases'] = [];
  const crashes: number[] = [];
  let samples: LeaderSample[] = [];
  let writeGapMs = 0;
  try {
    await proxy.start();
    await lab.start();
    const leader = await lab.waitFor('a healthy cluster', () => lab.healthyLeader(), 180_000);
    await leader.sql(`CREATE TABLE ${WRITES_TABLE} (id bigint PRIMARY KEY, at timestamptz DEFAULT now())`);
    await leader.sql(`CREATE TABLE ${PROBE_TABLE} (node text, at timestamptz DEFAULT now())`);
    writer.start();
    sampler.start();
    await lab.waitFor(`writes acknowledged by ${leader.name}`, async () => writer.lastCommit()?.node === leader.name || undefined, 60_000);
    const wd = lab.watchdogs.get(leader.name);
    wd?.reset();
    let phase = 'start';
    let firedIn: string | undefined;
    if (wd)
      wd.onTrigger = () => {
        firedIn = phase;
      };
    log.info('chaos: stress on %s for %s s: %s', leader.name, o.durationS, schedule.map((p) => `${p.kind} ${p.seconds}s`).join(', '));
    const watch = watchLeader(etcdUrl);
    const from = performance.now();
    try {
      for (const p of schedule) {
        log.info('chaos: stress phase %s (%s s) on %s', p.kind, p.seconds, leader.name);
        phases.push({ ...p, target: leader.name });
        phase = `${p.kind} phase ${phases.length}`;
        await runPhase(p.kind, p.seconds, leader, proxy);
      }
    } finally {
      await watch.stop();
    }
    samples = watch.samples;
    writeGapMs = longestGap(writer.commits, from, performance.now());
    violations.push(...falseFailovers(samples));
    if (wd) wd.onTrigger = undefined;
    if (wd?.triggeredAt !== undefined) violations.push(`the watchdog of ${leader.name} fired (${firedIn ?? '?'}): a real device would have reset the host`);
    for (let i = 1; i <= o.crashes; i++) {
      const ms = await hostCrash(lab, accepted, i, o.crashes);
      if (ms === undefined) violations.push(`host crash ${i}: no replica accepted a write within ${TIMING.ttl + 60} s`);
      else crashes.push(ms);
    }
    await sleep(1_000);
  } finally {
    await writer.stop();
    await sampler.stop();
    await lab.stop().catch((e: unknown) => log.error('chaos: stopping the lab: %s', e));
    await proxy.stop();
  }
  for (const d of findDoublePrimaries(accepted)) {
    violations.push(`${d.first} and ${d.second} both accepted writes at ${new Date(performance.timeOrigin + d.at).toISOString()}`);
  }
  const report: StressReport = {
    seed: o.seed,
    durationS: o.durationS,
    phases,
    leaderSamples: samples.length,
    violations,
    writeGapMs,
    crashToWritableMs: crashes,
    acknowledgedCommits: writer.commits.length,
  };
  if (o.jsonPath) writeFileSync(o.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

export function printStressReport(r: StressReport): void {
  const count = (k: StressKind): number => r.phases.filter((p) => p.kind === k).length;
  const secs = (ms: number): string => (ms / 1000).toFixed(2);
  const lines = [
    '',
    `chaos --stress summary (seed ${r.seed}, ${r.durationS} s at ttl ${TIMING.ttl}, loop_wait ${TIMING.loopWait}, retry_timeout ${TIMING.retryTimeout}; ${r.acknowledgedCommits} acknowledged commits)`,
    `  phases on ${r.phases[0]?.target ?? '-'}: cpu ${count('cpu')}, disk-stall ${count('disk-stall')}, etcd-latency ${count('etcd-latency')}, combined ${count('combined')}`,
    `  leader key samples: ${r.leaderSamples}; longest write gap during the stress: ${secs(r.writeGapMs)} s`,
    `  host crash -> replica writable: ${r.crashToWritableMs.length ? `${r.crashToWritableMs.map(secs).join(', ')} s (median ${secs(median(r.crashToWritableMs))} s)` : '-'}`,
    ...r.violations.map((v) => `  VIOLATION ${v}`),
    `invariant violations: ${r.violations.length}${r.violations.length ? ` -- replay with --seed ${r.seed}` : ''}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
