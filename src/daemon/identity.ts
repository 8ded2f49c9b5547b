// Who this node is: its published URLs, and the identity decide() reads from the local config.
import type { DynamicConfig, PatroniConfig } from '../config/types.js';
import type { NodeIdentity } from '../ha/core/input.js';
import { worksWithoutLeader } from '../scripts/commands.js';
import { isObject } from '../util/json.js';

export function urls(cfg: PatroniConfig): { apiUrl: string; connUrl: string } {
  const scheme = cfg.restapi.certfile ? 'https' : 'http';
  return {
    apiUrl: `${scheme}://${cfg.restapi.connect_address}/patroni`,
    connUrl: `postgres://${cfg.postgresql.connect_address}/${cfg.postgresql.database}`,
  };
}

/** Who this node is for decide(), from the config as last (re)loaded. */
export function nodeIdentity(config: PatroniConfig, dynamic: DynamicConfig): NodeIdentity {
  const u = urls(config);
  return {
    name: config.name,
    tags: config.tags,
    apiUrl: u.apiUrl,
    connUrl: u.connUrl,
    // Only a node whose local config has a bootstrap section may initialise a new cluster.
    canBootstrap: 'bootstrap' in config.raw,
    usePgRewind: dynamic.use_pg_rewind,
    removeDataDirOnDivergedTimelines: config.postgresql.remove_data_directory_on_diverged_timelines,
    removeDataDirOnRewindFailure: config.postgresql.remove_data_directory_on_rewind_failure,
    replicaMethods: config.postgresql.create_replica_methods,
    // Any postgresql.<method> section may be named by standby_cluster.create_replica_methods too.
    noLeaderMethods: Object.entries(config.postgresql.raw)
      .filter(([m, v]) => isObject(v) && worksWithoutLeader(m, v))
      .map(([m]) => m),
  };
}
