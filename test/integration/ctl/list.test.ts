// patronictl list/topology/show-config/history/dsn against a real etcd, compared with Debian's
// patronictl 3.0.2 where their outputs are meant to agree.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Etcd3Client } from '../../../src/dcs/etcd3-client.js';
import { putBody } from '../../../src/dcs/etcd3-kv.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { makeTempDir } from '../../support/tmp.js';
import { freePort } from '../../support/ports.js';

const run = promisify(execFile);
const SCOPE = 'batman';
const LSN = 0x40000e8;

const KEYS: Record<string, string> = {
  initialize: '7277694203142172922',
  config: JSON.stringify({ ttl: 30, loop_wait: 10, postgresql: { parameters: { max_connections: 100 } } }),
  leader: 'postgresql0',
  status: JSON.stringify({ optime: LSN + 3 * 1048576 }),
  history: JSON.stringify([[1, 24392648, 'no recovery target specified', '2023-09-11T22:11:27.125527+00:00', 'postgresql0']]),
  'members/postgresql0': JSON.stringify({
    conn_url: 'postgres://127.0.0.1:5432/postgres',
    api_url: 'http://127.0.0.1:8008/patroni',
    state: 'running',
    role: 'primary',
    version: '4.1.4',
    timeline: 2,
    xlog_location: LSN + 3 * 1048576,
  }),
  'members/postgresql1': JSON.stringify({
    conn_url: 'postgres://127.0.0.1:5433/postgres',
    api_url: 'http://127.0.0.1:8009/patroni',
    state: 'running',
    role: 'replica',
    version: '4.1.4',
    timeline: 2,
    replication_state: 'streaming',
    receive_lsn: LSN,
    replay_lsn: LSN,
    xlog_location: LSN,
  }),
  'members/postgresql2': JSON.stringify({
    conn_url: 'postgres://127.0.0.1:5434/postgres',
    api_url: 'http://127.0.0.1:DEAD_PORT/patroni',
    state: 'stopped',
    role: 'replica',
    version: '4.1.4',
  }),
};

