// The leader's synchronous-replication protocol (Patroni's Ha.process_sync_replication,
// _process_multisync_replication, _process_quorum_replication, process_sync_replication_prepromote)
// as pure steps: each step takes what the last request observed and returns the log lines, the next
// request (one compare-and-set of the `sync` key, one synchronous_standby_names change, one reading,
// one pause) and the next state, as etcd's raft returns a Ready and lets the application do the I/O.
// The driver (src/ha/shell/sync-process.ts) performs the requests; the memory kept between cycles is
// HaMemory.sync. The rules are in sync.ts and sync-quorum.ts.
import type { DynamicConfig } from '../../config/types.js';
import type { Cluster, SyncState } from '../../dcs/cluster.js';
import { formatStandbyNames, type SyncReading } from '../../postgresql/sync.js';
import { planQuorum, quorumFactorWarning } from './sync-quorum.js';
import { confirmedMultisync, lower, NO_STRICT_STANDBYS, planMultisync, selectSync, type Selection, type SyncKeyValue } from './sync.js';

/** Kept between cycles (HaMemory.sync). */
export interface SyncMemory {
  /** readyKey()s of connections seen holding every commit acknowledged before the names last changed. */
  ready: readonly string[];
  /** Primary WAL position when synchronous_standby_names last changed. */
  lsnAtChange: number;
  /** synchronous_standby_names at the last reading. */
  lastNames: string | null;
  warnedNoStandbys: boolean;
}

export const INITIAL_SYNC_MEMORY: SyncMemory = { ready: [], lsnAtChange: 0, lastNames: null, warnedNoStandbys: false };

/** One piece of I/O for the driver. */
export type SyncRequest =
  | { kind: 'delete_key'; version: string | undefined }
  /** Compare-and-set of the `sync` key at `version`. */
  | { kind: 'write_key'; value: SyncKeyValue; version: string | undefined }
  /** Rewrite postgresql.conf and reload; null clears the names, undefined hands them back to the user's parameters. */
  | { kind: 'set_names'; value: string | null | undefined }
  | { kind: 'read' }
  | { kind: 'sleep'; ms: number }
  /** The protocol ended; `ok` answers the pre-promote claim. */
  | { kind: 'done'; ok: boolean };

/** What the last request found. */
export type SyncObservation =
  | { kind: 'deleted'; ok: boolean }
  /** The new version of the key, or false when somebody else changed it first. */
  | { kind: 'written'; version: string | false }
  | { kind: 'names_set' }
  | { kind: 'read'; reading: SyncReading; now: number }
  | { kind: 'slept'; now: number };

export interface SyncLog {
  level: 'info' | 'warning';
  message: string;
}

export interface SyncContext {
  cluster: Cluster;
  config: DynamicConfig;
  me: string;
}

type Mode = 'multisync' | 'quorum';

/** Where the protocol continues once synchronous_standby_names changed and were read back. */
type AfterNames = { kind: 'done' } | { kind: 'wait'; mode: Mode; key: SyncState; names: string | null };

type Phase =
  | { at: 'disable_deleted' }
  | { at: 'disable_names' }
  | { at: 'enabled'; enabled: boolean; value: SyncKeyValue }
  | { at: 'first_read'; key: SyncState }
  | { at: 'shrunk'; value: SyncKeyValue; reading: SyncReading; sel: Selection; names: string | null }
  | { at: 'published'; value: SyncKeyValue }
  | { at: 'widened'; value: SyncKeyValue; reading: SyncReading; sel: Selection; names: string | null }
  | { at: 'settled'; value: SyncKeyValue }
  | { at: 'names_set'; then: AfterNames }
  | { at: 'names_slept'; then: AfterNames }
  | { at: 'names_read'; then: AfterNames }
  | { at: 'wait_slept'; deadline: number; then: Extract<AfterNames, { kind: 'wait' }> }
  | { at: 'wait_read'; deadline: number; then: Extract<AfterNames, { kind: 'wait' }> }
  | { at: 'claim_written'; names: string | null }
  | { at: 'claim_names' };

