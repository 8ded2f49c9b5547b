import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnvConfig } from '../../../src/config/env.js';
import { loadRawConfig } from '../../../src/config/loader.js';
import { tempDir } from '../../support/config/fixtures.js';

describe('PATRONI_* environment overlay', () => {
  test('scalar globals and sections', () => {
    const { config, consumed } = buildEnvConfig({
      PATRONI_NAME: 'pg1',
      PATRONI_SCOPE: 'batman',
      PATRONI_NAMESPACE: '/ns',
      PATRONI_RESTAPI_LISTEN: '0.0.0.0:8008',
      PATRONI_RESTAPI_CONNECT_ADDRESS: '10.0.0.1:8008',
      PATRONI_POSTGRESQL_DATA_DIR: '/data/pg',
      PATRONI_POSTGRESQL_BIN_PG_CTL: '/opt/pg_ctl',
      PATRONI_RESTAPI_USERNAME: 'admin',
      PATRONI_RESTAPI_PASSWORD: 'pw',
      PATH: '/usr/bin',
    });
    assert.equal(config.name, 'pg1');
    assert.equal(config.scope, 'batman');
    assert.equal(config.namespace, '/ns');
    assert.deepEqual(config.restapi, { listen: '0.0.0.0:8008', connect_address: '10.0.0.1:8008', authentication: { username: 'admin', password: 'pw' } });
    assert.deepEqual(config.postgresql, { data_dir: '/data/pg', bin_name: { pg_ctl: '/opt/pg_ctl' } });
    assert.ok(consumed.includes('PATRONI_NAME'));
    assert.ok(!consumed.includes('PATH'));
  });

  test('superuser / replication credentials go under postgresql.authentication', () => {
    const { config } = buildEnvConfig({
      PATRONI_SUPERUSER_USERNAME: 'postgres',
      PATRONI_SUPERUSER_PASSWORD: 'zalando',
      PATRONI_REPLICATION_USERNAME: 'rep',
      PATRONI_REPLICATION_SSLMODE: 'require',
    });
    assert.deepEqual(config.postgresql, {
      authentication: { superuser: { username: 'postgres', password: 'zalando' }, replication: { username: 'rep', sslmode: 'require' } },
    });
  });

  const hostCases: Array<[string, string[]]> = [
    ['127.0.0.1:2379,127.0.0.1:2380', ['127.0.0.1:2379', '127.0.0.1:2380']],
    ["'127.0.0.1:2379', '127.0.0.1:2380'", ['127.0.0.1:2379', '127.0.0.1:2380']],
    ['[10.0.0.1:2379]', ['10.0.0.1:2379']],
    ['- a:2379\n- b:2379', ['a:2379', 'b:2379']],
  ];
  for (const [input, expected] of hostCases) {
    test(`PATRONI_ETCD3_HOSTS=${JSON.stringify(input)} is a list`, () => {
      const { config } = buildEnvConfig({ PATRONI_ETCD3_HOSTS: input });
      assert.deepEqual(config.etcd3, { hosts: expected });
    });
  }

  test('generic DCS values are typed; etcd credentials only join an existing section', () => {
    const { config } = buildEnvConfig({
      PATRONI_ETCD3_PORT: '2379',
      PATRONI_ETCD3_USE_PROXIES: 'true',
      PATRONI_ETCD3_USERNAME: 'u',
      PATRONI_ETCD3_PASSWORD: 'p',
      PATRONI_ETCD_USERNAME: 'alone',
      PATRONI_KUBERNETES_LABELS: 'app: patroni',
      PATRONI_CITUS_GROUP: '1',
      PATRONI_CITUS_DATABASE: 'citus',
      PATRONI_CITUS_HOST: 'ignored',
    });
    assert.deepEqual(config.etcd3, { port: 2379, use_proxies: true, username: 'u', password: 'p' });
    assert.equal(config.etcd, undefined);
    assert.deepEqual(config.kubernetes, { labels: { app: 'patroni' } });
    assert.deepEqual(config.citus, { group: 1, database: 'citus' });
  });

  test('log values: ints, bools, legacy names, format list; empty and unparsable dropped', () => {
    const { config } = buildEnvConfig({
      PATRONI_LOGLEVEL: 'DEBUG',
      PATRONI_LOG_FILE_NUM: '10',
      PATRONI_LOG_FILE_SIZE: 'big',
      PATRONI_LOG_DEDUPLICATE_HEARTBEAT_LOGS: 'on',
      PATRONI_LOG_FORMAT: 'message, levelname',
      PATRONI_LOG_DIR: '',
    });
    assert.deepEqual(config.log, { level: 'DEBUG', format: ['message', 'levelname'], file_num: 10, deduplicate_heartbeat_logs: true });
  });

  test('env vars are merged over the file; PATRONI_CONFIGURATION replaces env vars when no file', () => {
    const dir = tempDir();
    try {
      const file = dir.write('p.yml', 'scope: fromfile\nname: n1\nrestapi:\n  listen: 1.2.3.4:8008\n  connect_address: 1.2.3.4:8008\n');
      const raw = loadRawConfig(file, { PATRONI_SCOPE: 'fromenv', PATRONI_RESTAPI_LISTEN: '5.6.7.8:8008' });
      assert.equal(raw.scope, 'fromenv');
      assert.equal(raw.name, 'n1');
      assert.deepEqual(raw.restapi, { listen: '5.6.7.8:8008', connect_address: '1.2.3.4:8008' });

      const fromVar = loadRawConfig(undefined, { PATRONI_CONFIGURATION: 'scope: whole\nname: w1\n', PATRONI_NAME: 'ignored' });
      assert.deepEqual(fromVar, { scope: 'whole', name: 'w1' });
      assert.deepEqual(loadRawConfig(undefined, { PATRONI_NAME: 'only' }), { name: 'only' });
    } finally {
      dir.remove();
    }
  });
});
