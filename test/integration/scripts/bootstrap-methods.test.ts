// Custom bootstrap and replica creation methods as Patroni runs them (issue 11), sharing one source
// cluster with WAL archiving and one base backup: replicas made by a custom method (copy the backup,
// then stream) and by basebackup after a failing first method; a no_leader replica made while no
// leader runs; a new cluster cloned by a method running pg_basebackup from the source, with
// post_bootstrap; a point-in-time restore with the production config backup-driven.yml; a failed
// custom bootstrap that leaves no initialize key and lets another node bootstrap.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pgLib from 'pg';
import { parse } from 'yaml';
import { PG_BIN_DIR, REPLICATION, SUPERUSER, startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { patronictl } from '../../support/patronictl.js';
import { mergePatch, type JsonObject } from '../../../src/util/json.js';

const skip = process.getuid?.() === 0 ? 'PostgreSQL refuses to run as root: run with npm test' : false;
// biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, run by sh
const PARSE_ARGS = 'for a in "$@"; do case "$a" in --datadir=*) d="${a#--datadir=}";; --host=*) h="${a#--host=}";; --port=*) p="${a#--port=}";; esac; done';

function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
const fileLines = (f: string): string[] => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
const count = async (n: ClusterNode, table = 't'): Promise<number> => Number((await n.sql<{ c: string }>(`SELECT count(*) AS c FROM ${table}`))[0]?.c);
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('custom bootstrap and replica creation methods', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let src: TestCluster | undefined;
  const others: TestCluster[] = [];
  let dir = '';
  let archive = '';
  let backup = '';
  let targetTime = '';
  const s = { copy: '', held: '', broken: '', clone: '', post: '', bad: '' };

  async function etcdKey(key: string): Promise<string | null> {
    const r = await fetch(`${etcd!.endpoint}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: b64(key) }) });
    const body = (await r.json()) as { kvs?: { value?: string }[] };
    return body.kvs?.[0] ? Buffer.from(body.kvs[0].value ?? '', 'base64').toString() : null;
  }

  async function newCluster(scope: string, nodes = 1): Promise<TestCluster> {
    const c = await startCluster({ impl: 'ts', nodes, etcd: etcd!, scope, startNodes: false });
    others.push(c);
    return c;
  }

  before(async () => {
    etcd = await startEtcd();
    src = await startCluster({ impl: 'ts', nodes: 4, etcd, scope: 'src', startNodes: false });
    dir = src.dir;
    archive = join(dir, 'archive');
    backup = join(dir, 'backup');
    mkdirSync(archive);
    s.copy = script(
      join(dir, 'copy_backup.sh'),
      `echo "$*" >> ${join(dir, 'copy_backup.args')}\n${PARSE_ARGS}\nmkdir -p "$d" && cp -a ${backup}/. "$d"/ && chmod 700 "$d"`,
    );
    s.held = script(
      join(dir, 'copy_held.sh'),
      `echo $$ >> ${join(dir, 'held.pids')}; while [ ! -e ${join(dir, 'go')} ]; do sleep 0.2; done; exec ${s.copy} "$@"`,
    );
    s.broken = script(join(dir, 'broken.sh'), `echo "$*" >> ${join(dir, 'broken.args')}; exit 1`);
    s.clone = script(
      join(dir, 'clone.sh'),
      `${PARSE_ARGS}\nPGPASSWORD='${REPLICATION.password}' exec ${PG_BIN_DIR}/pg_basebackup -D "$d" -X stream -c fast -h "$h" -p "$p" -U ${REPLICATION.username}`,
    );
    s.post = script(
      join(dir, 'post.sh'),
      `echo "$*" >> ${join(dir, 'post.args')}; exec ${PG_BIN_DIR}/psql "$1" -v ON_ERROR_STOP=1 -c 'CREATE TABLE post_boot (x int)'`,
    );
    s.bad = script(join(dir, 'bad.sh'), `${PARSE_ARGS}\nmkdir -p "$d" && echo half-restored > "$d/PG_VERSION"; exit 1`);
    const [n1, n2, n3, n4] = src.nodes as [ClusterNode, ClusterNode, ClusterNode, ClusterNode];
    const restore = { restore_command: `cp ${archive}/%f %p` };
    n1.writeConfig(
      mergePatch(n1.config, { bootstrap: { dcs: { postgresql: { parameters: { archive_mode: 'on', archive_command: `cp %p ${archive}/%f` } } } } }),
    );
    n2.writeConfig(mergePatch(n2.config, { postgresql: { create_replica_methods: ['broken', 'basebackup'], broken: { command: s.broken } } }));
    n3.writeConfig(
      mergePatch(n3.config, {
        postgresql: { create_replica_methods: ['copy_backup', 'basebackup'], copy_backup: { command: s.held }, recovery_conf: restore },
      }),
    );
    n4.writeConfig(
      mergePatch(n4.config, {
        tags: { nofailover: true },
        postgresql: { create_replica_methods: ['copy_backup'], copy_backup: { command: s.copy, no_leader: true }, recovery_conf: restore },
      }),
    );
    await n1.start();
    await src.waitForLeader();
    await n1.sql('CREATE TABLE t (id int primary key)');
    await n1.sql('INSERT INTO t SELECT generate_series(1, 100)');
    execFileSync(
      join(PG_BIN_DIR, 'pg_basebackup'),
      ['-D', backup, '-X', 'stream', '-c', 'fast', '-h', '127.0.0.1', '-p', String(n1.pgPort), '-U', REPLICATION.username],
      { env: { ...process.env, PGPASSWORD: REPLICATION.password }, stdio: 'pipe' },
    );
    await n1.sql('INSERT INTO t SELECT generate_series(101, 200)');
    targetTime = String((await n1.sql<{ t: string }>("SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.US TZH') AS t"))[0]?.t);
    await n1.sql('INSERT INTO t SELECT generate_series(201, 300)');
    const [{ w }] = (await n1.sql<{ w: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS w')) as [{ w: string }];
    await src.waitUntil(`${w} archived`, async () => (existsSync(join(archive, w)) ? true : undefined), 60_000);
  });
  after(async () => {
    for (const c of others) await c.remove();
    await src?.remove();
    await etcd?.stop();
  });

  test('replica methods in order: a failing method falls back to basebackup; a custom method copies the backup, then streams', async () => {
    const c = src!;
    const [n1, n2, n3] = c.nodes as [ClusterNode, ClusterNode, ClusterNode];
    await n2.start();
    await n3.start();
    // Long work is visible while it runs: the member's state in patronictl list.
    await c.waitUntil(
      `${n3.name} shown as creating replica`,
      async () => {
        const r = patronictl(c, ['list', 'src', '--format', 'json']);
        const rows = r.status === 0 ? (JSON.parse(r.stdout) as { Member: string; State: string }[]) : [];
        return rows.some((m) => m.Member === n3.name && m.State === 'creating replica') ? true : undefined;
      },
      60_000,
    );
    // reinit --force cancels the running method (Ha.reinitialize): the held script is killed.
    patronictl(c, ['reinit', 'src', n3.name, '--force']);
    const [first] = fileLines(join(dir, 'held.pids')).map(Number);
    await c.waitUntil(
      'the first held method killed',
      async () => {
        try {
          process.kill(first!, 0);
          return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${first}/stat`, 'utf8')) ? true : undefined;
        } catch {
          return true;
        }
      },
      60_000,
    );
    await c.waitUntil('the method started again', async () => (fileLines(join(dir, 'held.pids')).length >= 2 ? true : undefined), 60_000);
    writeFileSync(join(dir, 'go'), '');
    await c.waitForReplicasStreaming(2);
    assert.match(n2.logTail(300), /Error creating replica using method broken: .*broken\.sh exited with code=1/);
    assert.match(n2.logTail(300), /replica has been created using basebackup/);
    assert.match(n3.logTail(300), /replica has been created using copy_backup/);
    const conn = `dbname=postgres user=${REPLICATION.username} host=127.0.0.1 port=${n1.pgPort}`;
    assert.deepEqual(fileLines(join(dir, 'broken.args')), [`--scope=src --role=replica --datadir=${n2.dataDir} --connstring=${conn}`]);
    assert.deepEqual([...new Set(fileLines(join(dir, 'copy_backup.args')))], [`--scope=src --role=replica --datadir=${n3.dataDir} --connstring=${conn}`]);
    await c.waitUntil('all rows on the copied replica', async () => ((await count(n3)) === 300 ? true : undefined), 60_000);
    // patronictl reinit --from-leader: the same methods again, from the leader.
    const r = patronictl(c, ['reinit', 'src', n2.name, '--force', '--from-leader']);
    assert.equal(r.status, 0, r.stderr);
    await c.waitUntil(`${n2.name} reinitialized`, async () => (fileLines(join(dir, 'broken.args')).length === 2 ? true : undefined), 60_000);
    assert.equal(fileLines(join(dir, 'broken.args'))[1], `--scope=src --role=replica --datadir=${n2.dataDir} --connstring=${conn}`);
    await c.waitForReplicasStreaming(2);
    await c.waitUntil('all rows on the reinitialized replica', async () => ((await count(n2)) === 300 ? true : undefined), 60_000);
  });

  test('no_leader: a replica is created from the backup while no leader runs, and streams once the leader is back', async () => {
    const c = src!;
    const [n1, n2, n3, n4] = c.nodes as [ClusterNode, ClusterNode, ClusterNode, ClusterNode];
    await Promise.all([n2.stop(), n3.stop()]);
    await n1.stop();
    await n4.start();
    await c.waitUntil(
      `${n4.name} running in recovery without a leader`,
      async () => {
        const [row] = await n4.sql<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        return row?.r === true ? true : undefined;
      },
      90_000,
    );
    assert.equal(n1.running, false);
    assert.match(n4.logTail(300), /bootstrap \(without leader\)/);
    assert.match(n4.logTail(300), /replica has been created using copy_backup/);
    assert.match(
      fileLines(join(dir, 'copy_backup.args')).at(-1) ?? '',
      new RegExp(`--no_leader=True --scope=src --role=replica --datadir=${n4.dataDir} --connstring=$`),
    );
    await n1.start();
    await c.waitForLeader();
    const [streaming] = await c.waitForReplicasStreaming(1);
    assert.equal(streaming, n4);
    await c.waitUntil('all rows on the no_leader replica', async () => ((await count(n4)) === 300 ? true : undefined), 60_000);
    await n4.stop();
  });

  test('clone an existing cluster: a custom bootstrap method runs pg_basebackup from it; post_bootstrap gets the superuser connstring', async () => {
    const srcLeader = await src!.waitForLeader();
    const z = await newCluster('clone');
    const [z1] = z.nodes as [ClusterNode];
    z1.writeConfig(
      mergePatch(z1.config, {
        bootstrap: {
          method: 'clone_from_src',
          clone_from_src: { command: s.clone, host: '127.0.0.1', port: srcLeader.pgPort },
          post_bootstrap: s.post,
        },
      }),
    );
    await z1.start();
    const leader = await z.waitForLeader();
    assert.equal(leader, z1);
    // The role shows primary from post_bootstrap on; the cluster is initialized only after it.
    await z.waitUntil('clone initialized', async () => ((await etcdKey('/service/clone/initialize')) ? true : undefined), 60_000);
    assert.equal(await count(z1), 300);
    assert.equal(await count(z1, 'post_boot'), 0);
    assert.match(z1.logTail(300), /Running custom bootstrap script: .*clone\.sh/);
    assert.deepEqual(fileLines(join(dir, 'post.args')), [`dbname=postgres user=${SUPERUSER.username} host=127.0.0.1 port=${z1.pgPort}`]);
    assert.ok(await etcdKey('/service/clone/initialize'));
  });

  test('point-in-time restore with backup-driven.yml: recovery to the target, promote, then initialize; exactly the rows up to it', async () => {
    const w = await newCluster('billing');
    const [w1] = w.nodes as [ClusterNode];
    // The production config with ports and paths rewritten and its scripts replaced by the test's.
    const doc = parse(readFileSync('/work/shared/configs/backup-driven.yml', 'utf8')) as JsonObject;
    const ours = w1.config as { restapi: JsonObject; etcd3: JsonObject; postgresql: JsonObject };
    const pg = ours.postgresql;
    const rewritten = mergePatch(doc, {
      name: w1.name,
      restapi: ours.restapi,
      etcd3: ours.etcd3,
      bootstrap: {
        pgbackrest: {
          command: `${s.copy} --stanza billing`,
          recovery_conf: { restore_command: `cp ${archive}/%f %p`, recovery_target_time: targetTime },
        },
        post_bootstrap: script(join(dir, 'create-app-users.sh'), 'echo "$*" >> ' + join(dir, 'billing-post.args')),
        dcs: {
          ttl: 20,
          loop_wait: 2,
          retry_timeout: 5,
          postgresql: {
            parameters: { archive_command: '/bin/true', max_connections: 50, max_wal_senders: 10, max_replication_slots: 10 },
            recovery_conf: { restore_command: `cp ${archive}/%f %p` },
          },
        },
      },
      postgresql: {
        listen: pg.listen ?? null,
        connect_address: pg.connect_address ?? null,
        data_dir: pg.data_dir ?? null,
        bin_dir: PG_BIN_DIR,
        pgpass: pg.pgpass ?? null,
        pgbackrest: { command: `${s.copy} --stanza=billing --delta restore` },
        callbacks: { on_role_change: '/bin/true', on_stop: '/bin/true' },
        pre_promote: '/bin/true',
        before_stop: '/bin/true',
        parameters: pg.parameters ?? null,
      },
      // No watchdog device on a test machine.
      watchdog: { mode: 'off' },
    });
    w1.writeConfig(rewritten);
    await w1.start();
    const leader = await w.waitForLeader(120_000);
    assert.equal(leader, w1);
    await w.waitUntil('billing initialized', async () => ((await etcdKey('/service/billing/initialize')) ? true : undefined), 60_000);
    // The restored cluster had the source's passwords; post_bootstrap set the config's (super-secret),
    // which worked only through the temporary local trust Patroni writes during a custom bootstrap.
    const billing = async <R extends pgLib.QueryResultRow>(q: string, password = 'super-secret'): Promise<R[]> => {
      const client = new pgLib.Client({ host: '127.0.0.1', port: w1.pgPort, database: 'postgres', user: 'postgres', password });
      await client.connect();
      try {
        return (await client.query<R>(q)).rows;
      } finally {
        await client.end();
      }
    };
    await assert.rejects(billing('SELECT 1', SUPERUSER.password), /password authentication failed/);
    const [row] = await billing<{ c: string; m: number }>('SELECT count(*) AS c, max(id) AS m FROM t');
    assert.deepEqual([Number(row?.c), Number(row?.m)], [200, 200]);
    // PostgreSQL replayed the archive up to the target and promoted itself (recovery_target_action).
    const pgLog = readFileSync(join(w1.dataDir, 'postgresql.log'), 'utf8');
    assert.match(pgLog, /recovery stopping before commit of transaction/);
    assert.match(pgLog, /archive recovery complete/);
    assert.ok(await etcdKey('/service/billing/initialize'));
    assert.equal(fileLines(join(dir, 'billing-post.args')).length, 1);
    assert.deepEqual((await billing<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r, false);
    // The restored pg_hba.conf is back: no trust line left.
    assert.doesNotMatch(readFileSync(join(w1.dataDir, 'pg_hba.conf'), 'utf8'), /\ttrust/);
    await w1.stop();
  });

  test('a standby cluster fed only by restore_command: its leader is made by a no_leader method and replays the archive', async () => {
    const srcLeader = await src!.waitForLeader();
    const sb = await newCluster('archive-standby');
    const [sb1] = sb.nodes as [ClusterNode];
    sb1.writeConfig(
      mergePatch(sb1.config, {
        bootstrap: { dcs: { standby_cluster: { restore_command: `cp ${archive}/%f %p`, create_replica_methods: ['copy_backup'] } } },
        postgresql: { copy_backup: { command: s.copy, no_leader: true } },
      }),
    );
    await sb1.start();
    await sb.waitUntil('a standby leader', async () => ((await sb1.status())?.role === 'standby_leader' ? true : undefined), 90_000);
    await srcLeader.sql('INSERT INTO t SELECT generate_series(301, 400)');
    const [{ w }] = (await srcLeader.sql<{ w: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS w')) as [{ w: string }];
    await sb.waitUntil(`${w} archived and replayed`, async () => ((await count(sb1)) === 400 ? true : undefined), 90_000);
    assert.match(sb1.logTail(300), /replica has been created using copy_backup/);
    await sb1.stop();
  });

  test('a failed custom bootstrap gives the initialize key back and sets its data aside; another node then bootstraps', async () => {
    const v = await newCluster('failing', 2);
    const [v1, v2] = v.nodes as [ClusterNode, ClusterNode];
    v1.writeConfig(mergePatch(v1.config, { bootstrap: { method: 'bad', bad: { command: s.bad } } }));
    await v1.start();
    assert.ok(await v1.waitExit(60_000), 'the daemon exits after a failed bootstrap');
    assert.match(v1.logTail(200), /Failed to bootstrap cluster/);
    assert.equal(await etcdKey('/service/failing/initialize'), null);
    assert.ok(!existsSync(v1.dataDir) || readdirSync(v1.dataDir).length === 0, 'the data directory is empty');
    assert.ok(existsSync(join(`${v1.dataDir}.failed`, 'PG_VERSION')), 'what the method left is kept aside');
    await v2.start();
    assert.equal(await v.waitForLeader(), v2);
    await v.waitUntil('failing initialized by node2', async () => ((await etcdKey('/service/failing/initialize')) ? true : undefined), 60_000);
  });
});
