import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { formatProblem, validateConfig, validateConfigDetailed } from '../../../src/config/validate.js';
import type { JsonObject } from '../../../src/util/json.js';
import { freePort } from '../../support/ports.js';
import { baseConfig, OFFLINE, tempDir } from '../../support/config/fixtures.js';

const report = (raw: JsonObject, opts: Parameters<typeof validateConfig>[1] = OFFLINE) => validateConfig(raw, opts).map(formatProblem);
const PG_BIN = '/usr/lib/postgresql/15/bin';

function patch(p: (c: JsonObject & { postgresql: JsonObject; restapi: JsonObject }) => void): JsonObject {
  const c = baseConfig() as JsonObject & { postgresql: JsonObject; restapi: JsonObject };
  p(c);
  return c;
}

describe('validateConfig', () => {
  test('the base config is valid', () => {
    assert.deepEqual(report(baseConfig()), []);
  });

  test('missing scope', () => {
    assert.deepEqual(
      report(
        patch((c) => {
          delete c.scope;
        }),
      ),
      ['scope  is not defined.'],
    );
  });

  test('non-numeric port names the key', () => {
    assert.deepEqual(
      report(
        patch((c) => {
          c.restapi.listen = '127.0.0.1:abc';
        }),
      ),
      ["restapi.listen 127.0.0.1:abc didn't pass validation: contains a wrong value"],
    );
    assert.deepEqual(
      report(
        patch((c) => {
          c.postgresql.connect_address = 'db1:54x';
        }),
      ),
      ["postgresql.connect_address db1:54x didn't pass validation: contains a wrong value"],
    );
    assert.deepEqual(
      report(
        patch((c) => {
          c.postgresql.listen = '127.0.0.1:70000';
        }),
      ),
      ["postgresql.listen 127.0.0.1:70000 didn't pass validation: port 70000 is out of range 1-65535"],
    );
  });

  test('two DCS sections are named; none lists every candidate', () => {
    assert.deepEqual(
      report(
        patch((c) => {
          c.etcd = { host: '127.0.0.1:2379' };
        }),
      ),
      ["Multiple of ('etcd', 'etcd3') provided"],
    );
    assert.deepEqual(
      report(
        patch((c) => {
          delete c.etcd3;
        }),
      ),
      ['consul', 'etcd', 'etcd3', 'exhibitor', 'kubernetes', 'raft', 'zookeeper'].map((s) => `${s}  is not defined.`),
    );
  });

  test('required keys, types and enums', () => {
    const raw = patch((c) => {
      delete c.restapi.connect_address;
      (c.postgresql.authentication as JsonObject).replication = { password: 1 };
      c.log = { level: 'LOUD', type: 'xml', file_num: 'many' };
      c.restapi.verify_client = 'sometimes';
      c.watchdog = { mode: 'sometimes' };
      c.thread_pool_size = 4;
      c.postgresql.pg_hba = 'host all all 0.0.0.0/0 md5';
    });
    assert.deepEqual(report(raw), [
      "thread_pool_size 4 didn't pass validation: Wrong value, expected an integer >= 5",
      "log.type xml didn't pass validation: Wrong value, expected one of plain, json",
      "log.level LOUD didn't pass validation: Wrong value, expected one of DEBUG, INFO, WARN, WARNING, ERROR, FATAL, CRITICAL",
      'log.file_num many is not an integer',
      'restapi.connect_address  is not defined.',
      "restapi.verify_client sometimes didn't pass validation: Wrong value, expected one of none, optional, required",
      'postgresql.authentication.replication.username  is not defined.',
      'postgresql.authentication.replication.password 1 is not a string',
      'postgresql.pg_hba host all all 0.0.0.0/0 md5 is not a list',
      "watchdog.mode sometimes didn't pass validation: Wrong value",
    ]);
  });

  test('bootstrap.dcs ranges and synchronous_mode', () => {
    const raw = patch((c) => {
      c.bootstrap = { dcs: { ttl: 5, loop_wait: 0, retry_timeout: 2, member_slots_ttl: '30min', synchronous_mode: 'maybe' } };
    });
    assert.deepEqual(report(raw), [
      "bootstrap.dcs.ttl 5 didn't pass validation: Wrong value, expected an integer >= 6",
      "bootstrap.dcs.loop_wait 0 didn't pass validation: Wrong value, expected an integer >= 1",
      "bootstrap.dcs.retry_timeout 2 didn't pass validation: Wrong value, expected an integer >= 3",
      "bootstrap.dcs.synchronous_mode maybe didn't pass validation: Wrong value",
    ]);
    for (const mode of [true, 'on', 'quorum', 'off']) {
      assert.deepEqual(
        report(
          patch((c) => {
            c.bootstrap = { dcs: { synchronous_mode: mode } };
          }),
        ),
        [],
        String(mode),
      );
    }
  });

  test('at most one of nofailover/failover_priority and nosync/sync_priority', () => {
    const raw = patch((c) => {
      c.tags = { nofailover: true, failover_priority: 1, nosync: false, sync_priority: 2 };
    });
    assert.deepEqual(report(raw), ["tags  Multiple of ('nofailover', 'failover_priority') provided", "tags  Multiple of ('nosync', 'sync_priority') provided"]);
    assert.deepEqual(
      report(
        patch((c) => {
          c.tags = { failover_priority: -1 };
        }),
      ),
      ["tags.failover_priority -1 didn't pass validation: Wrong value, expected an integer >= 0"],
    );
  });

  test('reserved member name', () => {
    assert.deepEqual(
      report(
        patch((c) => {
          c.name = '__patroni_strict_sync_replica_placeholder__';
        }),
      ),
      ["name __patroni_strict_sync_replica_placeholder__ didn't pass validation: __patroni_strict_sync_replica_placeholder__ is a reserved name"],
    );
  });

  test('loopback connect addresses are warnings, wildcards are problems', () => {
    const { problems, warnings } = validateConfigDetailed(
      patch((c) => {
        c.postgresql.connect_address = '0.0.0.0:5432';
      }),
      OFFLINE,
    );
    assert.deepEqual(problems.map(formatProblem), [
      'postgresql.connect_address 0.0.0.0:5432 didn\'t pass validation: must not contain "127.0.0.1", "0.0.0.0", "*", "::1", "localhost"',
    ]);
    assert.deepEqual(
      warnings.map((w) => w.path),
      ['restapi.connect_address'],
    );
  });
});

