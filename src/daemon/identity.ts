// This node's published URLs.
import type { PatroniConfig } from '../config/types.js';

export function urls(cfg: PatroniConfig): { apiUrl: string; connUrl: string } {
  const scheme = cfg.restapi.certfile ? 'https' : 'http';
  return {
    apiUrl: `${scheme}://${cfg.restapi.connect_address}/patroni`,
    connUrl: `postgres://${cfg.postgresql.connect_address}/${cfg.postgresql.database}`,
  };
}
