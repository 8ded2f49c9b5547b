// One HA cycle against the world (the I/O around Patroni's Ha._run_cycle): read the DCS and the
// local PostgreSQL, read what the core asks for (readsFor), decide, execute. A DCS that cannot be
// read or written is an input to decide() like any other; nothing here judges.
import type { DynamicConfig } from '../../config/types.js';
import type { Cluster } from '../../dcs/cluster.js';
import { DcsError } from '../../dcs/dcs.js';
import { log } from '../../log/logger.js';
import type { PostgresSnapshot } from '../../postgresql/snapshot.js';
import { decide } from '../core/decide.js';
import type { Decision } from '../core/decision.js';
import type { FailsafeSeen } from '../core/failsafe.js';
import type { AsyncOutcome, DcsUnreachableInput, HaInput, HaMemory, NodeIdentity, PeerStatus, WatchdogView } from '../core/input.js';
import { readsFor } from '../core/reads.js';
import type { ExistingSlot } from '../core/slots.js';
import type { AsyncRunner } from './async-runner.js';
import { execute, type Executed, type ExecutorDeps } from './executor.js';

/** What a cycle reads and where it writes; the daemon (src/daemon/node.ts) provides the real ones. */
export interface CycleWorld {
  now(): number;
  identity(): NodeIdentity;
  /** The dynamic config in force (after onCluster applied the DCS's). */
  config(): DynamicConfig;
  /** The live memory: read as a copy, written only by the executor. */
  readonly memory: HaMemory;
  readonly runner: AsyncRunner;
  /** Throws DcsError when the DCS cannot be reached. */
  readCluster(): Promise<Cluster>;
  /** A cluster was read: apply its dynamic config before deciding (may write files: awaited). */
  onCluster(cluster: Cluster): void | Promise<void>;
  snapshot(): Promise<PostgresSnapshot>;
  /** The most recent snapshot (this cycle's, or the last cycle's when the DCS read failed). */
  lastSnapshot(): PostgresSnapshot | null;
  probePeers(cluster: Cluster): Promise<PeerStatus[]>;
  localSlots(): Promise<ExistingSlot[] | undefined>;
  executorDeps(cluster: Cluster | null, snapshot: PostgresSnapshot | null, seenOutcome: AsyncOutcome | null): ExecutorDeps;
  /** This node's watchdog as the cycle starts. */
  watchdog(): WatchdogView;
  /** The last cluster read (null before the first): its `failsafe` key, the slot step's view without the DCS. */
  lastCluster(): Cluster | null;
  /** The leader's last failsafe heartbeat this member accepted. */
  failsafeSeen(): FailsafeSeen | null;
}

export interface CycleResult {
  decision: Decision;
  executed: Executed;
  /** Null when the DCS could not be read or written this cycle. */
  cluster: Cluster | null;
}

export async function runCycle(w: CycleWorld): Promise<CycleResult> {
  // The runner's state before the snapshot: a task finishing meanwhile is seen next cycle, never a
  // stale snapshot with no task running.
  const async = w.runner.current;
  const lastAsync = w.runner.outcome;
  let cluster: Cluster;
  try {
    cluster = await w.readCluster();
  } catch (e) {
    if (!(e instanceof DcsError)) throw e;
    log.error('Error communicating with DCS');
    // Ha._run_cycle resets the cluster info state: PostgreSQL is read afresh without the DCS too (the
    // slot step and the failsafe heartbeat need today's WAL position). A failed read keeps the last one.
    await w.snapshot().catch((err: unknown) => log.debug('PostgreSQL not read: %s', err instanceof Error ? err.message : String(err)));
    return withoutDcs(w);
  }
  await w.onCluster(cluster);
  // Ha.has_lock's line: shown at INFO only before a line other than a heartbeat (log/logger.ts).
  log.info('Lock owner: %s; I am %s', cluster.leader?.name ?? 'None', w.identity().name);
  const snapshot = await w.snapshot();
  const me = w.identity();
  const config = w.config();
  const reads = readsFor({ cluster, me: me.name, tags: me.tags, config, pg: snapshot, async });
  const peers = reads.peers ? await w.probePeers(cluster) : [];
  const localSlots = reads.localSlots ? await w.localSlots() : undefined;
  const input: HaInput = {
    now: w.now(),
    me,
    config,
    cluster,
    pg: snapshot,
    memory: { ...w.memory },
    async,
    lastAsync,
    peers,
    ...(localSlots ? { localSlots } : {}),
    watchdog: w.watchdog(),
  };
  const decision = decide(input);
  for (const r of decision.reasons ?? []) log.debug('%s: %s (%s)', r.member, r.eligible ? 'eligible' : 'not eligible', r.why);
  try {
    return { decision, executed: await execute(decision, w.executorDeps(cluster, snapshot, lastAsync)), cluster };
  } catch (e) {
    // Refreshing the lock (or any write) could not reach the DCS: the same path as a failed read.
    if (!(e instanceof DcsError)) throw e;
    log.error('Error communicating with DCS: %s', e.message);
    return withoutDcs(w);
  }
}

async function withoutDcs(w: CycleWorld): Promise<CycleResult> {
  const pg = w.lastSnapshot();
  const last = w.lastCluster();
  const input: DcsUnreachableInput = {
    dcs: 'unreachable',
    now: w.now(),
    me: w.identity(),
    config: w.config(),
    pg,
    memory: { ...w.memory },
    async: w.runner.current,
    failsafe: last?.failsafe ?? null,
    lastCluster: last,
    failsafeSeen: w.failsafeSeen(),
  };
  const decision = decide(input);
  return { decision, executed: await execute(decision, w.executorDeps(null, pg, null)), cluster: null };
}
