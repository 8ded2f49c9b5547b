// Copying logical slots from the primary to a replica (PostgreSQL before 17 cannot create or sync
// them on a standby): read each slot's on-disk state file over SQL on the primary, then, with the
// replica stopped, install it as <data_dir>/pg_replslot/<name>/state. PostgreSQL loads it on start.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { log } from '../log/logger.js';
import { isValidSlotName } from './slots.js';

/** A logical slot on the primary as a replica needs it to create its copy. */
export interface PrimarySlotState {
  name: string;
  type: 'physical' | 'logical';
  database: string | null;
  plugin: string | null;
  catalogXmin: number | null;
  /** confirmed_flush_lsn in bytes. */
  confirmedFlushLsn: number | null;
  /** restart_lsn as the state file has it (where the copy starts decoding); null when unreadable. */
  restartLsn: number | null;
  /** Raw contents of pg_replslot/<name>/state. */
  data: Buffer;
}

/** ReplicationSlotOnDisk.magic (slot.c). */
const SLOT_MAGIC = 0x1051ca1;
/**
 * ReplicationSlotOnDisk: magic, checksum, version, length (4 bytes each), then
 * ReplicationSlotPersistentData: name (64), database, persistency, xmin, catalog_xmin (4 each),
 * restart_lsn (8, at 16 + 80) in every release that has logical slots.
 */
const RESTART_LSN_OFFSET = 96;

/** restart_lsn from a slot state file; null for anything that is not one. */
export function restartLsnOfSlotState(data: Buffer): number | null {
  if (data.length < RESTART_LSN_OFFSET + 8 || data.readUInt32LE(0) !== SLOT_MAGIC) return null;
  const lsn = data.readBigUInt64LE(RESTART_LSN_OFFSET);
  return lsn === 0n || lsn > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(lsn);
}

// NOT pg_is_in_recovery(): a former primary that is now a replica must not hand out stale slots.
export const PRIMARY_SLOT_STATES_QUERY = `SELECT slot_name AS name, slot_type AS type, datname AS database, plugin,
  catalog_xmin::text AS catalog_xmin, pg_catalog.pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::text AS confirmed_flush_lsn,
  pg_catalog.pg_read_binary_file('pg_replslot/' || slot_name || '/state') AS data
  FROM pg_catalog.pg_get_replication_slots() JOIN pg_catalog.pg_database ON datoid = oid
  WHERE NOT pg_catalog.pg_is_in_recovery() AND slot_name = ANY($1)`;

interface PrimarySlotRow {
  name: string;
  type: string;
  database: string | null;
  plugin: string | null;
  catalog_xmin: string | null;
  confirmed_flush_lsn: string | null;
  data: Buffer;
}

export function toPrimarySlotState(r: PrimarySlotRow): PrimarySlotState {
  return {
    name: r.name,
    type: r.type === 'logical' ? 'logical' : 'physical',
    database: r.database,
    plugin: r.plugin,
    catalogXmin: r.catalog_xmin === null ? null : Number(r.catalog_xmin),
    confirmedFlushLsn: r.confirmed_flush_lsn === null ? null : Number(r.confirmed_flush_lsn),
    restartLsn: restartLsnOfSlotState(r.data),
    data: r.data,
  };
}

export async function readPrimarySlotStates(client: pg.Client, names: string[]): Promise<PrimarySlotState[]> {
  return (await client.query<PrimarySlotRow>(PRIMARY_SLOT_STATES_QUERY, [names])).rows.map(toPrimarySlotState);
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Install state files while PostgreSQL is stopped: each into `<name>.tmp` first, then renamed over
 * any old slot directory, so a crash never leaves a half-written slot that PostgreSQL would refuse.
 */
export async function installSlotStates(dataDir: string, slots: ReadonlyArray<{ name: string; data: Buffer }>): Promise<void> {
  const replslot = join(dataDir, 'pg_replslot');
  for (const slot of slots) {
    // The name came from another server: it becomes a path, so it must be a slot name and nothing
    // else (no `..`, no `/`), whatever that server answered.
    if (!isValidSlotName(slot.name)) {
      log.error('Refusing to install replication slot %s copied from the primary: not a valid slot name', JSON.stringify(slot.name));
      continue;
    }
    const dir = join(replslot, slot.name);
    const tmp = `${dir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { mode: 0o700 });
    const file = join(tmp, 'state');
    const fh = await open(file, 'w', 0o600);
    try {
      await fh.writeFile(slot.data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsyncPath(tmp);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await fsyncPath(dir);
  }
  await fsyncPath(replslot);
}
