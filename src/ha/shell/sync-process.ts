// The leader's synchronous-replication step (ha-loop.md §12) against the real DCS and PostgreSQL.
// The rules are in sync.ts / sync-quorum.ts; this file sequences the writes and remembers, across
// cycles, which replicas were seen holding every commit acknowledged before the names last changed.
import type { DynamicConfig } from '../../config/types.js';
import type { Cluster, SyncState } from '../../dcs/cluster.js';
import type { Dcs } from '../../dcs/dcs.js';
import { log } from '../../log/logger.js';
import { formatStandbyNames, type SyncReading } from '../../postgresql/sync.js';
import { planQuorum } from '../core/sync-quorum.js';
import { confirmedMultisync, lower, planMultisync, selectSync, syncKeyJson, type Selection, type SyncKeyValue } from '../core/sync.js';

export interface SyncPostgres {
  /** One round trip: names in effect, synchronous_commit, WAL position, pg_stat_replication. */
  readSync(): Promise<SyncReading>;
  /** Rewrite postgresql.conf and reload; null clears the names, undefined hands them back to the user's parameters. */
  setSynchronousStandbyNames(value: string | null | undefined): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SyncReplication {
  private ready = new Set<string>();
  private lsnAtChange = 0;
  private lastNames: string | null = null;
  private warnedNoStandbys = false;

  constructor(private readonly pg: SyncPostgres, private readonly dcs: Dcs) {}

  /** Per cycle on a running primary. */
  async process(cluster: Cluster, config: DynamicConfig, me: string): Promise<void> {
    if (config.synchronous_mode === 'off') return this.disable(cluster);
    let key: SyncState = cluster.sync;
    if (!key.leader || lower(key.leader) !== lower(me)) {
      const enabled = !key.leader;
      const written = await this.writeKey({ leader: me, members: [], quorum: 0 }, key.version);
      if (!written) return;
      if (enabled) log.info('Enabled synchronous replication');
      key = written;
    }
    if (config.synchronous_mode === 'quorum') await this.processQuorum(cluster, config, me, key);
    else await this.processMultisync(cluster, config, me, key);
  }

  /** Pre-promote CAS write (§12.4); false when somebody else changed the key first. */
  async beforePromote(cluster: Cluster, key: SyncKeyValue, standbyNames: string | null): Promise<boolean> {
    if (!(await this.writeKey(key, cluster.sync.version))) return false;
    await this.pg.setSynchronousStandbyNames(standbyNames);
    return true;
  }

  private async disable(cluster: Cluster): Promise<void> {
    if (cluster.sync.leader) {
      if (await this.dcs.deleteSyncState(cluster.sync.version)) log.info('Disabled synchronous replication');
      else log.info('Synchronous replication key updated by someone else');
    }
    await this.pg.setSynchronousStandbyNames(undefined);
  }

  private async processMultisync(cluster: Cluster, config: DynamicConfig, me: string, key: SyncState): Promise<void> {
    let reading = await this.read();
    let sel = this.select(cluster, config, me, key, reading, config.synchronous_node_count);
    const plan = planMultisync(config, key, sel);
    if (plan.kind === 'block') {
      if (!this.warnedNoStandbys) log.warning('No standbys available! synchronous_mode_strict is requested. Commits will be delayed.');
      this.warnedNoStandbys = true;
      if (reading.standbyNames !== plan.standbyNames) await this.setNames(plan.standbyNames);
      return;
    }
    this.warnedNoStandbys = false;
    if (plan.shrinkTo) {
      log.info('Updating synchronous privilege temporarily from %s to %s', JSON.stringify(key.members), JSON.stringify(plan.shrinkTo));
      const written = await this.writeKey({ leader: me, members: plan.shrinkTo, quorum: 0 }, key.version);
      if (!written) return;
      key = written;
    }
    if ((reading.standbyNames || null) !== plan.standbyNames) {
      await this.setNames(plan.standbyNames);
      if (!plan.standbyNames) return;
      ({ reading, sel } = await this.waitForSync(cluster, config, me, key, config.synchronous_node_count));
    }
    const publish = confirmedMultisync(key.members, sel);
    if (publish && publish.every((n) => sel.candidates.includes(n))) {
      if (await this.writeKey({ leader: me, members: publish, quorum: 0 }, key.version)) {
        log.info('Synchronous standby status assigned to %s', JSON.stringify(publish));
      }
    }
  }

  private async processQuorum(cluster: Cluster, config: DynamicConfig, me: string, key: SyncState): Promise<void> {
    const reading = await this.read();
    const sel = this.select(cluster, config, me, key, reading, Number.POSITIVE_INFINITY);
    const base = { me, standbyNames: reading.standbyNames, synchronousNodeCount: config.synchronous_node_count, strict: config.synchronous_mode_strict };
    const plan = planQuorum({ ...base, syncKey: key, sel });
    if (plan.kind === 'block') {
      if (!this.warnedNoStandbys) log.warning('No standbys available! synchronous_mode_strict is requested. Commits will be delayed.');
      this.warnedNoStandbys = true;
      return;
    }
    this.warnedNoStandbys = false;
    if (plan.widen) {
      const written = await this.writeKey(plan.widen, key.version);
      if (!written) return;
      key = written;
    }
    const names = formatStandbyNames('quorum', plan.standbyNames.members, plan.standbyNames.numsync);
    let settled = sel;
    let namesNow = reading.standbyNames;
    if ((reading.standbyNames || null) !== names) {
      await this.setNames(names);
      const after = await this.waitForSync(cluster, config, me, key, Number.POSITIVE_INFINITY);
      settled = after.sel;
      namesNow = after.reading.standbyNames;
    }
    // Narrow the key only once PostgreSQL runs with the new names and every listed replica has caught up.
    const again = planQuorum({ ...base, standbyNames: namesNow, syncKey: key, sel: settled });
    if (again.kind === 'update' && !again.widen && again.settle && (namesNow || null) === names) {
      if (await this.writeKey(again.settle, key.version)) {
        log.info('Synchronous standby status assigned to %s (quorum %s)', JSON.stringify(again.settle.members), again.settle.quorum);
      }
    }
  }

  private select(cluster: Cluster, config: DynamicConfig, me: string, key: SyncState, reading: SyncReading, count: number): Selection {
    const sel = selectSync({
      me, members: cluster.members, reading, count, maximumLagOnSyncnode: config.maximum_lag_on_syncnode,
      syncKey: key, ready: this.ready, lsnAtChange: this.lsnAtChange,
    });
    this.ready = sel.ready;
    return sel;
  }

  /** Up to 2 s for PostgreSQL to report the new names' standbys as synchronous and caught up. */
  private async waitForSync(cluster: Cluster, config: DynamicConfig, me: string, key: SyncState, count: number): Promise<{ reading: SyncReading; sel: Selection }> {
    const deadline = Date.now() + 2000;
    for (;;) {
      await sleep(200);
      const reading = await this.read();
      const sel = this.select(cluster, config, me, key, reading, count);
      if (sel.sync.length >= sel.candidates.length || Date.now() >= deadline) return { reading, sel };
    }
  }

  private async setNames(value: string | null): Promise<void> {
    log.info('Setting synchronous_standby_names to %s', value === null ? 'None' : `'${value}'`);
    await this.pg.setSynchronousStandbyNames(value);
    await sleep(100);
    await this.read();
  }

  /** Reads PostgreSQL; a changed names value restarts the "holds every acknowledged commit" check. */
  private async read(): Promise<SyncReading> {
    const reading = await this.pg.readSync();
    if (reading.standbyNames !== this.lastNames) {
      this.lastNames = reading.standbyNames;
      this.lsnAtChange = reading.walLsn;
    }
    return reading;
  }

  private async writeKey(v: SyncKeyValue, version: string | undefined): Promise<SyncState | null> {
    const res = await this.dcs.setSyncStateValue(syncKeyJson(v), version);
    if (res === false) {
      log.info('Synchronous replication key updated by someone else');
      return null;
    }
    return { version: res, leader: v.leader, members: [...v.members].sort(), quorum: v.quorum };
  }
}
