// Per-node Patroni YAML for test clusters (pure: ports and paths come in, a JsonObject goes out).
// The same document is read by Debian's Patroni and by patroni-ts.
import { join } from 'node:path';
import { mergePatch, type JsonObject } from '../../../src/util/json.js';

export const PG_BIN_DIR = '/usr/lib/postgresql/15/bin';
export const SUPERUSER = { username: 'postgres', password: 'postgres' } as const;
export const REPLICATION = { username: 'replicator', password: 'rep-pass' } as const;

export interface Timing {
  ttl: number;
  loopWait: number;
  retryTimeout: number;
}

export interface NodeLayout {
  name: string;
  dir: string; // node directory: data/, pgpass, config, log live here
  restPort: number;
  pgPort: number;
}

export interface ClusterLayout {
  scope: string;
  etcdHostPort: string; // 127.0.0.1:PORT
  timing: Timing;
  dcs: JsonObject; // extra bootstrap.dcs keys
}

export const dataDirOf = (nodeDir: string): string => join(nodeDir, 'data');

export function nodeConfig(cluster: ClusterLayout, node: NodeLayout, overrides: JsonObject = {}): JsonObject {
  const { ttl, loopWait, retryTimeout } = cluster.timing;
  const base: JsonObject = {
    scope: cluster.scope,
    name: node.name,
    log: { level: 'INFO' },
    restapi: { listen: `127.0.0.1:${node.restPort}`, connect_address: `127.0.0.1:${node.restPort}` },
    etcd3: { hosts: [cluster.etcdHostPort] },
    bootstrap: {
      dcs: mergePatch(
        {
          ttl,
          loop_wait: loopWait,
          retry_timeout: retryTimeout,
          maximum_lag_on_failover: 1048576,
          postgresql: {
            use_pg_rewind: true,
            use_slots: true,
            // Protected parameters are only honoured from the DCS, so the memory-saving ones live here.
            parameters: { max_connections: 50, max_wal_senders: 10, max_replication_slots: 10, wal_keep_size: '64MB' },
          },
        },
        cluster.dcs,
      ),
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, 'data-checksums'],
    },
    postgresql: {
      listen: `127.0.0.1:${node.pgPort}`,
      connect_address: `127.0.0.1:${node.pgPort}`,
      data_dir: dataDirOf(node.dir),
      bin_dir: PG_BIN_DIR,
      pgpass: join(node.dir, 'pgpass'),
      authentication: { superuser: { ...SUPERUSER }, replication: { ...REPLICATION } },
      pg_hba: [
        'local all all trust',
        'local replication all trust',
        `host replication ${REPLICATION.username} 127.0.0.1/32 md5`,
        'host all all 127.0.0.1/32 md5',
      ],
      parameters: {
        shared_buffers: '16MB',
        // The node dir, not /var/run/postgresql: needs no system setup and never collides.
        unix_socket_directories: node.dir,
        fsync: 'off',
      },
    },
    tags: {},
  };
  return mergePatch(base, overrides);
}
