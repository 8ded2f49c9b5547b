// The member table of `list`, `topology` and most commands (ctl.output_members), built from
// cluster_as_json output. Pure: returns the text to print.
import type { ClusterJson, ClusterMemberJson } from '../api/cluster-json.js';
import { roundHalfEven } from '../api/size.js';
import { renderTable, type Align, type Cell, type TableFormat } from './table.js';

export interface MembersTableInput {
  /** Cluster name as given on the command line (or config scope). */
  name: string;
  /** DCS `initialize` value: null absent, '' while initializing. */
  initialize: string | null;
  cluster: ClusterJson;
  extended?: boolean;
  fmt?: TableFormat;
}

const OPTIONAL_COLUMNS = [
  ['Pending restart', 'pending_restart'],
  ['Pending restart reason', 'pending_restart_reason'],
  ['Scheduled restart', 'scheduled_restart'],
  ['Tags', 'tags'],
] as const;

const ALIGN: Record<string, Align> = { Group: 'r', 'Receive LSN': 'r', 'Replay LSN': 'r', Lag: 'r', TL: 'r' };

const truthy = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== false && v !== '' && v !== 0 && !(typeof v === 'object' && Object.keys(v).length === 0);

const titleCase = (s: string): string => s.replace(/_/g, ' ').replace(/\w+/g, (w) => w[0]?.toUpperCase() + w.slice(1).toLowerCase());

/** Tree order of `topology`: leader first, replicas under their `replicatefrom` member. */
export function topologySort(members: ClusterMemberJson[]): ClusterMemberJson[] {
  const isLeader = (m: ClusterMemberJson) => m.role.endsWith('leader');
  const leader = members.find(isLeader);
  const replicas = new Set(members.filter((m) => !isLeader(m)).map((m) => m.name));
  const children = new Map<string | null, ClusterMemberJson[]>();
  for (const m of members) {
    if (isLeader(m)) continue;
    const from = m.tags?.replicatefrom;
    const parent = typeof from === 'string' && from !== m.name && replicas.has(from) ? from : (leader?.name ?? null);
    children.set(parent, [...(children.get(parent) ?? []), m]);
  }
  const out: ClusterMemberJson[] = [];
  const walk = (level: number, name: string | null, member: ClusterMemberJson | null) => {
    if (member) out.push(level > 0 ? { ...member, name: `${' '.repeat((level - 1) * 2)}+ ${member.name}` } : member);
    for (const child of children.get(name) ?? []) walk(level + 1, child.name, child);
  };
  walk(0, leader?.name ?? null, leader ?? null);
  return out;
}

function lagMb(v: number | 'unknown' | '' | undefined): Cell {
  if (typeof v === 'number') return roundHalfEven(v / 1024 / 1024);
  return v === undefined || v === 'unknown' ? '' : v;
}

function memberRow(m: ClusterMemberJson, name: string, appendPort: boolean, fmt: TableFormat): Record<string, Cell> {
  let receiveLag: number | 'unknown' | '' | undefined = m.receive_lag ?? '';
  let replayLag: number | 'unknown' | '' | undefined = m.replay_lag ?? '';
  let receiveLsn = m.receive_lsn ?? '';
  let replayLsn = m.replay_lsn ?? '';
  // Members of Patroni < 4.1 publish only xlog_location: show it where it most likely belongs.
  if (receiveLsn === 'unknown' && replayLsn === 'unknown' && m.lsn && m.lsn !== 'unknown') {
    if (m.state === 'streaming') [receiveLag, receiveLsn] = [m.lag, m.lsn];
    else [replayLag, replayLsn] = [m.lag, m.lsn];
  }
  const hideLong = fmt === 'pretty' || fmt === 'topology';
  const reason = Object.entries(m.pending_restart_reason ?? {})
    .map(([k, v]) => {
      const full = `${k}: ${v.old_value}->${v.new_value}`;
      return hideLong && full.length > 50 ? `${k}: [hidden - too long]` : full;
    })
    .join('\n');
  let scheduled: Cell = '';
  const sr = m.scheduled_restart;
  if (sr) {
    scheduled = String(sr.schedule ?? '');
    if (sr.postgres_version !== undefined) scheduled += ` if version < ${String(sr.postgres_version)}`;
  }
  const host = m.host ?? '';
  return {
    Cluster: name,
    Member: m.name,
    Host: appendPort && host && m.port ? `${host}:${m.port}` : host,
    Role: titleCase(m.role),
    State: m.state,
    TL: m.timeline ?? '',
    'Receive LSN': receiveLsn,
    'Receive Lag': lagMb(receiveLag),
    'Replay LSN': replayLsn,
    'Replay Lag': lagMb(replayLag),
    'Pending restart': m.pending_restart ? '*' : '',
    'Pending restart reason': reason,
    'Scheduled restart': scheduled,
    Tags: m.tags ?? '',
  };
}

/** The footer lines (pretty/topology): maintenance mode and scheduled switchover. */
export function serviceInfo(c: ClusterJson): string[] {
  const info: string[] = [];
  if (c.pause) info.push('Maintenance mode: on');
  const s = c.scheduled_switchover;
  if (s) {
    let text = `Switchover scheduled at: ${s.at}`;
    if (s.from !== undefined) text += `\n${'from'.padStart(24)}: ${s.from}`;
    if (s.to !== undefined) text += `\n${'to'.padStart(24)}: ${s.to}`;
    info.push(text);
  }
  return info;
}

export function membersTable(inp: MembersTableInput): string {
  const fmt = inp.fmt ?? 'pretty';
  const members = inp.cluster.members;
  const withHost = members.filter((m) => m.host !== undefined);
  const columns = ['Cluster', 'Member', 'Host', 'Role', 'State', 'TL', 'Receive LSN', 'Receive Lag', 'Replay LSN', 'Replay Lag'];
  for (const [title, key] of OPTIONAL_COLUMNS) {
    if (inp.extended || withHost.some((m) => truthy(m[key]))) columns.push(title);
  }
  // host:port when someone runs on a non-standard port or two members share a host.
  const appendPort = withHost.some((m) => m.port !== undefined && m.port !== 5432) || new Set(withHost.map((m) => m.host)).size < withHost.length;
  const ordered = fmt === 'topology' ? topologySort(members) : members;
  const rows = ordered.map((m) => {
    const row = memberRow(m, inp.name, appendPort, fmt);
    return columns.map((c) => row[c] ?? '');
  });
  const init = inp.initialize === null ? 'uninitialized' : inp.initialize === '' ? 'initializing' : inp.initialize;
  const pretty = fmt === 'pretty' || fmt === 'topology';
  const shown = pretty ? columns.map((c) => (c === 'Receive Lag' || c === 'Replay Lag' ? 'Lag' : c)) : columns;
  let text = renderTable(shown, rows, { fmt, align: ALIGN, title: ` Cluster: ${inp.name} (${init}) ` });
  const info = serviceInfo(inp.cluster);
  if (pretty && info.length > 0) text += ' ' + info.join('\n ') + '\n';
  return text;
}
