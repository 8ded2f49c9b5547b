// What the node writes about itself to the DCS outside the decision's own writes: the member key
// (Ha.touch_member) and, on the leader, the `history` key (Ha.update_cluster_history). The content
// is built by the core (member-data.ts, history.ts); this file reads the files and does the writes.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { scheduledRestartJson } from '../api/restart-request.js';
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { Cluster } from '../dcs/cluster.js';
import type { Dcs } from '../dcs/dcs.js';
import { buildHistory, historyUpdate, isoWithOffset, parseHistoryFile } from '../ha/core/history.js';
import type { AsyncState, HaMemory } from '../ha/core/input.js';
import { buildMemberData } from '../ha/core/member-data.js';
import { log } from '../log/logger.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';
import { PATRONI_VERSION } from '../version.js';
import { urls } from './identity.js';

export interface MemberState {
  config: PatroniConfig;
  dynamic: DynamicConfig;
  snapshot: PostgresSnapshot;
  memory: HaMemory;
  /** The task on the async executor (null when idle or shutting down). */
  task: AsyncState | null;
}

/** Write members/<name>; a failure is logged, the next cycle writes it again. */
export async function publishMember(dcs: Dcs, s: MemberState): Promise<void> {
  const u = urls(s.config);
  const data = buildMemberData(
    { connUrl: u.connUrl, apiUrl: u.apiUrl, tags: s.config.tags, version: PATRONI_VERSION },
    s.snapshot,
    s.memory,
    s.task,
    s.dynamic,
  );
  const sr = s.memory.scheduledRestart;
  if (sr) data.scheduled_restart = { ...scheduledRestartJson(sr), postmaster_start_time: sr.postmasterStartTime ?? '' };
  try {
    await dcs.touchMember(data);
  } catch (e) {
    log.error('Failed to update member key: %s', e instanceof Error ? e.message : String(e));
  }
}

/** The leader's `history` key from PostgreSQL's `<TLI>.history` file, when it lags behind the timeline. */
export async function publishHistory(dcs: Dcs, config: PatroniConfig, dynamic: DynamicConfig, cluster: Cluster, snapshot: PostgresSnapshot): Promise<void> {
  const tl = snapshot.server?.timeline ?? 0;
  const update = historyUpdate(cluster.history, tl);
  if (update === 'none') return;
  if (update === 'clear') {
    await dcs.setHistoryValue('[]');
    return;
  }
  const file = join(config.postgresql.data_dir, 'pg_wal', `${tl.toString(16).toUpperCase().padStart(8, '0')}.history`);
  try {
    const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const lines = buildHistory(parseHistoryFile(text), cluster.history, isoWithOffset(st.mtime), config.name, dynamic.max_timelines_history);
    await dcs.setHistoryValue(JSON.stringify(lines));
  } catch (e) {
    log.warning('Could not update history: %s', e instanceof Error ? e.message : String(e));
  }
}
