// Backend-neutral parsing of the raw cluster keys into the Cluster snapshot, as Patroni's
// Etcd3._cluster_from_nodes does with the from_node parsers of patroni/dcs/__init__.py.
// Never throws: whatever another (possibly older or broken) node wrote, the HA loop must keep running.
import { log } from '../log/logger.js';
import { isObject, parseIntLoose, parseJson, type Json, type JsonObject } from '../util/json.js';
import type {
  Cluster,
  ClusterConfig,
  Failover,
  HistoryLine,
  Leader,
  LeaderStatus,
  Member,
  MemberData,
  MemberRole,
  SyncState,
  TimelineHistory,
} from './cluster.js';

export interface RawNode {
  /** Relative to the cluster path, e.g. 'leader', 'members/pg1'. */
  key: string;
  value: string;
  version: string;
  session?: string;
}

const MEMBER_ROLES: readonly MemberRole[] = ['primary', 'replica', 'standby_leader', 'demoted', 'promoted', 'uninitialized'];

// Remember which garbage values were already reported, so a broken key logs once, not every cycle.
const warnedGarbage = new Set<string>();

function warnGarbageOnce(name: string, value: string): void {
  const id = `${name}\u0000${value}`;
  if (warnedGarbage.has(id)) return;
  if (warnedGarbage.size > 1000) warnedGarbage.clear();
  warnedGarbage.add(id);
  log.warning('Ignoring invalid value of member key %s: %s', name, JSON.stringify(value.slice(0, 200)));
}

/** Legacy Governor format: `postgres://u:p@host:port/db?application_name=<api_url>`. */
function parseGovernorUrl(value: string): MemberData {
  const hashAt = value.indexOf('#');
  const fragment = hashAt >= 0 ? value.slice(hashAt) : '';
  const noFragment = hashAt >= 0 ? value.slice(0, hashAt) : value;
  const qAt = noFragment.indexOf('?');
  const connUrl = (qAt >= 0 ? noFragment.slice(0, qAt) : noFragment) + fragment;
  const apiUrl = qAt >= 0 ? new URLSearchParams(noFragment.slice(qAt + 1)).get('application_name') : null;
  return apiUrl === null ? { conn_url: connUrl } : { conn_url: connUrl, api_url: apiUrl };
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: Json | undefined): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const obj = (v: Json | undefined): JsonObject | undefined => (isObject(v) ? v : undefined);
const int = (v: Json | undefined): number | undefined => parseIntLoose(v);

function parseRole(v: Json | undefined): MemberRole | undefined {
  if (v === 'master') return 'primary';
  return MEMBER_ROLES.find((r) => r === v);
}

function parseRestartReasons(v: Json | undefined): MemberData['pending_restart_reason'] {
  if (!isObject(v)) return undefined;
  const out: NonNullable<MemberData['pending_restart_reason']> = {};
  for (const [param, r] of Object.entries(v)) {
    if (isObject(r)) out[param] = { old_value: String(r.old_value ?? ''), new_value: String(r.new_value ?? '') };
  }
  return out;
}

/** Narrow a member JSON object to MemberData, dropping absent / mistyped fields. */
export function memberDataFromJson(o: JsonObject): MemberData {
  let connUrl = str(o.conn_url);
  const kw = obj(o.conn_kwargs);
  if (!connUrl && kw && kw.host !== undefined && kw.host !== null) {
    connUrl = `postgresql://${String(kw.host)}:${String(kw.port ?? 5432)}`;
  }
  const fields: MemberData = {
    conn_url: connUrl,
    api_url: str(o.api_url),
    state: str(o.state),
    role: parseRole(o.role),
    version: str(o.version),
    proxy_url: str(o.proxy_url),
    checkpoint_after_promote: bool(o.checkpoint_after_promote),
    tags: obj(o.tags),
    pending_restart: bool(o.pending_restart),
    pending_restart_reason: parseRestartReasons(o.pending_restart_reason),
    xlog_location: int(o.xlog_location),
    replay_lsn: int(o.replay_lsn),
    receive_lsn: int(o.receive_lsn),
    replication_state: str(o.replication_state),
    timeline: int(o.timeline),
    scheduled_restart: obj(o.scheduled_restart),
    pause: bool(o.pause),
  };
  const out: MemberData = {};
  for (const [k, v] of Object.entries(fields) as [keyof MemberData, MemberData[keyof MemberData]][]) {
    if (v !== undefined) Object.assign(out, { [k]: v });
  }
  return out;
}

export function parseMemberData(name: string, value: string): MemberData {
  if (value.startsWith('postgres')) return parseGovernorUrl(value);
  const parsed = parseJson(value);
  if (!isObject(parsed)) {
    warnGarbageOnce(name, value);
    return {};
  }
  return memberDataFromJson(parsed);
}

export function parseMember(name: string, node: Omit<RawNode, 'key'>): Member {
  const m: Member = { name, version: node.version, data: parseMemberData(name, node.value) };
  if (node.session !== undefined) m.session = node.session;
  return m;
}

export function parseConfig(node: RawNode): ClusterConfig {
  const parsed = parseJson(node.value);
  if (!isObject(parsed)) return { version: node.version, modifyVersion: 0, data: {} };
  // A usable config must have a non-zero modify version; keys with non-numeric versions still count as valid.
  return { version: node.version, modifyVersion: parseIntLoose(node.version) || 1, data: parsed };
}

