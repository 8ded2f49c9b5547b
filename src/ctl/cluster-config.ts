// The few dynamic-config facts patronictl reads straight from the DCS `config` key (like Patroni's
// global_config.from_cluster), without the daemon's full normalisation.
import type { ClusterJsonConfig } from '../api/cluster-json.js';
import type { Cluster } from '../dcs/cluster.js';
import { isObject, parseBool, parseIntLoose, type JsonObject } from '../util/json.js';

export interface CtlClusterConfig extends ClusterJsonConfig {
  loop_wait: number;
}

export function clusterConfig(cluster: Cluster): CtlClusterConfig {
  const data: JsonObject = cluster.config && cluster.config.modifyVersion ? cluster.config.data : {};
  const mode = data.synchronous_mode;
  const standby = data.standby_cluster;
  const activeStandby =
    isObject(standby) && ['host', 'port', 'restore_command'].some((k) => standby[k] !== undefined && standby[k] !== null && standby[k] !== '');
  return {
    pause: parseBool(data.pause) === true,
    synchronous_mode: mode === 'quorum' ? 'quorum' : parseBool(mode) === true ? 'on' : 'off',
    standby_cluster: activeStandby ? standby : null,
    loop_wait: parseIntLoose(data.loop_wait) ?? 10,
  };
}
