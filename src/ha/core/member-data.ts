// The JSON this node publishes in members/<name> every cycle (Patroni's Ha.touch_member).
import { publishedTags } from '../../config/tags.js';
import type { DynamicConfig, Tags } from '../../config/types.js';
import type { MemberData } from '../../dcs/cluster.js';
import type { PostgresSnapshot } from '../../postgresql/snapshot.js';
import type { AsyncState, HaMemory } from './input.js';

export interface MemberIdentity {
  connUrl: string;
  apiUrl: string;
  proxyUrl?: string;
  tags: Tags;
  version: string;
}

const WAL_STATES = new Set(['running', 'starting', 'restarting']);

/** `async`: the task the async executor runs now (null when idle). */
export function buildMemberData(id: MemberIdentity, pg: PostgresSnapshot, memory: HaMemory, async: AsyncState | null, config: DynamicConfig): MemberData {
  const data: MemberData = {
    conn_url: id.connUrl,
    api_url: id.apiUrl,
    state: pg.state,
    role: memory.role,
    version: id.version,
  };
  if (id.proxyUrl) data.proxy_url = id.proxyUrl;
  // Until the post-promote CHECKPOINT is done, pg_rewind against us would see the old timeline.
  if (async?.task.kind === 'promote') data.checkpoint_after_promote = false;
  const tags = publishedTags(id.tags);
  if (Object.keys(tags).length) data.tags = tags;
  const s = pg.server;
  if (s && Object.keys(s.pendingRestart).length) {
    data.pending_restart = true;
    data.pending_restart_reason = s.pendingRestart;
  }
  const asyncBlocksWal = async !== null && async.task.kind !== 'promote';
  if (s && WAL_STATES.has(pg.state) && !asyncBlocksWal) {
    data.xlog_location = s.walLsn;
    if (s.inRecovery) {
      if (s.replayLsn !== null) data.replay_lsn = s.replayLsn;
      if (s.receiveLsn !== null) data.receive_lsn = s.receiveLsn;
      if (s.replicationState) data.replication_state = s.replicationState;
    }
    data.timeline = s.timeline;
  }
  if (config.pause) data.pause = true;
  return data;
}