/** Run our patronictl; `args` include the global options. */
async function ours(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/ctl/main.ts', ...args], { env: { ...process.env, PATRONICTL_CONFIG_FILE: '' } });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

/** Debian's patronictl 3.0.2 knows no etcd3:// URL: it reads the same cluster through a config file. */
async function debian(configFile: string, ...args: string[]): Promise<string> {
  return (await run('/usr/bin/patronictl', ['-c', configFile, ...args], { env: { ...process.env, HOME: '/nonexistent' } })).stdout;
}

/** Member / Role / State cells of a pretty table, one array per data row. */
function cells(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Member'))
    .map((l) => {
      const c = l.split('|').map((x) => x.trim());
      return [c[1] ?? '', c[3] ?? '', c[4] ?? ''];
    });
}

describe('patronictl read commands against etcd', () => {
  let etcd: EtcdServer;
  let dcs: string;
  let configFile: string;
  const dir = makeTempDir('ctl');
  before(async () => {
    etcd = await startEtcd();
    dcs = `etcd3://${etcd.hostPort}`;
    configFile = join(dir.path, 'patronictl.yaml');
    writeFileSync(configFile, `scope: ${SCOPE}\netcd3:\n  hosts: ${etcd.hostPort}\n`);
    const client = new Etcd3Client({ hosts: [etcd.hostPort], protocol: 'http', retryTimeout: 10, ttl: 30 });
    try {
      // A port nobody listens on, so `version` meets a refused connection (fixed ports may be taken by other tests).
      const dead = String(await freePort());
      for (const [k, v] of Object.entries(KEYS)) await client.call('/kv/put', putBody(`/service/${SCOPE}/${k}`, v.replace('DEAD_PORT', dead)));
    } finally {
      client.close();
    }
  });
  after(async () => {
    await etcd.stop();
    dir.remove();
  });

  test('list matches the expected table and agrees with Debian patronictl on member/role/state', async () => {
    const r = await ours('--dcs-url', dcs, 'list', SCOPE);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        '+ Cluster: batman (7277694203142172922) -+-----------+----+-------------+-----+------------+-----+',
        '| Member      | Host           | Role    | State     | TL | Receive LSN | Lag | Replay LSN | Lag |',
        '+-------------+----------------+---------+-----------+----+-------------+-----+------------+-----+',
        '| postgresql0 | 127.0.0.1:5432 | Leader  | running   |  2 |             |     |            |     |',
        '| postgresql1 | 127.0.0.1:5433 | Replica | streaming |  2 |   0/40000E8 |   3 |  0/40000E8 |   3 |',
        '| postgresql2 | 127.0.0.1:5434 | Replica | stopped   |    |     unknown |     |    unknown |     |',
        '+-------------+----------------+---------+-----------+----+-------------+-----+------------+-----+',
        '',
      ].join('\n'),
    );
    const theirs = cells(await debian(configFile, 'list', SCOPE));
    const mine = cells(r.stdout);
    assert.deepEqual(
      mine.map((c) => c.slice(0, 2)),
      theirs.map((c) => c.slice(0, 2)),
    );
    // 3.0 shows `state` where 4.1 prefers `replication_state` (postgresql1): compare the others.
    assert.deepEqual([mine[0]?.[2], mine[2]?.[2]], [theirs[0]?.[2], theirs[2]?.[2]]);
    // The config file route (scope from the file) gives the same table.
    assert.equal((await ours('-c', configFile, 'list')).stdout, r.stdout);
  });

  test('json, topology, show-config, history, dsn', async () => {
    const json = JSON.parse((await ours('--dcs-url', dcs, 'list', SCOPE, '-f', 'json')).stdout) as { Member: string }[];
    assert.deepEqual(
      json.map((m) => m.Member),
      ['postgresql0', 'postgresql1', 'postgresql2'],
    );
    assert.match((await ours('--dcs-url', dcs, 'topology', SCOPE)).stdout, /\| \+ postgresql1 \|/);
    const cfg = await ours('--dcs-url', dcs, 'show-config', SCOPE);
    assert.equal(cfg.stdout, 'loop_wait: 10\npostgresql:\n  parameters:\n    max_connections: 100\nttl: 30\n\n');
    assert.equal(cfg.stdout, await debian(configFile, 'show-config', SCOPE));
    const hist = await ours('--dcs-url', dcs, 'history', SCOPE);
    assert.equal(
      hist.stdout,
      [
        '+----+----------+------------------------------+----------------------------------+-------------+',
        '| TL |      LSN | Reason                       | Timestamp                        | New Leader  |',
        '+----+----------+------------------------------+----------------------------------+-------------+',
        '|  1 | 24392648 | no recovery target specified | 2023-09-11T22:11:27.125527+00:00 | postgresql0 |',
        '+----+----------+------------------------------+----------------------------------+-------------+',
        '',
      ].join('\n'),
    );
    assert.equal((await ours('--dcs-url', dcs, 'dsn', SCOPE)).stdout, 'host=127.0.0.1 port=5432\n');
    assert.equal((await ours('--dcs-url', dcs, 'dsn', SCOPE, '-m', 'postgresql2')).stdout, 'host=127.0.0.1 port=5434\n');
    const none = await ours('--dcs-url', dcs, 'dsn', SCOPE, '-m', 'nobody');
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'Error: Can not find a suitable member\n');
  });

  test('version reports unreachable members', async () => {
    const r = await ours('--dcs-url', dcs, 'version', SCOPE, 'postgresql2');
    assert.match(r.stdout, /^patronictl version 4\.1\.4\n\npostgresql2: failed to get version: /);
  });

  test('an uninitialized cluster', async () => {
    const r = await ours('--dcs-url', dcs, 'list', 'nobody');
    assert.equal(r.stdout.split('\n')[0], '+ Cluster: nobody (uninitialized) --+-------------+-----+------------+-----+');
  });
});