describe('validateConfig probes', () => {
  const server = createServer();
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('listen port already in use, unless ignored', async () => {
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      }),
    );
    const raw = baseConfig({ apiPort: port });
    assert.deepEqual(report(raw, { checkReachability: false }), [`restapi.listen 127.0.0.1:${port} didn't pass validation: Port ${port} is already in use.`]);
    assert.deepEqual(report(raw, { checkReachability: false, ignoreListenPort: true }), []);
  });

  test('unreachable DCS host', async () => {
    const port = await freePort();
    const raw = patch((c) => {
      c.etcd3 = { hosts: [`127.0.0.1:${port}`] };
    });
    assert.deepEqual(report(raw, { ignoreListenPort: true }), [`etcd3.hosts.0 127.0.0.1:${port} didn't pass validation: 127.0.0.1:${port} is not reachable`]);
  });

  test('bin_dir must exist and hold the binaries', () => {
    const dir = tempDir();
    try {
      assert.deepEqual(
        report(
          patch((c) => {
            c.postgresql.bin_dir = '/nonexistent/bin';
          }),
        ),
        ["postgresql.bin_dir  Directory '/nonexistent/bin' does not exist."],
      );
      for (const b of ['pg_ctl', 'initdb', 'pg_controldata', 'pg_basebackup', 'postgres']) {
        writeFileSync(join(dir.path, b), '#!/bin/sh\n');
        chmodSync(join(dir.path, b), 0o755);
      }
      assert.deepEqual(
        report(
          patch((c) => {
            c.postgresql.bin_dir = dir.path;
          }),
        ),
        [`postgresql.bin_dir  does not contain 'pg_isready' in '${dir.path}'`],
      );
      assert.deepEqual(
        report(
          patch((c) => {
            c.postgresql.bin_dir = PG_BIN;
          }),
        ),
        [],
      );
    } finally {
      dir.remove();
    }
  });

  test('data_dir must be empty or a data directory of the installed major version', () => {
    const dir = tempDir();
    try {
      const data = join(dir.path, 'data');
      const withData = patch((c) => {
        c.postgresql.data_dir = data;
        c.postgresql.bin_dir = PG_BIN;
      });
      mkdirSync(data);
      assert.deepEqual(report(withData), []);
      writeFileSync(join(data, 'junk'), 'x');
      assert.deepEqual(report(withData), [`postgresql.data_dir ${data} didn't pass validation: doesn't look like a valid data directory`]);
      writeFileSync(join(data, 'PG_VERSION'), '14\n');
      assert.deepEqual(report(withData), [
        `postgresql.data_dir ${data} didn't pass validation: data dir for the cluster is not empty, but doesn't contain "pg_wal" directory`,
      ]);
      mkdirSync(join(data, 'pg_wal'));
      assert.deepEqual(report(withData), [
        `postgresql.data_dir ${data} didn't pass validation: data_dir directory postgresql version (14) doesn't match with 'postgres --version' output (15)`,
      ]);
      assert.deepEqual(validateConfig(withData, { ...OFFLINE, checkDataDir: false }), []);
      writeFileSync(join(data, 'PG_VERSION'), '15\n');
      assert.deepEqual(report(withData), []);
    } finally {
      dir.remove();
    }
  });
});
