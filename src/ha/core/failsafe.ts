// DCS failsafe mode (Ha.check_failsafe_topology, Ha._failsafe_config, Failsafe.update_cluster). While
// the DCS is up the leader keeps the `failsafe` key listing every member; when the DCS is down it may
// stay primary only if every listed member answers POST /failsafe, and a member that accepted such a
// heartbeat treats that leader as present for ttl seconds and does not race. Pure.
import type { Cluster } from '../../dcs/cluster.js';
import { slotNameFromMemberName, type SlotRow } from '../../postgresql/slots.js';

/** What the leader sends in POST /failsafe; what a member remembers of it. */
export interface FailsafeHeartbeat {
  name: string;
  conn_url?: string;
  api_url?: string;
  /** Absent when the leader could not read its slots (Patroni leaves the field out then). */
  slots?: Record<string, number>;
}

/** The heartbeat a member accepted and when (ms). */
export interface FailsafeSeen {
  at: number;
  leader: FailsafeHeartbeat;
}

/**
 * The heartbeat the leader sends (Ha.check_failsafe_topology): its name and URLs, and `slots` as
 * Postgresql.slots() gives them, read in this cycle: every replication slot on the leader (physical:
 * restart_lsn, logical: confirmed_flush_lsn) plus its own member slot name at its WAL position, so a
 * member keeps its copies of permanent and member slots moving while the DCS is down. `local`
 * undefined: the slots could not be read, and the field is left out as Patroni does.
 */
export function failsafeHeartbeat(
  me: { name: string; connUrl: string; apiUrl: string },
  local: SlotRow[] | undefined,
  walLsn: number | null,
): FailsafeHeartbeat {
  const hb: FailsafeHeartbeat = { name: me.name, conn_url: me.connUrl, api_url: me.apiUrl };
  if (!local || walLsn === null) return hb;
  const slots: Record<string, number> = {};
  for (const s of local) if (s.lsn !== null) slots[s.name] = s.lsn;
  slots[slotNameFromMemberName(me.name)] = walLsn;
  return { ...hb, slots };
}

/** Ha._failsafe_config: every member with an api_url, plus me. */
export function failsafeKeyValue(cluster: Cluster, me: { name: string; apiUrl: string }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of cluster.members) if (typeof m.data.api_url === 'string') out[m.name] = m.data.api_url;
  if (!(me.name in out)) out[me.name] = me.apiUrl;
  return out;
}

export type FailsafeTopology =
  /** No usable key, or I am not in it: the failsafe check fails. */
  | { kind: 'not_listed' }
  /** I am the only listed member: nothing to ask. */
  | { kind: 'alone' }
  | { kind: 'ask'; members: { name: string; url: string }[] };

export function failsafeTopology(failsafe: Record<string, string> | null, me: string): FailsafeTopology {
  if (!failsafe || !(me in failsafe)) return { kind: 'not_listed' };
  const members = Object.entries(failsafe)
    .filter(([name]) => name !== me)
    .map(([name, url]) => ({ name, url }));
  return members.length ? { kind: 'ask', members } : { kind: 'alone' };
}

/** A member answered the heartbeat as Patroni requires: 200 and exactly `Accepted`. */
export const failsafeAccepted = (status: number, body: string): boolean => status === 200 && body === 'Accepted';

/** Failsafe.is_active: a heartbeat (or, on the leader, a passed check) within ttl. */
export const failsafeActive = (lastAt: number, now: number, ttlSeconds: number): boolean => lastAt > 0 && lastAt + ttlSeconds * 1000 > now;

/**
 * Failsafe.update_cluster: with no leader key, failsafe mode on and a fresh heartbeat, the leader that
 * sent it counts as the leader (and its slots as the permanent slots' positions), so nobody races it.
 */
export function withFailsafeLeader(cluster: Cluster, seen: FailsafeSeen | null, now: number, ttlSeconds: number, failsafeMode: boolean): Cluster {
  return cluster.leader || !failsafeMode ? cluster : failsafeView(cluster, seen, now, ttlSeconds);
}

/**
 * The cluster as a fresh heartbeat describes it (Failsafe.update_cluster): its sender as the leader,
 * its slot positions as the permanent slots' targets. With the DCS down, a replica advances its copies
 * of the permanent slots from this view (Ha._sync_replication_slots with dcs_failed).
 */
export function failsafeView(cluster: Cluster, seen: FailsafeSeen | null, now: number, ttlSeconds: number): Cluster {
  if (!seen || !failsafeActive(seen.at, now, ttlSeconds)) return cluster;
  const l = seen.leader;
  const data = { ...(l.api_url ? { api_url: l.api_url } : {}), ...(l.conn_url ? { conn_url: l.conn_url } : {}) };
  return {
    ...cluster,
    leader: { name: l.name, version: '0', member: { name: l.name, version: '0', data } },
    status: { ...cluster.status, slots: { ...(l.slots ?? {}) } },
  };
}

/** Ha.is_healthiest_node: with failsafe mode on, a member missing from a non-empty key may not race. */
export function excludedByFailsafe(failsafeMode: boolean, failsafe: Record<string, string> | null, me: string): boolean {
  return failsafeMode && failsafe !== null && Object.keys(failsafe).length > 0 && !(me in failsafe);
}

export const FAILSAFE_KEEP = 'continue to run as a leader because failsafe mode is enabled and all members are accessible';
