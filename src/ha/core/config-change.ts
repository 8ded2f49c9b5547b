// What a new /config key means for this node (Patroni's ConfigHandler.reload_config as Ha.reload_config
// calls it each cycle): nothing, or a new dynamic configuration, with or without on_reload.
import type { ClusterConfig } from '../../dcs/cluster.js';
import type { JsonObject } from '../../util/json.js';

export interface DynamicConfigChange {
  /** The new dynamic configuration (the key's value), to build, apply and cache. */
  data: JsonObject;
  /** PostgreSQL's own settings changed: the reload fires on_reload (ttl and the like do not). */
  postgresqlChanged: boolean;
}

/** null: the key is missing, unusable or empty, or says what this node already runs with. */
export function dynamicConfigChange(current: JsonObject, key: ClusterConfig | null): DynamicConfigChange | null {
  if (!key || key.modifyVersion === 0 || Object.keys(key.data).length === 0) return null;
  if (JSON.stringify(current) === JSON.stringify(key.data)) return null;
  const postgresqlChanged = JSON.stringify(current.postgresql ?? null) !== JSON.stringify(key.data.postgresql ?? null);
  return { data: key.data, postgresqlChanged };
}
