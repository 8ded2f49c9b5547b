// `npm run bench -- --trace`: one bootstrap and one switchover of our cluster (default profile, or
// fast with --quick), each printed as a timeline of its steps (see timeline.ts).
import { startCluster, type TestCluster } from '../test/support/cluster/index.js';
import type { EtcdServer } from '../test/support/etcd.js';
import { haTimeoutMs, type SuiteContext } from './context.js';
import { PROFILES, type BenchOptions } from './options.js';
import { createProbeTable, waitHealthy, waitWritable } from './probe.js';
import { progress } from './progress.js';
import { ResultStore } from './results.js';
import { startSwitchover } from './switchover.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectLog, collectPgLog, collectTrace, formatTimeline, mergeSameEvents, type TimelineEvent } from './timeline.js';

function pgLogLines(dataDir: string): string[] {
  try {
    return readFileSync(join(dataDir, 'postgresql.log'), 'utf8').split('\n');
  } catch {
    return [];
  }
}

function nodeEvents(cluster: TestCluster, from: number, to: number): TimelineEvent[] {
  return mergeSameEvents(
    cluster.nodes.flatMap((n) => [...collectLog(n.name, n.logTail(300).split('\n'), from, to), ...collectPgLog(n.name, pgLogLines(n.dataDir), from, to)]),
  );
}

export async function runTrace(etcd: EtcdServer, options: BenchOptions): Promise<string> {
  const profile = options.quick ? PROFILES.fast : PROFILES.default;
  const ctx: SuiteContext = { impl: 'ts', profile, options, etcd, store: new ResultStore() };
  const timeoutMs = haTimeoutMs(profile);
  const header = `# Trace: patroni-ts, profile ${profile.name} (ttl ${profile.ttl}, loop_wait ${profile.loopWait}, retry_timeout ${profile.retryTimeout})\n`;
  progress(`trace: bootstrap of 3 empty nodes (${profile.name} profile)`);
  const b0 = Date.now();
  const cluster = await startCluster({
    impl: 'ts',
    nodes: 3,
    etcd,
    scope: `trace-${b0}`,
    ttl: profile.ttl,
    loopWait: profile.loopWait,
    retryTimeout: profile.retryTimeout,
  });
  try {
    const spawned = Date.now();
    const first = await waitHealthy(cluster, timeoutMs);
    const healthy = Date.now();
    const bootstrap = formatTimeline(`Bootstrap: ${((healthy - b0) / 1000).toFixed(2)} s`, b0, [
      { at: spawned, who: 'bench', what: '3 daemons spawned' },
      ...nodeEvents(cluster, b0, healthy),
      { at: healthy, who: 'bench', what: `${first.leader.name} leads, ${first.replicas.map((r) => r.name).join(' and ')} stream (GET /patroni)` },
    ]);
    await createProbeTable(first.leader);

    progress('trace: switchover from the command');
    const {
      leader,
      replicas: [candidate],
    } = await waitHealthy(cluster, timeoutMs);
    if (!candidate) throw new Error('no replica to switch over to');
    const s0 = Date.now();
    const command = startSwitchover(ctx, cluster, leader.name, candidate.name, { PATRONICTL_TRACE: '1' });
    await waitWritable([candidate], timeoutMs);
    const writable = Date.now();
    await waitHealthy(cluster, timeoutMs);
    const streaming = Date.now();
    const r = await command;
    const exited = Date.now();
    const switchover = formatTimeline(
      `Switchover ${leader.name} -> ${candidate.name}: writable after ${((writable - s0) / 1000).toFixed(3)} s, old primary streaming after ${((streaming - s0) / 1000).toFixed(3)} s`,
      s0,
      [
        { at: s0, who: 'bench', what: 'patronictl switchover --force spawned' },
        ...collectTrace('patronictl', r.stderr),
        ...nodeEvents(cluster, s0, Math.max(streaming, exited)),
        { at: writable, who: 'bench', what: `${candidate.name} accepts a write` },
        { at: streaming, who: 'bench', what: `${leader.name} streams from ${candidate.name} (GET /patroni)` },
        { at: exited, who: 'bench', what: `patronictl exited ${String(r.code)}` },
      ],
    );
    return `${header}\n${bootstrap}\n${switchover}`;
  } finally {
    await cluster.remove();
  }
}