/** The protocol between two requests: everything it needs to continue. */
export interface SyncProcess {
  ctx: SyncContext;
  memory: SyncMemory;
  phase: Phase | null;
}

export interface SyncStep {
  logs: SyncLog[];
  request: SyncRequest;
  next: SyncProcess;
}

const SOMEBODY_ELSE = 'Synchronous replication key updated by someone else';
/** Patroni waits this long for PostgreSQL to report the new names' standbys as synchronous. */
export const SYNC_WAIT_MS = 2000;
const WAIT_POLL_MS = 200;
const RELOAD_PAUSE_MS = 100;

const info = (message: string): SyncLog => ({ level: 'info', message });
const done = (p: SyncProcess, logs: SyncLog[] = [], ok = true): SyncStep => ({ logs, request: { kind: 'done', ok }, next: { ...p, phase: null } });
const ask = (p: SyncProcess, request: SyncRequest, phase: Phase, logs: SyncLog[] = []): SyncStep => ({ logs, request, next: { ...p, phase } });
const keyOf = (v: SyncKeyValue, version: string): SyncState => ({ version, leader: v.leader, members: [...v.members].sort(), quorum: v.quorum });
const namesText = (v: string | null) => (v === null ? 'None' : `'${v}'`);

/** The per-cycle step on a running primary (Ha.process_sync_replication). */
export function syncStart(memory: SyncMemory, ctx: SyncContext): SyncStep {
  const p: SyncProcess = { ctx, memory, phase: null };
  const key = ctx.cluster.sync;
  if (ctx.config.synchronous_mode === 'off') {
    return key.leader
      ? ask(p, { kind: 'delete_key', version: key.version }, { at: 'disable_deleted' })
      : ask(p, { kind: 'set_names', value: undefined }, { at: 'disable_names' });
  }
  if (!key.leader || lower(key.leader) !== lower(ctx.me)) {
    const value: SyncKeyValue = { leader: ctx.me, members: [], quorum: 0 };
    return ask(p, { kind: 'write_key', value, version: key.version }, { at: 'enabled', enabled: !key.leader, value });
  }
  return ask(p, { kind: 'read' }, { at: 'first_read', key });
}

/** Before promoting (Ha.process_sync_replication_prepromote): name myself in `sync`, then set the names. */
export function syncClaimStart(memory: SyncMemory, ctx: SyncContext, value: SyncKeyValue, standbyNames: string | null): SyncStep {
  return ask({ ctx, memory, phase: null }, { kind: 'write_key', value, version: ctx.cluster.sync.version }, { at: 'claim_written', names: standbyNames });
}

