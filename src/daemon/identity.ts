// This node's published URLs and its role as read from the data directory at start.
import type { PatroniConfig } from '../config/types.js';
import type { MemberRole } from '../dcs/cluster.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';

export function urls(cfg: PatroniConfig): { apiUrl: string; connUrl: string } {
  const scheme = cfg.restapi.certfile ? 'https' : 'http';
  return {
    apiUrl: `${scheme}://${cfg.restapi.connect_address}/patroni`,
    connUrl: `postgres://${cfg.postgresql.connect_address}/${cfg.postgresql.database}`,
  };
}

/** Patroni's get_postgres_role_from_data_directory, refined by a running server's answer. */
export function initialRole(s: PostgresSnapshot): MemberRole {
  if (s.dataDir.kind !== 'present') return 'uninitialized';
  if (s.server) return s.server.inRecovery ? 'replica' : 'primary';
  const state = s.dataDir.controlData?.clusterState ?? '';
  return state === 'in production' || state === 'shut down' ? 'primary' : 'replica';
}
