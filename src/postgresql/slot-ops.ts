// Replication slot operations on the local PostgreSQL: what SlotManager (src/ha/shell/slots-process.ts)
// decides, carried out. Logical slots are created in their own database, hence a separate connection.
import { log } from '../log/logger.js';
import { withClient, type ConnectTarget, type LocalConnection } from './connection.js';
import type { Upstream } from './controller.js';
import { formatLsn } from './lsn.js';
import { readRedoLsn } from './controldata.js';
import { installSlotStates, readPrimarySlotStates, type PrimarySlotState } from './slot-copy.js';
import { fetchWalSegment, localWalFiles, primaryWal } from './slot-wal-fetch.js';
import { SLOTS_QUERY, toSlotRow, type SlotRow } from './slots.js';

type SlotQueryRow = { name: string; type: string; database: string | null; plugin: string | null; active: boolean; lsn: string | null };

// Structurally the SlotPostgres and SlotCopyPostgres ports of the HA shell (checked where it is passed
// to them): this lower layer does not import the layer above.
export class SlotOps {
  constructor(
    private readonly conn: LocalConnection,
    private readonly target: (database: string) => ConnectTarget,
    readonly majorVersion: () => Promise<number>,
  ) {}

  async listSlots(): Promise<SlotRow[]> {
    return (await this.conn.query<SlotQueryRow>(SLOTS_QUERY)).map(toSlotRow);
  }

  async createPhysicalSlot(name: string): Promise<void> {
    log.info('Creating physical replication slot %s', name);
    await this.conn.query(
      `SELECT pg_catalog.pg_create_physical_replication_slot($1, true) WHERE NOT EXISTS
      (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1)`,
      [name],
    );
  }

  async createLogicalSlot(name: string, database: string, plugin: string): Promise<void> {
    log.info('Trying to create logical replication slot %s', name);
    await withClient(this.target(database), async (c) => {
      await c.query(
        `SELECT pg_catalog.pg_create_logical_replication_slot($1, $2) WHERE NOT EXISTS
        (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1)`,
        [name, plugin],
      );
    });
  }

  async dropSlot(name: string): Promise<void> {
    log.info('Dropping replication slot %s', name);
    await this.conn.query(
      `SELECT pg_catalog.pg_drop_replication_slot($1) WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots
      WHERE slot_name = $1 AND NOT active)`,
      [name],
    );
  }

  /** Move an inactive physical slot forward (replicas keep the leader's positions, PG11+). */
  async advanceSlot(name: string, lsn: number): Promise<void> {
    await this.conn.query('SELECT pg_catalog.pg_replication_slot_advance($1, $2::pg_lsn)', [name, formatLsn(lsn)]);
  }

  /**
   * Move a logical slot copy forward on a replica. Decoding up to the target can take long, hence
   * no statement timeout, and its own session in the slot's database (advancing requires it).
   */
  async advanceLogicalSlot(name: string, database: string, lsn: number): Promise<void> {
    await withClient(this.target(database), async (c) => {
      await c.query('SELECT pg_catalog.pg_replication_slot_advance($1, $2::pg_lsn)', [name, formatLsn(lsn)]);
    });
  }

  /** Copied slots that may not decode after a promotion, with why (see SlotCopyPostgres.notReady). */
  readonly notReady = new Map<string, string>();
  /** Copies that cannot decode, to be copied again (see LogicalAdvancePostgres.needsCopy). */
  readonly needsCopy = new Set<string>();

  /**
   * A session on the primary: same user and database as locally, Patroni's 3 s connect / 2 s
   * statement timeouts (WAL is read in chunks well within them).
   */
  async withPrimary<T>(
    from: Upstream,
    fn: (primary: {
      readSlots(names: string[]): Promise<PrimarySlotState[]>;
      listWal(): Promise<{ files: string[]; segmentSize: number }>;
      fetchWal(name: string, segmentSize: number, dataDir: string): Promise<void>;
    }) => Promise<T>,
  ): Promise<T> {
    const [row] = await this.conn.query<{ db: string }>('SELECT pg_catalog.current_database() AS db');
    const target: ConnectTarget = { ...this.target(row?.db ?? 'postgres'), host: from.host, port: from.port, connectTimeoutSec: 3, statementTimeoutMs: 2000 };
    return withClient(target, (c) =>
      fn({
        readSlots: (names) => readPrimarySlotStates(c, names),
        listWal: () => primaryWal(c),
        fetchWal: (name, segmentSize, dataDir) => fetchWalSegment(c, name, segmentSize, dataDir),
      }),
    );
  }

  async localWal(dataDir: string): Promise<{ files: string[]; redoLsn: number | null }> {
    return { files: await localWalFiles(dataDir), redoLsn: await readRedoLsn(dataDir) };
  }

  async installSlots(dataDir: string, slots: PrimarySlotState[]): Promise<void> {
    await installSlotStates(dataDir, slots);
  }
}
