// Checks shared by the logical-slot failover tests: where a slot's consumer stands, that a replica
// replayed the rows the consumer has not confirmed yet, and what the new primary decodes.
import assert from 'node:assert/strict';
import type { ClusterNode, TestCluster } from '../cluster/index.js';

/** confirmed_flush_lsn of `slot` in bytes, undefined while it does not exist on `n`. */
export async function slotLsn(n: ClusterNode, slot: string): Promise<number | undefined> {
  const rows = await n
    .sql<{ lsn: string | null }>("SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::text AS lsn FROM pg_replication_slots WHERE slot_name = $1", [slot])
    .catch(() => []);
  const lsn = rows[0]?.lsn;
  return lsn === undefined || lsn === null ? undefined : Number(lsn);
}

/** Waits until `n` replayed the two rows `pending-1` and `pending-2` of `table`. */
export async function waitPendingReplayed(c: TestCluster, n: ClusterNode, table: string, timeoutMs: number): Promise<void> {
  await c.waitUntil(
    `${n.name} replayed the pending rows`,
    async () => {
      const [row] = await n.sql<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE v LIKE 'pending-%'`);
      return row?.n === '2' ? true : undefined;
    },
    timeoutMs,
  );
}

/** Decoding `slot` on `next` yields both pending rows and not the one its consumer confirmed. */
export async function assertDecodesPendingOnly(next: ClusterNode, slot: string): Promise<void> {
  const changes = (await next.sql<{ data: string }>('SELECT data FROM pg_logical_slot_get_changes($1, NULL, NULL)', [slot])).map((r) => r.data);
  assert.ok(
    changes.some((d) => d.includes('pending-1')) && changes.some((d) => d.includes('pending-2')),
    `changes on ${next.name}: ${JSON.stringify(changes)}`,
  );
  assert.ok(!changes.some((d) => d.includes('consumed-1')), `already confirmed change decoded again: ${JSON.stringify(changes)}`);
}
