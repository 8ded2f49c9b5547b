// Drives the leader's synchronous-replication protocol (Patroni's Ha.process_sync_replication)
// against the real DCS and PostgreSQL: the pure steps of src/ha/core/sync-step.ts say what to do
// next; this file performs each request and reports what it found. It keeps no state: the memory
// between cycles is HaMemory.sync, saved after every step.
import type { DynamicConfig } from '../../config/types.js';
import type { Cluster } from '../../dcs/cluster.js';
import type { Dcs } from '../../dcs/dcs.js';
import { log } from '../../log/logger.js';
import type { SyncReading } from '../../postgresql/sync.js';
import {
  INITIAL_SYNC_MEMORY,
  syncClaimStart,
  syncStart,
  syncStep,
  type SyncMemory,
  type SyncObservation,
  type SyncRequest,
  type SyncStep,
} from '../core/sync-step.js';
import { syncKeyJson, type SyncKeyValue } from '../core/sync.js';

export interface SyncPostgres {
  /** One round trip: names in effect, synchronous_commit, WAL position, pg_stat_replication. */
  readSync(): Promise<SyncReading>;
  /** Rewrite postgresql.conf and reload; null clears the names, undefined hands them back to the user's parameters. */
  setSynchronousStandbyNames(value: string | null | undefined): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SyncReplication {
  constructor(
    private readonly pg: SyncPostgres,
    private readonly dcs: Dcs,
  ) {}

  /** Per cycle on a running primary; `save` receives the memory after every step. */
  async process(
    cluster: Cluster,
    config: DynamicConfig,
    me: string,
    memory: SyncMemory = INITIAL_SYNC_MEMORY,
    save: (m: SyncMemory) => void = () => undefined,
  ): Promise<void> {
    await this.run(syncStart(memory, { cluster, config, me }), save);
  }

  /** Pre-promote CAS write (Ha.process_sync_replication_prepromote); false when somebody else changed the key first. */
  async beforePromote(
    cluster: Cluster,
    config: DynamicConfig,
    me: string,
    key: SyncKeyValue,
    standbyNames: string | null,
    memory: SyncMemory = INITIAL_SYNC_MEMORY,
  ): Promise<boolean> {
    return this.run(syncClaimStart(memory, { cluster, config, me }, key, standbyNames), () => undefined);
  }

  private async run(first: SyncStep, save: (m: SyncMemory) => void): Promise<boolean> {
    let step = first;
    for (;;) {
      for (const l of step.logs) log[l.level](l.message);
      save(step.next.memory);
      if (step.request.kind === 'done') return step.request.ok;
      step = syncStep(step.next, await this.perform(step.request));
    }
  }

  private async perform(r: Exclude<SyncRequest, { kind: 'done' }>): Promise<SyncObservation> {
    switch (r.kind) {
      case 'delete_key':
        return { kind: 'deleted', ok: await this.dcs.deleteSyncState(r.version) };
      case 'write_key':
        return { kind: 'written', version: await this.dcs.setSyncStateValue(syncKeyJson(r.value), r.version) };
      case 'set_names':
        await this.pg.setSynchronousStandbyNames(r.value);
        return { kind: 'names_set' };
      case 'read': {
        const reading: SyncReading = await this.pg.readSync();
        return { kind: 'read', reading, now: Date.now() };
      }
      case 'sleep':
        await sleep(r.ms);
        return { kind: 'slept', now: Date.now() };
    }
  }
}
