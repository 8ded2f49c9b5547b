// Health-check decisions of Patroni's RestApiHandler.do_GET (health paths), do_GET_liveness and
// do_GET_readiness. Pure: the server hands in the node status and cached facts; the answer is only a
// status code.
import type { Cluster } from '../dcs/cluster.js';
import { parseBool, type Json, type JsonObject } from '../util/json.js';
import type { NodeStatus } from './node-status.js';
import { parseSize } from './size.js';

export type HealthCode = 200 | 503;
/** Query string with Python's parse_qs semantics as Patroni uses them: first value wins, blanks dropped. */
export type Query = Readonly<Record<string, string>>;

export interface HealthInputs {
  status: NodeStatus;
  latestEndLsn: number;
  /** Last DCS view; null when the DCS is unreachable. */
  cluster: Cluster | null;
  /** Holds the leader key (per the last successful update). */
  isLeader: boolean;
  /** Dynamic config declares a standby cluster. */
  standbyCluster: boolean;
  /** Effective (published) tags of this node. */
  tags: JsonObject;
}

interface RoleCodes {
  leader: HealthCode;
  primary: HealthCode;
  standbyLeader: HealthCode;
  replica: HealthCode;
}

const ok = (cond: boolean): HealthCode => (cond ? 200 : 503);

function leaderOptime(cluster: Cluster | null, latestEndLsn: number): number {
  return Math.max(cluster?.status.optime ?? 0, latestEndLsn);
}

function roleCodes(query: Query, inp: HealthInputs): RoleCodes {
  const { status, cluster } = inp;
  const optime = leaderOptime(cluster, inp.latestEndLsn);
  const replayed = status.xlog && 'replayed_location' in status.xlog ? status.xlog.replayed_location : 0;
  const maxLag = query.lag !== undefined ? (parseSize(query.lag) ?? Infinity) : Infinity;
  const lagging = optime > 0 && optime > replayed + maxLag;
  const noloadbalance = parseBool(inp.tags.noloadbalance) === true;
  let replica = ok(!noloadbalance && !lagging && status.role === 'replica' && status.state === 'running');

  if (!cluster && status.pause) {
    return {
      leader: ok(status.role === 'primary' || status.role === 'standby_leader'),
      primary: ok(status.role === 'primary'),
      standbyLeader: ok(status.role === 'standby_leader'),
      replica,
    };
  }
  if (inp.isLeader && inp.standbyCluster) {
    replica = 503;
    return { leader: 200, primary: 503, standbyLeader: ok(status.role === 'replica' || status.role === 'standby_leader'), replica };
  }
  if (inp.isLeader) return { leader: 200, primary: 200, standbyLeader: 503, replica };
  return { leader: 503, primary: 503, standbyLeader: 503, replica };
}

/** Python's str(value).lower() for non-string tag values (True -> true, 1.5 -> 1.5). */
function tagText(v: Json): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'none';
  return (typeof v === 'number' ? String(v) : JSON.stringify(v)).toLowerCase();
}

function tagsMatch(query: Query, tags: JsonObject): boolean {
  for (const key in query) {
    if (!key.startsWith('tag_')) continue;
    const wanted = query[key];
    const have = tags[key.slice(4)];
    if (have === undefined || have === null || tagText(have) !== wanted) return false;
  }
  return true;
}

/** Status code of a GET/HEAD/OPTIONS health check on `path` (query already split off). */
export function healthCode(path: string, query: Query, inp: HealthInputs): HealthCode {
  const p = path === '/' ? '/primary' : path;
  const c = roleCodes(query, inp);
  const { status } = inp;
  const writable = c.primary === 200 || c.standbyLeader === 200;
  let code: HealthCode = 503;
  let checkTags = true;
  if (p.includes('standby_leader') || p.includes('standby-leader')) [code, checkTags] = [c.standbyLeader, false];
  else if (p.includes('leader')) [code, checkTags] = [c.leader, false];
  else if (p.includes('master') || p.includes('primary') || p.includes('read-write')) [code, checkTags] = [c.primary, false];
  else if (p.includes('replica')) code = c.replica;
  else if (p.includes('read-only') && !p.includes('sync') && !p.includes('quorum')) code = writable ? 200 : c.replica;
  else if (p.includes('health')) code = ok(status.state === 'running');
  else if (inp.cluster) {
    const sync = status.sync_standby === true;
    const quorum = status.quorum_standby === true;
    if ((p === '/sync' || p === '/synchronous') && sync) code = c.replica;
    else if (p === '/quorum' && quorum) code = c.replica;
    else if ((p === '/async' || p === '/asynchronous') && !sync && !quorum) code = c.replica;
    else if (p === '/read-only-quorum') code = writable ? 200 : quorum ? c.replica : 503;
    else if (p === '/read-only-sync' || p === '/read-only-synchronous') code = writable ? 200 : sync ? c.replica : 503;
  }
  if (checkTags && code === 200 && !tagsMatch(query, inp.tags)) code = 503;
  return code;
}

export interface LivenessInputs {
  paused: boolean;
  /** Epoch ms when the next HA cycle is due (start of the last cycle + loop_wait). */
  nextHeartbeatDue: number;
  ttl: number;
  /** Postgres runs as primary: the threshold is one ttl instead of two. */
  runningPrimary: boolean;
  now: number;
}

export function livenessCode(inp: LivenessInputs): HealthCode {
  const thresholdMs = inp.ttl * (inp.runningPrimary ? 1 : 2) * 1000;
  return ok(inp.paused || inp.nextHeartbeatDue + thresholdMs > inp.now);
}

export interface ReadinessInputs {
  isLeader: boolean;
  /** Patroni's own Postgres state (not the status' `unknown`). */
  postgresState: string;
  status: NodeStatus;
  latestEndLsn: number;
  cluster: Cluster | null;
  failsafeActive: boolean;
  maximumLagOnFailover: number;
}

export function readinessCode(query: Query, inp: ReadinessInputs): HealthCode {
  if (inp.isLeader) return 200;
  if (inp.postgresState !== 'running') return 503;
  if (inp.status.replication_state !== 'streaming') return 503;
  if (!inp.cluster && !inp.latestEndLsn) return ok(inp.failsafeActive);
  const optime = leaderOptime(inp.cluster, inp.latestEndLsn);
  const xlog = inp.status.xlog && 'replayed_location' in inp.status.xlog ? inp.status.xlog : null;
  const location = query.mode === 'write' ? (xlog?.received_location ?? 0) : (xlog?.replayed_location ?? 0);
  const parsed = query.lag !== undefined ? parseSize(query.lag) : undefined;
  const maxLag = parsed ?? inp.maximumLagOnFailover;
  return ok(optime - location <= maxLag);
}

/** Split `/path?query` the way Patroni's handler does. */
export function parseTarget(target: string): { path: string; query: Query } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(target.slice(q + 1))) {
      if (v !== '' && !Object.hasOwn(query, k)) query[k] = v;
    }
  }
  return { path, query };
}
