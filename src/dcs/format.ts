// Serializers for the values Patroni writes to the DCS. Output is compact JSON, byte-compatible with
// Python's json.dumps(separators=(',', ':')) for the same field order.
import type { JsonObject } from '../util/json.js';
import type { HistoryLine, MemberData } from './cluster.js';

/** Field order of members/<name> as Patroni's touch_member produces it (cosmetic, but diff-friendly). */
const MEMBER_FIELD_ORDER: readonly (keyof MemberData)[] = [
  'conn_url',
  'api_url',
  'state',
  'role',
  'version',
  'proxy_url',
  'checkpoint_after_promote',
  'tags',
  'pending_restart',
  'pending_restart_reason',
  'xlog_location',
  'replay_lsn',
  'receive_lsn',
  'replication_state',
  'timeline',
  'scheduled_restart',
  'pause',
];

export function formatMember(data: MemberData): string {
  const out: Record<string, unknown> = {};
  for (const k of MEMBER_FIELD_ORDER) if (data[k] !== undefined) out[k] = data[k];
  return JSON.stringify(out);
}

/** Python's isoformat for an aware UTC datetime: `+00:00`, not `Z`. */
export function isoWithOffset(d: Date): string {
  return d.toISOString().replace(/Z$/, '+00:00');
}

export interface FailoverRequest {
  leader?: string;
  /** Written as `member`. */
  candidate?: string;
  scheduledAt?: Date | string;
}

/** `{}` for an empty request: that is how the key is cleared (it is never deleted). */
export function formatFailover(f: FailoverRequest = {}): string {
  const out: Record<string, string> = {};
  if (f.leader) out.leader = f.leader;
  if (f.candidate) out.member = f.candidate;
  if (f.scheduledAt) out.scheduled_at = typeof f.scheduledAt === 'string' ? f.scheduledAt : isoWithOffset(f.scheduledAt);
  return JSON.stringify(out);
}

export interface StatusValue {
  optime?: number | null;
  slots?: Record<string, number> | null;
  retainSlots?: string[] | null;
}

export function formatStatus(s: StatusValue): string {
  const out: JsonObject = {};
  if (s.optime !== undefined && s.optime !== null) out.optime = s.optime;
  if (s.slots !== undefined && s.slots !== null) out.slots = s.slots;
  if (s.retainSlots !== undefined && s.retainSlots !== null) out.retain_slots = s.retainSlots;
  return JSON.stringify(out);
}

/** `{"leader":..,"quorum":..,"sync_standby":..}`; standbys sorted and comma-joined, null when none. */
export function formatSync(leader: string | null, standbys: readonly string[], quorum = 0): string {
  const sorted = [...standbys].sort();
  return JSON.stringify({ leader, quorum, sync_standby: sorted.length ? sorted.join(',') : null });
}

export function formatHistory(lines: readonly HistoryLine[]): string {
  return JSON.stringify(lines);
}

export function formatFailsafe(f: Record<string, string>): string {
  return JSON.stringify(f);
}
