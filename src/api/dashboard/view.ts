// The cluster as an operator looks at it: the DCS view, each member's GET /patroni and GET /explain, and
// what would happen if the leader were lost now (ha/core/leader-lost.ts). One pure builder, shared by the
// dashboard's state endpoint and `patronictl explain`, so both always say the same thing.
import type { DynamicConfig } from '../../config/types.js';
import type { Cluster } from '../../dcs/cluster.js';
import { peerFromStatus } from '../../daemon/peers.js';
import { ifLeaderLost, type Outlook } from '../../ha/core/leader-lost.js';
import type { PeerStatus } from '../../ha/core/input.js';
import { isObject, type JsonObject } from '../../util/json.js';
import { clusterAsJson, type ClusterMemberRole } from '../cluster-json.js';

/** What asking one member over REST gave. */
export interface MemberProbeResult {
  /** GET /patroni body, or why it could not be read. */
  status: { ok: true; body: JsonObject } | { ok: false; error: string };
  /** From GET /explain; null when the member has none (Patroni itself, or no cycle yet). */
  explain: LastDecision | null;
}

export interface LastDecision {
  at: string;
  message: string;
}

/** The part of a GET /explain answer the view shows; null for anything else (a 404 page, garbage). */
export function lastDecisionOf(body: unknown): LastDecision | null {
  return isObject(body) && typeof body.at === 'string' && typeof body.message === 'string' ? { at: body.at, message: body.message } : null;
}

export interface MemberView {
  name: string;
  host: string | null;
  role: ClusterMemberRole;
  state: string;
  timeline: number | null;
  /** Bytes received behind the leader's last position; null on the leader or when unknown. */
  lagBytes: number | null;
  /** Bytes replayed behind what was received (replay paused or slow). */
  replayBehindBytes: number | null;
  replayPaused: boolean;
  /** `replicatefrom` tag: a cascading replica's upstream. */
  upstream: string | null;
  tags: JsonObject;
  pendingRestart: boolean;
  reachable: boolean;
  /** The member's own dashboard (its restart and reload buttons act on it). */
  dashboardUrl: string | null;
  outlook: Outlook;
  why: string[];
  lastDecision: LastDecision | null;
}

export interface ClusterView {
  scope: string;
  systemId: string | null;
  leader: string | null;
  paused: boolean;
  synchronousMode: DynamicConfig['synchronous_mode'];
  /** Members in the sync key: synchronous standbys, or quorum voters. */
  syncSet: string[];
  quorum: number;
  maximumLagOnFailover: number;
  /** Someone could take over if the leader were lost now. */
  failoverPossible: boolean;
  scheduledSwitchover: { at: string; from?: string; to?: string } | null;
  /** [timeline, lsn, reason, timestamp, new leader] as in the history key. */
  history: (string | number | null)[][];
  members: MemberView[];
}

function dashboardUrl(apiUrl: string | null): string | null {
  if (!apiUrl) return null;
  try {
    return new URL('/dashboard', apiUrl).toString();
  } catch {
    return null;
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function peerOf(name: string, probe: MemberProbeResult | undefined): PeerStatus {
  if (!probe) return { name, reachable: false, error: 'no api_url' };
  if (!probe.status.ok) return { name, reachable: false, error: probe.status.error };
  if (!isObject(probe.status.body.xlog)) return { name, reachable: false, error: 'no xlog in status' };
  return peerFromStatus(name, probe.status.body);
}

export function buildClusterView(scope: string, cluster: Cluster, config: DynamicConfig, probes: ReadonlyMap<string, MemberProbeResult>): ClusterView {
  const json = clusterAsJson(cluster, config, scope);
  const peers = cluster.members.filter((m) => m.data.api_url).map((m) => peerOf(m.name, probes.get(m.name)));
  const loss = ifLeaderLost({ cluster, config, probes: peers });
  const members = json.members.map((m): MemberView => {
    const outlook = loss.members.find((o) => o.member === m.name);
    const probe = probes.get(m.name);
    const status = probe?.status.ok ? probe.status.body : null;
    const xlog = status && isObject(status.xlog) ? status.xlog : {};
    const received = num(xlog.received_location);
    const replayed = num(xlog.replayed_location);
    const upstream = m.tags?.replicatefrom;
    const lag = typeof m.receive_lag === 'number' ? m.receive_lag : typeof m.lag === 'number' ? m.lag : null;
    const explain = probe?.explain ?? null;
    const notReplayed = received !== null && replayed !== null ? Math.max(0, received - replayed) : null;
    // Received but not replayed WAL counts as held (Patroni races on max(received, replayed)): promotion replays it first.
    const replayNote =
      xlog.paused === true
        ? [`replay paused: ${notReplayed ?? 0} bytes received but not replayed, promotion would replay them first`]
        : notReplayed
          ? [`${notReplayed} bytes received but not replayed yet`]
          : [];
    return {
      name: m.name,
      host: m.host !== undefined ? `${m.host}${m.port !== undefined ? `:${m.port}` : ''}` : null,
      role: m.role,
      state: m.state,
      timeline: m.timeline ?? null,
      // The member's own answer of this second first; its DCS key (what `list` shows) may be a loop old.
      lagBytes: m.role === 'leader' || m.role === 'standby_leader' ? null : (outlook?.lagBytes ?? lag),
      replayBehindBytes: notReplayed,
      replayPaused: xlog.paused === true,
      upstream: typeof upstream === 'string' ? upstream : null,
      tags: m.tags ?? {},
      pendingRestart: m.pending_restart === true,
      reachable: peers.find((p) => p.name === m.name)?.reachable === true,
      dashboardUrl: dashboardUrl(m.api_url),
      outlook: outlook?.outlook ?? 'ineligible',
      why: [...(outlook?.why ?? ['not a member']), ...(m.role.endsWith('leader') ? [] : replayNote)],
      lastDecision: explain,
    };
  });
  return {
    scope,
    systemId: cluster.initialize || null,
    leader: loss.leader,
    paused: config.pause,
    synchronousMode: config.synchronous_mode,
    syncSet: [...cluster.sync.members],
    quorum: cluster.sync.quorum,
    maximumLagOnFailover: config.maximum_lag_on_failover,
    failoverPossible: loss.possible,
    scheduledSwitchover: json.scheduled_switchover ?? null,
    history: (cluster.history?.lines ?? []).map((l) => l.map((c) => c ?? null)),
    members,
  };
}