export function syncStep(p: SyncProcess, o: SyncObservation): SyncStep {
  const ph = p.phase;
  if (!ph) return done(p);
  switch (ph.at) {
    case 'disable_deleted':
      return ask(p, { kind: 'set_names', value: undefined }, { at: 'disable_names' }, [
        info(o.kind === 'deleted' && o.ok ? 'Disabled synchronous replication' : SOMEBODY_ELSE),
      ]);
    case 'disable_names':
    case 'claim_names':
      return done(p);
    case 'enabled': {
      if (o.kind !== 'written' || o.version === false) return done(p, [info(SOMEBODY_ELSE)]);
      return ask(p, { kind: 'read' }, { at: 'first_read', key: keyOf(ph.value, o.version) }, ph.enabled ? [info('Enabled synchronous replication')] : []);
    }
    case 'first_read': {
      if (o.kind !== 'read') return done(p);
      const q = withReading(p, o.reading);
      return p.ctx.config.synchronous_mode === 'quorum' ? quorumAfterRead(q, ph.key, o.reading) : multisyncAfterRead(q, ph.key, o.reading);
    }
    case 'shrunk': {
      if (o.kind !== 'written' || o.version === false) return done(p, [info(SOMEBODY_ELSE)]);
      return multisyncNames(p, keyOf(ph.value, o.version), ph.reading, ph.sel, ph.names);
    }
    case 'published':
      if (o.kind !== 'written' || o.version === false) return done(p, [info(SOMEBODY_ELSE)]);
      return done(p, [info(`Synchronous standby status assigned to ${JSON.stringify(ph.value.members)}`)]);
    case 'widened': {
      if (o.kind !== 'written' || o.version === false) return done(p, [info(SOMEBODY_ELSE)]);
      return quorumNames(p, keyOf(ph.value, o.version), ph.reading, ph.sel, ph.names);
    }
    case 'settled':
      if (o.kind !== 'written' || o.version === false) return done(p, [info(SOMEBODY_ELSE)]);
      return done(p, [info(`Synchronous standby status assigned to ${JSON.stringify(ph.value.members)} (quorum ${ph.value.quorum})`)]);
    case 'names_set':
      return ask(p, { kind: 'sleep', ms: RELOAD_PAUSE_MS }, { at: 'names_slept', then: ph.then });
    case 'names_slept':
      return ask(p, { kind: 'read' }, { at: 'names_read', then: ph.then });
    case 'names_read': {
      if (o.kind !== 'read') return done(p);
      const q = withReading(p, o.reading);
      if (ph.then.kind === 'done') return done(q);
      return ask(q, { kind: 'sleep', ms: WAIT_POLL_MS }, { at: 'wait_slept', deadline: o.now + SYNC_WAIT_MS, then: ph.then });
    }
    case 'wait_slept':
      return ask(p, { kind: 'read' }, { at: 'wait_read', deadline: ph.deadline, then: ph.then });
    case 'wait_read': {
      if (o.kind !== 'read') return done(p);
      const { key, mode, names } = ph.then;
      const [q, sel] = select(withReading(p, o.reading), key, o.reading, mode === 'quorum' ? Number.POSITIVE_INFINITY : p.ctx.config.synchronous_node_count);
      if (sel.sync.length < sel.candidates.length && o.now < ph.deadline) {
        return ask(q, { kind: 'sleep', ms: WAIT_POLL_MS }, { at: 'wait_slept', deadline: ph.deadline, then: ph.then });
      }
      return mode === 'quorum' ? quorumSettle(q, key, names, sel, o.reading.standbyNames) : multisyncPublish(q, key, sel);
    }
    case 'claim_written':
      if (o.kind !== 'written' || o.version === false) return done(p, [info(SOMEBODY_ELSE)], false);
      return ask(p, { kind: 'set_names', value: ph.names }, { at: 'claim_names' });
  }
}

/** A reading: a changed names value restarts the "holds every acknowledged commit" check. */
function withReading(p: SyncProcess, reading: SyncReading): SyncProcess {
  if (reading.standbyNames === p.memory.lastNames) return p;
  return { ...p, memory: { ...p.memory, lastNames: reading.standbyNames, lsnAtChange: reading.walLsn } };
}

function select(p: SyncProcess, key: SyncState, reading: SyncReading, count: number): [SyncProcess, Selection] {
  const { cluster, config, me } = p.ctx;
  const sel = selectSync({
    me,
    members: cluster.members,
    reading,
    count,
    maximumLagOnSyncnode: config.maximum_lag_on_syncnode,
    syncKey: key,
    ready: new Set(p.memory.ready),
    lsnAtChange: p.memory.lsnAtChange,
  });
  return [{ ...p, memory: { ...p.memory, ready: [...sel.ready] } }, sel];
}

/** The strict-mode warning, once until standbys come back. */
function warnOnce(p: SyncProcess, message: string): [SyncProcess, SyncLog[]] {
  const logs: SyncLog[] = p.memory.warnedNoStandbys ? [] : [{ level: 'warning', message }];
  return [{ ...p, memory: { ...p.memory, warnedNoStandbys: true } }, logs];
}

const unwarned = (p: SyncProcess): SyncProcess => ({ ...p, memory: { ...p.memory, warnedNoStandbys: false } });

function setNames(p: SyncProcess, value: string | null, then: AfterNames, logs: SyncLog[] = []): SyncStep {
  return ask(p, { kind: 'set_names', value }, { at: 'names_set', then }, [...logs, info(`Setting synchronous_standby_names to ${namesText(value)}`)]);
}