/** Python-ish ISO 8601 (dateutil accepts a space instead of `T`). */
export function parseIsoDate(s: string): Date | undefined {
  const d = new Date(s.trim().replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, '$1T$2'));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function parseFailover(node: RawNode): Failover | null {
  const value = node.value;
  if (!value) return null;
  const parsed = parseJson(value);
  if (parsed === undefined) {
    // Legacy `leader:candidate`.
    const [leader = '', candidate = ''] = value.split(':').map((s) => s.trim());
    if (!leader && !candidate) return null;
    const f: Failover = { version: node.version };
    if (leader) f.leader = leader;
    if (candidate) f.candidate = candidate;
    return f;
  }
  if (!isObject(parsed)) return null;
  const f: Failover = { version: node.version };
  const leader = str(parsed.leader);
  const candidate = str(parsed.member);
  if (leader) f.leader = leader;
  if (candidate) f.candidate = candidate;
  if (!f.leader && !f.candidate) return null;
  const at = str(parsed.scheduled_at);
  if (at) {
    const d = parseIsoDate(at);
    // Dropping only the time would turn a scheduled switchover into an immediate one: ignore it all.
    if (!d) {
      log.warning('Ignoring failover key with unparsable scheduled_at: %s', at);
      return null;
    }
    f.scheduledAt = d;
  }
  return f;
}

export function parseSync(node: RawNode | undefined): SyncState {
  if (!node) return { members: [], quorum: 0 };
  const parsed = parseJson(node.value);
  const leader = isObject(parsed) ? str(parsed.leader) : undefined;
  if (!isObject(parsed) || !leader) return { version: node.version, members: [], quorum: 0 };
  const standby = str(parsed.sync_standby) ?? '';
  const members = standby
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s)
    .sort();
  return { version: node.version, leader, members, quorum: int(parsed.quorum) ?? 0 };
}

function parseHistoryLine(e: Json): HistoryLine | undefined {
  if (!Array.isArray(e)) return undefined;
  const tli = int(e[0]);
  const lsn = int(e[1]);
  if (tli === undefined || lsn === undefined) return undefined;
  const line: HistoryLine = [tli, lsn, typeof e[2] === 'string' ? e[2] : String(e[2] ?? '')];
  if (typeof e[3] === 'string') line[3] = e[3];
  if (typeof e[3] === 'string' && typeof e[4] === 'string') line[4] = e[4];
  return line;
}

export function parseHistory(node: RawNode): TimelineHistory | null {
  const parsed = parseJson(node.value);
  if (!Array.isArray(parsed)) return null;
  const lines = parsed.map(parseHistoryLine).filter((l): l is HistoryLine => l !== undefined);
  return { version: node.version, lines };
}

/** Values in `status` may themselves be JSON strings (older writers). */
function maybeJsonString(v: Json | undefined): Json | undefined {
  return typeof v === 'string' ? parseJson(v) : v;
}

export function parseStatus(status: RawNode | undefined, legacyOptime: RawNode | undefined): LeaderStatus {
  const empty: LeaderStatus = { optime: 0, slots: {}, retainSlots: [] };
  if (!status) return { ...empty, optime: (legacyOptime && parseIntLoose(legacyOptime.value)) || 0 };
  const parsed = parseJson(status.value);
  if (typeof parsed === 'number') return { ...empty, optime: Math.trunc(parsed) };
  if (!isObject(parsed)) return empty;
  const slots: Record<string, number> = {};
  const rawSlots = maybeJsonString(parsed.slots);
  if (isObject(rawSlots)) for (const [k, v] of Object.entries(rawSlots)) slots[k] = int(v) ?? 0;
  const rawRetain = maybeJsonString(parsed.retain_slots);
  const retainSlots = Array.isArray(rawRetain) ? rawRetain.filter((s): s is string => typeof s === 'string') : [];
  return { optime: int(parsed.optime) ?? 0, slots, retainSlots };
}

export function parseFailsafe(node: RawNode | undefined): Record<string, string> | null {
  if (!node) return null;
  const parsed = parseJson(node.value);
  if (!isObject(parsed)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  return out;
}

const READ_KEYS = new Set(['initialize', 'config', 'leader', 'failover', 'history', 'status', 'optime/leader', 'sync', 'failsafe']);

/** Build the snapshot from the raw keys of one cluster; keys outside READ_KEYS and members/* are ignored. */
export function parseCluster(nodes: RawNode[]): Cluster {
  const byKey = new Map<string, RawNode>();
  const members: Member[] = [];
  for (const node of nodes) {
    if (READ_KEYS.has(node.key)) byKey.set(node.key, node);
    else if (node.key.startsWith('members/')) {
      const name = node.key.slice('members/'.length);
      if (name && !name.includes('/')) members.push(parseMember(name, node));
    }
  }
  const leaderNode = byKey.get('leader');
  let leader: Leader | null = null;
  if (leaderNode && leaderNode.value) {
    leader = { name: leaderNode.value, version: leaderNode.version };
    if (leaderNode.session !== undefined) leader.session = leaderNode.session;
    const member = members.find((m) => m.name === leaderNode.value);
    if (member) leader.member = member;
  }
  const initialize = byKey.get('initialize');
  const config = byKey.get('config');
  const failover = byKey.get('failover');
  const history = byKey.get('history');
  return {
    initialize: initialize ? initialize.value : null,
    config: config ? parseConfig(config) : null,
    leader,
    status: parseStatus(byKey.get('status'), byKey.get('optime/leader')),
    members,
    failover: failover ? parseFailover(failover) : null,
    sync: parseSync(byKey.get('sync')),
    history: history ? parseHistory(history) : null,
    failsafe: parseFailsafe(byKey.get('failsafe')),
  };
}
