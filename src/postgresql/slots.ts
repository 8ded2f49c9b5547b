// Physical replication slot names for members (Patroni's slot_name_from_member_name), shared by
// primary_slot_name and the primary's slot maintenance so both sides agree on the name.

/** PostgreSQL's rule for replication slot names (ReplicationSlotValidateName). */
export const SLOT_NAME_RE = /^[a-z0-9_]{1,63}$/;

/** True for a name that is safe to use as a slot name and as a directory under pg_replslot/. */
export function isValidSlotName(name: unknown): name is string {
  return typeof name === 'string' && SLOT_NAME_RE.test(name);
}

/** Patroni's slot_name_from_member_name: lowercase, `-`/`.` -> `_`, others -> `u` + 4-digit decimal code point. */
export function slotNameFromMemberName(memberName: string): string {
  let out = '';
  for (const c of memberName.toLowerCase()) {
    if (/[a-z0-9_]/.test(c)) out += c;
    else if (c === '-' || c === '.') out += '_';
    else out += `u${String(c.codePointAt(0) ?? 0).padStart(4, '0')}`;
  }
  return out.slice(0, 63);
}

/** A row of pg_replication_slots as the slot step reads it. */
export interface SlotRow {
  name: string;
  type: 'physical' | 'logical';
  database: string | null;
  plugin: string | null;
  active: boolean;
  /** restart_lsn (physical) or confirmed_flush_lsn (logical), bytes. */
  lsn: number | null;
}

export const SLOTS_QUERY = `SELECT slot_name AS name, slot_type AS type, database, plugin, active,
  pg_catalog.pg_wal_lsn_diff(CASE WHEN slot_type = 'logical' THEN confirmed_flush_lsn ELSE restart_lsn END, '0/0')::text AS lsn
  FROM pg_catalog.pg_replication_slots ORDER BY slot_name`;

export function toSlotRow(r: { name: string; type: string; database: string | null; plugin: string | null; active: boolean; lsn: string | null }): SlotRow {
  return {
    name: r.name,
    type: r.type === 'logical' ? 'logical' : 'physical',
    database: r.database,
    plugin: r.plugin,
    active: r.active,
    lsn: r.lsn === null ? null : Number(r.lsn),
  };
}