function multisyncAfterRead(p0: SyncProcess, key: SyncState, reading: SyncReading): SyncStep {
  const [p, sel] = select(p0, key, reading, p0.ctx.config.synchronous_node_count);
  const plan = planMultisync(p.ctx.config, key, sel, reading.standbyNames);
  if (plan.kind === 'block') {
    const [w, logs] = warnOnce(p, NO_STRICT_STANDBYS);
    return reading.standbyNames !== plan.standbyNames ? setNames(w, plan.standbyNames, { kind: 'done' }, logs) : done(w, logs);
  }
  const q = unwarned(p);
  if (plan.shrinkTo) {
    const value: SyncKeyValue = { leader: q.ctx.me, members: plan.shrinkTo, quorum: 0 };
    return ask(q, { kind: 'write_key', value, version: key.version }, { at: 'shrunk', value, reading, sel, names: plan.standbyNames }, [
      info(`Updating synchronous privilege temporarily from ${JSON.stringify(key.members)} to ${JSON.stringify(plan.shrinkTo)}`),
    ]);
  }
  return multisyncNames(q, key, reading, sel, plan.standbyNames);
}

function multisyncNames(p: SyncProcess, key: SyncState, reading: SyncReading, sel: Selection, names: string | null): SyncStep {
  if ((reading.standbyNames || null) === names) return multisyncPublish(p, key, sel);
  return setNames(p, names, names ? { kind: 'wait', mode: 'multisync', key, names } : { kind: 'done' });
}

function multisyncPublish(p: SyncProcess, key: SyncState, sel: Selection): SyncStep {
  const publish = confirmedMultisync(key.members, sel);
  if (!publish || !publish.every((n) => sel.candidates.includes(n))) return done(p);
  const value: SyncKeyValue = { leader: p.ctx.me, members: publish, quorum: 0 };
  return ask(p, { kind: 'write_key', value, version: key.version }, { at: 'published', value });
}

const quorumBase = (p: SyncProcess) => ({
  me: p.ctx.me,
  synchronousNodeCount: p.ctx.config.synchronous_node_count,
  strict: p.ctx.config.synchronous_mode_strict,
});

function quorumAfterRead(p0: SyncProcess, key: SyncState, reading: SyncReading): SyncStep {
  const [p, sel] = select(p0, key, reading, Number.POSITIVE_INFINITY);
  const plan = planQuorum({ ...quorumBase(p), standbyNames: reading.standbyNames, syncKey: key, sel });
  if (plan.kind === 'block') {
    const [w, logs] = warnOnce(p, quorumFactorWarning(0));
    return plan.standbyNames && reading.standbyNames !== plan.standbyNames ? setNames(w, plan.standbyNames, { kind: 'done' }, logs) : done(w, logs);
  }
  const q = unwarned(p);
  const names = formatStandbyNames('quorum', plan.standbyNames.members, plan.standbyNames.numsync);
  if (plan.widen) {
    return ask(q, { kind: 'write_key', value: plan.widen, version: key.version }, { at: 'widened', value: plan.widen, reading, sel, names });
  }
  return quorumNames(q, key, reading, sel, names);
}

function quorumNames(p: SyncProcess, key: SyncState, reading: SyncReading, sel: Selection, names: string | null): SyncStep {
  if ((reading.standbyNames || null) === names) return quorumSettle(p, key, names, sel, reading.standbyNames);
  return setNames(p, names, { kind: 'wait', mode: 'quorum', key, names });
}

/** Narrow the key only once PostgreSQL runs with the new names and every listed replica has caught up. */
function quorumSettle(p: SyncProcess, key: SyncState, names: string | null, settled: Selection, namesNow: string): SyncStep {
  const again = planQuorum({ ...quorumBase(p), standbyNames: namesNow, syncKey: key, sel: settled });
  if (again.kind !== 'update' || again.widen || !again.settle || (namesNow || null) !== names) return done(p);
  return ask(p, { kind: 'write_key', value: again.settle, version: key.version }, { at: 'settled', value: again.settle });
}
