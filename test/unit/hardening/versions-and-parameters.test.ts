// Issue 13 items 5 and 11: server versions refused by name; every version-dependent builder per
// major version 12 to 17; parameters checked as Patroni's validator checks them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPrimaryConninfo } from '../../../src/postgresql/conninfo.js';
import { parseDescribeConfig, validateParameter } from '../../../src/postgresql/gucs.js';
import { serverParameters } from '../../../src/postgresql/parameters.js';
import { buildRecoveryParams } from '../../../src/postgresql/recovery.js';
import { checkServerVersion, majorVersionName } from '../../../src/postgresql/versions.js';

describe('server versions', () => {
  test('12 to 17 are supported; others refused with a message naming the version', () => {
    for (const v of [120000, 120022, 130000, 140011, 150008, 160004, 170002]) assert.equal(checkServerVersion(v).kind, 'supported', String(v));
    assert.equal(checkServerVersion(0).kind, 'unknown');
    assert.deepEqual(checkServerVersion(110000), {
      kind: 'unsupported',
      message: 'PostgreSQL 11 is not supported by patroni-ts: supported major versions are 12 to 17',
    });
    assert.match((checkServerVersion(90624) as { message: string }).message, /^PostgreSQL 9\.6 is not supported/);
    assert.match((checkServerVersion(180000) as { message: string }).message, /^PostgreSQL 18 is not supported/);
    assert.equal(majorVersionName(90600), '9.6');
  });
});

const MAJORS = [12, 13, 14, 15, 16, 17] as const;
const conninfoKeys = (major: number): string[] =>
  Object.keys(
    buildPrimaryConninfo({
      host: 'h',
      port: 5432,
      auth: { username: 'rep', password: 'p' },
      applicationName: 'n',
      database: 'postgres',
      majorVersion: major * 10000,
      pgpass: '/p',
    }).params,
  ).sort();

describe('version-dependent builders, per major version', () => {
  const expected: Record<number, { walKeep: string; conninfoExtra: string[] }> = {
    12: { walKeep: 'wal_keep_segments', conninfoExtra: [] },
    13: { walKeep: 'wal_keep_size', conninfoExtra: ['channel_binding'] },
    14: { walKeep: 'wal_keep_size', conninfoExtra: ['channel_binding'] },
    15: { walKeep: 'wal_keep_size', conninfoExtra: ['channel_binding'] },
    16: { walKeep: 'wal_keep_size', conninfoExtra: ['channel_binding'] },
    17: { walKeep: 'wal_keep_size', conninfoExtra: ['channel_binding', 'sslnegotiation'] },
  };
  for (const major of MAJORS) {
    test(`PostgreSQL ${major}`, () => {
      const v = major * 10000;
      const { main } = serverParameters({
        scope: 's',
        listenHosts: ['*'],
        port: 5432,
        configDir: '/c',
        majorVersion: v,
        local: {},
        dynamic: { wal_keep_size: '256MB' },
      });
      const e = expected[major];
      assert.ok(e);
      assert.ok(e.walKeep in main, `${e.walKeep} in ${Object.keys(main).join(',')}`);
      assert.equal(main[e.walKeep === 'wal_keep_size' ? 'wal_keep_segments' : 'wal_keep_size'], undefined);
      if (major === 12) assert.equal(main.wal_keep_segments, '16');
      const rec = buildRecoveryParams({ majorVersion: v, extras: { trigger_file: '/t' }, primaryConninfo: null, slotName: null });
      assert.equal(rec.promote_trigger_file, '/t'); // PG12+ name
      assert.equal(rec.trigger_file, undefined);
      assert.equal(rec.recovery_target, '');
      const keys = conninfoKeys(major);
      for (const k of ['channel_binding', 'sslnegotiation']) assert.equal(keys.includes(k), e.conninfoExtra.includes(k), `${k} on ${major}`);
      assert.ok(keys.includes('gssencmode') && keys.includes('passfile'));
      assert.equal(keys.includes('sslcrldir'), false); // only when configured, and then 14+
    });
  }
});

const DESCRIBE = [
  'archive_mode\tpostmaster\tWAL\tENUM\toff\t\t\tAllows archiving\t',
  'max_connections\tpostmaster\tConn\tINTEGER\t100\t1\t262143\tSets the maximum\t',
  'shared_buffers\tpostmaster\tMem\tINTEGER\t1024\t16\t1073741823\tSets buffers\t',
  'hot_standby\tpostmaster\tRep\tBOOLEAN\ton\t\t\tAllows queries\t',
  'random_page_cost\tuser\tQuery\tREAL\t4\t0\t1.79769e+308\tSets cost\t',
  'application_name\tuser\tLog\tSTRING\t\t\t\tSets name\t',
].join('\n');

describe("parameters checked like Patroni's validator (postgres --describe-config)", () => {
  const gucs = parseDescribeConfig(DESCRIBE);
  test('describe-config is parsed into types and ranges', () => {
    assert.deepEqual(gucs.get('max_connections'), { type: 'integer', min: 1, max: 262143 });
    assert.deepEqual(gucs.get('archive_mode'), { type: 'enum', min: null, max: null });
  });
  const cases: Array<[string, string, string | null, RegExp | null]> = [
    ['max_connections', '200', '200', null],
    ['max_conections', '200', null, /^Removing unexpected parameter=max_conections value=200 from the config$/],
    ['hot_standby', 'perhaps', null, /^Removing bool parameter=hot_standby from the config due to the invalid value=perhaps$/],
    ['max_connections', 'lots', null, /^Removing integer parameter=max_connections from the config due to the invalid value=lots$/],
    ['max_connections', '1.5', null, /^Removing integer parameter=max_connections/],
    ['max_connections', '999999', '262143', /^Value=999999 of parameter=max_connections is too big, decreasing to 262143$/],
    ['shared_buffers', '8', '16', /too low, increasing to 16$/],
    ['shared_buffers', '128MB', '128MB', null],
    ['shared_buffers', '128 parsecs', null, /^Removing integer parameter=shared_buffers/],
    ['random_page_cost', '1.1', '1.1', null],
    ['pg_stat_statements.track', 'all', 'all', null],
    ['application_name', 'anything at all', 'anything at all', null],
  ];
  for (const [name, value, kept, warning] of cases) {
    test(`${name}=${value}`, () => {
      const r = validateParameter(name, value, gucs);
      assert.equal(r.value, kept);
      if (warning) assert.match(r.warning ?? '', warning);
      else assert.equal(r.warning, null);
    });
  }
  test('serverParameters drops what the server does not know before it reaches postgresql.conf', () => {
    const { main } = serverParameters({
      scope: 's',
      listenHosts: ['*'],
      port: 5432,
      configDir: '/c',
      majorVersion: 150000,
      gucs,
      local: { not_a_guc: 'x' },
      dynamic: { max_connections: 100, also_bogus: 1, hot_standby: 'on' },
    });
    assert.equal(main.not_a_guc, undefined);
    assert.equal(main.also_bogus, undefined);
    assert.equal(main.max_connections, '100');
  });
});
