import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, loadRawConfig, normalizeConfig } from '../../../src/config/loader.js';
import type { JsonObject } from '../../../src/util/json.js';
import { baseConfig, tempDir } from '../../support/config/fixtures.js';
import { isRoot } from '../../support/skip.js';

describe('loadRawConfig', () => {
  test('a directory merges *.yml/*.yaml in sorted order, later files win, null deletes', () => {
    const dir = tempDir();
    try {
      dir.write('10-base.yml', 'scope: a\nname: n1\nrestapi:\n  listen: 1.1.1.1:8008\n  connect_address: 1.1.1.1:8008\ntags:\n  nofailover: true\n');
      dir.write('20-override.yaml', 'scope: b\nrestapi:\n  listen: 2.2.2.2:8008\ntags:\n  nofailover: null\n');
      dir.write('30-ignored.txt', 'scope: c\n');
      const raw = loadRawConfig(dir.path, {});
      assert.equal(raw.scope, 'b');
      assert.deepEqual(raw.restapi, { listen: '2.2.2.2:8008', connect_address: '1.1.1.1:8008' });
      assert.deepEqual(raw.tags, {});
    } finally {
      dir.remove();
    }
  });

  test('YAML 1.1 booleans like PyYAML (on/off/yes/no), but y/n stay strings', () => {
    const dir = tempDir();
    try {
      const file = dir.write('c.yml', 'a: on\nb: Off\nc: yes\nd: y\ne: n\n');
      assert.deepEqual(loadRawConfig(file, {}), { a: true, b: false, c: true, d: 'y', e: 'n' });
    } finally {
      dir.remove();
    }
  });

  test('missing file: ConfigError naming the path and the OS reason', () => {
    assert.throws(
      () => loadRawConfig('/nonexistent/patroni.yml', {}),
      (e: unknown) => e instanceof ConfigError && e.message === 'Cannot read configuration file /nonexistent/patroni.yml: ENOENT: no such file or directory',
    );
  });

  test('unreadable file: ConfigError naming the path and the OS reason', { skip: isRoot && 'root reads everything' }, () => {
    const dir = tempDir();
    try {
      const file = dir.write('secret.yml', 'scope: x\n');
      chmodSync(file, 0o000);
      assert.throws(() => loadRawConfig(file, {}), /Cannot read configuration file .*secret\.yml: EACCES: permission denied/);
    } finally {
      dir.remove();
    }
  });

  test('path through a non-directory: ConfigError with the OS reason (works as root too)', () => {
    assert.throws(
      () => loadRawConfig('/etc/hostname/patroni.yml', {}),
      new ConfigError('Cannot read configuration file /etc/hostname/patroni.yml: ENOTDIR: not a directory'),
    );
  });

  test('unreadable file in a directory (a directory named *.yml) is reported with its path', () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir.path, 'sub.yml'));
      dir.write('a.yml', 'scope: x\n');
      // sub.yml is a directory: skipped like Patroni (only files are read)
      assert.deepEqual(loadRawConfig(dir.path, {}), { scope: 'x' });
    } finally {
      dir.remove();
    }
  });

  test('invalid YAML: ConfigError naming the file, line and column', () => {
    const dir = tempDir();
    try {
      const file = dir.write('bad.yml', 'scope: demo\nrestapi:\n  listen: [1.2.3.4:8008\nname: x\n');
      assert.throws(
        () => loadRawConfig(file, {}),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith(`Invalid YAML in ${file} at line 4, column 1: `),
      );
    } finally {
      dir.remove();
    }
  });

  test('top level not a mapping', () => {
    const dir = tempDir();
    try {
      const file = dir.write('list.yml', '- a\n- b\n');
      assert.throws(() => loadRawConfig(file, {}), new ConfigError(`invalid config file ${file}: the top level must be a mapping, found a list`));
      assert.throws(
        () => loadRawConfig(undefined, { PATRONI_CONFIGURATION: 'just text' }),
        /invalid config file PATRONI_CONFIGURATION: the top level must be a mapping, found a string/,
      );
    } finally {
      dir.remove();
    }
  });
});

describe('loadConfig', () => {
  test('refuses an invalid config with the --validate-config report', () => {
    const dir = tempDir();
    try {
      const cfg = baseConfig();
      delete cfg.scope;
      (cfg.restapi as { listen: string }).listen = '127.0.0.1:http';
      const file = dir.write('p.yml', stringify(cfg));
      assert.throws(
        () => loadConfig(file, {}),
        new ConfigError("scope  is not defined.\nrestapi.listen 127.0.0.1:http didn't pass validation: contains a wrong value"),
      );
    } finally {
      dir.remove();
    }
  });

  test('empty config and reserved name are refused', () => {
    const dir = tempDir();
    try {
      assert.throws(() => loadConfig(dir.write('e.yml', '{}\n'), {}), new ConfigError('Config is empty.'));
      const cfg = { ...baseConfig(), name: '__patroni_strict_sync_replica_placeholder__' };
      assert.throws(() => loadConfig(dir.write('r.yml', stringify(cfg)), {}), /Can not use __patroni_strict_sync_replica_placeholder__/);
    } finally {
      dir.remove();
    }
  });

  test('a boolean tag next to its priority starts, as Patroni does (the boolean wins)', () => {
    const dir = tempDir();
    try {
      const tags = { nofailover: true, failover_priority: 5, nosync: true, sync_priority: 3 };
      const cfg = loadConfig(dir.write('t.yml', stringify({ ...baseConfig(), tags })), {});
      assert.deepEqual(cfg.tags, tags);
    } finally {
      dir.remove();
    }
  });

  test('a valid file with env overlay loads and normalises', () => {
    const dir = tempDir();
    try {
      const file = dir.write('p.yml', stringify(baseConfig()));
      const cfg = loadConfig(file, { PATRONI_NAME: 'from-env', HOME: '/home/pg' });
      assert.equal(cfg.name, 'from-env');
      assert.equal(cfg.postgresql.pgpass, '/home/pg/pgpass');
    } finally {
      dir.remove();
    }
  });
});

