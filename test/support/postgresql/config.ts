// PatroniConfig / DynamicConfig fixtures for PostgreSQL-layer tests (no config loader involved).
import { join } from 'node:path';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import type { DynamicConfig, PatroniConfig, PostgresqlConfig } from '../../../src/config/types.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/logger.js';
import { restApiConfig } from '../api/fixtures.js';
import type { JsonObject } from '../../../src/util/json.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Patroni's dynamic-config defaults (buildDynamicConfig owns them), then `overrides`. */
export function testDynamic(overrides: Partial<DynamicConfig> = {}): DynamicConfig {
  return { ...buildDynamicConfig({}), ...overrides };
}

export interface NodeFixture {
  name: string;
  dir: string;
  port: number;
  pg?: Partial<PostgresqlConfig>;
  parameters?: JsonObject;
}

export function testConfig(n: NodeFixture): PatroniConfig {
  const dataDir = join(n.dir, 'data');
  const postgresql: PostgresqlConfig = {
    listen: { hosts: ['127.0.0.1'], port: n.port },
    connect_address: `127.0.0.1:${n.port}`,
    data_dir: dataDir,
    config_dir: dataDir,
    bin_dir: PG_BIN,
    bin_name: {},
    pgpass: join(n.dir, 'pgpass'),
    database: 'postgres',
    authentication: {
      superuser: { username: 'postgres', password: 'zalando' },
      replication: { username: 'replicator', password: "rep-pass:with\\odd'chars" },
      rewind: { username: 'rewind_user', password: 'rewind' },
    },
    parameters: { unix_socket_directories: n.dir, ...(n.parameters ?? {}) },
    pg_hba: ['local all all trust', 'host replication replicator 127.0.0.1/32 scram-sha-256', 'host all all 127.0.0.1/32 scram-sha-256'],
    use_unix_socket: false,
    use_unix_socket_repl: false,
    remove_data_directory_on_rewind_failure: false,
    remove_data_directory_on_diverged_timelines: false,
    pg_ctl_timeout: 60,
    create_replica_methods: ['basebackup'],
    callbacks: {},
    raw: {},
    ...(n.pg ?? {}),
  };
  return {
    scope: 'batman',
    namespace: '/service/',
    name: n.name,
    log: DEFAULT_LOG_CONFIG,
    restapi: restApiConfig({ listen: { host: '127.0.0.1', port: 8008 }, connect_address: '127.0.0.1:8008' }),
    ctl: { insecure: false },
    dcs: { kind: 'etcd3', hosts: ['127.0.0.1:2379'], protocol: 'http', use_proxies: false },
    bootstrap: { dcs: {}, method: 'initdb', initdb: [{ encoding: 'UTF8' }, 'data-checksums'], pg_hba: [], raw: {} },
    postgresql,
    tags: {},
    watchdog: { mode: 'off', device: '/dev/watchdog', safety_margin: 5, driver: 'default' },
    raw: {},
  };
}