describe('normalizeConfig', () => {
  test('defaults', () => {
    {
      const raw = baseConfig();
      raw.restapi = { listen: '0.0.0.0:8008' };
      raw.etcd3 = { host: '10.0.0.5' };
      (raw.postgresql as Record<string, unknown>).listen = '0.0.0.0, 127.0.0.1';
      delete (raw.postgresql as Record<string, unknown>).connect_address;
      (raw.postgresql as Record<string, unknown>).create_replica_method = ['wal_e', 'basebackup'];
      (raw.postgresql as Record<string, unknown>).parameters = { max_connections: 5, work_mem: '8MB', port: 1 };
      const c = normalizeConfig(raw, { HOME: '/var/lib/postgresql' });
      assert.equal(c.namespace, 'service');
      assert.deepEqual(c.log, {
        type: 'plain',
        level: 'INFO',
        format: '%(asctime)s %(levelname)s: %(message)s',
        file_num: 4,
        file_size: 25000000,
        traceback_level: 'ERROR',
        loggers: {},
        deduplicate_heartbeat_logs: false,
        max_queue_size: 1000,
      });
      assert.deepEqual(c.restapi.listen, { host: '0.0.0.0', port: 8008 });
      assert.equal(c.restapi.connect_address, '0.0.0.0:8008');
      assert.equal(c.restapi.verify_client, 'none');
      assert.deepEqual(c.dcs, { kind: 'etcd3', hosts: ['10.0.0.5:2379'], protocol: 'http', use_proxies: false });
      assert.deepEqual(c.postgresql.listen, { hosts: ['0.0.0.0', '127.0.0.1'], port: 5432 });
      assert.equal(c.postgresql.connect_address, '127.0.0.1:5432');
      assert.equal(c.postgresql.config_dir, c.postgresql.data_dir);
      assert.equal(c.postgresql.pgpass, '/var/lib/postgresql/pgpass');
      assert.equal(c.postgresql.database, 'postgres');
      assert.equal(c.postgresql.pg_ctl_timeout, 60);
      assert.deepEqual(c.postgresql.create_replica_methods, ['wal_e', 'basebackup']);
      assert.deepEqual(c.postgresql.parameters, { work_mem: '8MB' });
      assert.deepEqual(c.postgresql.authentication.superuser, { username: 'postgres', password: 'secret' });
      assert.deepEqual(c.watchdog, { mode: 'automatic', device: '/dev/watchdog', safety_margin: 5, driver: 'default' });
      assert.equal(c.bootstrap.method, 'initdb');
    }
  });

  test('etcd3 hosts as comma string, url, log level alias, watchdog mode, callbacks', () => {
    const raw: JsonObject = {
      ...baseConfig(),
      etcd3: { hosts: 'a:1, b', protocol: 'https', username: 'u' },
      log: { level: 'warn' },
      watchdog: { mode: 'require' },
    };
    (raw.postgresql as Record<string, unknown>).callbacks = { on_start: '/bin/cb', bogus: 'x' };
    const c = normalizeConfig(raw);
    assert.deepEqual(c.dcs, { kind: 'etcd3', hosts: ['a:1', 'b:2379'], protocol: 'https', use_proxies: false, username: 'u' });
    assert.equal(c.log.level, 'WARNING');
    assert.equal(c.watchdog.mode, 'required');
    assert.deepEqual(c.postgresql.callbacks, { on_start: '/bin/cb' });
    assert.deepEqual(normalizeConfig({ ...baseConfig(), etcd3: { url: 'https://e1:4001' } }).dcs, {
      kind: 'etcd3',
      hosts: ['e1:4001'],
      protocol: 'https',
      use_proxies: false,
    });
  });

  test('bad values are ConfigErrors naming the key, never TypeErrors', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ restapi: 'nope' }, /^restapi must be a mapping$/],
      [{ restapi: { listen: '1.2.3.4:port' } }, /^restapi\.listen 1\.2\.3\.4:port: port must be a number/],
      [{ postgresql: { ...(baseConfig().postgresql as object), pg_ctl_timeout: 'soon' } }, /^postgresql\.pg_ctl_timeout must be an integer/],
      [{ etcd3: { srv_suffix: 'blue' } }, /^etcd3: one of host, hosts, url, proxy, srv must be set/],
      [{ etcd3: null }, /^Can not find suitable configuration of distributed configuration store/],
      [{ scope: ['x'] }, /^scope must be a string$/],
    ];
    for (const [patch, expected] of cases) {
      assert.throws(
        () => normalizeConfig({ ...baseConfig(), ...patch } as never),
        (e: unknown) => e instanceof ConfigError && expected.test(e.message),
      );
    }
  });
});
