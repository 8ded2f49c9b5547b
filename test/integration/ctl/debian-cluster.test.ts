// Our patronictl driving a 3-node cluster of Debian's Patroni 3.0.2 (real etcd, real PostgreSQL):
// list (compared with Debian's patronictl), switchover, restart, reload, pause/resume, edit-config,
// history, flush, query, plus bad input that must leave the DCS untouched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { startCluster, type TestCluster } from '../../support/cluster/index.js';
import { makeTempDir, waitFor } from '../../support/tmp.js';
import { freePort } from '../../support/ports.js';
import { debian, ours, tableCells, writeCtlConfig } from '../../support/ctl/run.js';

const SCOPE = 'test-cluster';

describe('our patronictl against Debian Patroni 3.0.2', () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  const dir = makeTempDir('ctl-debian');
  let cfg = '';
  const ctl = (args: string[], input?: string) => ours(['-c', cfg, ...args], input === undefined ? {} : { input });
  const showConfig = async () => (await ctl(['show-config'])).stdout;
  const leaderName = async () => (await cluster?.waitForLeader())?.name;

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'debian', nodes: 3, etcd, staggered: true });
    cfg = writeCtlConfig(dir.path, SCOPE, etcd.hostPort);
    await cluster.waitForReplicasStreaming(2);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
    dir.remove();
  });

  test('list: same members, hosts and roles as Debian patronictl', async () => {
    const r = await ctl(['list']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /^\+ Cluster: test-cluster \(\d+\) -+\+/);
    assert.match(lines[1] ?? '', /^\| Member \| Host +\| Role +\| State +\| TL \| Receive LSN \| Lag \| Replay LSN \| Lag \|$/);
    const theirs = await debian(['-c', cfg, 'list']);
    assert.equal(theirs.code, 0, theirs.stderr);
    const mine = tableCells(r.stdout);
    assert.equal(mine.length, 3);
    // Patroni 3.0.2 members publish no replication_state, so State agrees too (`running`).
    assert.deepEqual(mine, tableCells(theirs.stdout));
    assert.deepEqual(mine.map((c) => c[2]).sort(), ['Leader', 'Replica', 'Replica']);
    // 3.0.2's title has no system id and its lag column is `Lag in MB` (ctl.output_members in 3.0.x).
    assert.match(theirs.stdout, /^\+ Cluster: test-cluster -+\+/);
  });

  test('reload and restart through the REST API', async () => {
    const reload = await ctl(['reload', SCOPE, 'node2', '--force']);
    assert.equal(reload.code, 0, reload.stderr);
    // Patroni 3.0.2 always answers 202 to POST /reload; loop_wait is the cluster's 2 s.
    assert.match(reload.stdout, /\nReload request received for member node2 and will be processed within 2 seconds\n$/);
    const restart = await ctl(['restart', SCOPE, 'node3', '--force']);
    assert.equal(restart.code, 0, restart.stderr);
    assert.match(restart.stdout, /\nSuccess: restart on member node3\n$/);
    // Interactive: which schedule, confirmation, version filter, answered through stdin.
    const asked = await ctl(['restart', SCOPE, 'node3'], '\ny\n\n');
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(
      asked.stdout,
      /When should the restart take place \(e\.g\. \d{4}-\d\d-\d\dT\d\d:\d\d\)  \[now\]: Are you sure you want to restart members node3\? \[y\/N\]: Restart if the PostgreSQL version is less than provided \(e\.g\. 9\.5\.2\)  \[\]: Success: restart on member node3\n$/,
    );
    const declined = await ctl(['restart', SCOPE, 'node3'], '\nn\n');
    assert.equal(declined.code, 1);
    assert.equal(declined.stderr, 'Error: Aborted restart\n');
    const eof = await ctl(['restart', SCOPE, 'node3'], '');
    assert.equal(eof.code, 1);
    assert.equal(eof.stderr, 'Aborted!\n');
  });

  test('pause and resume with --wait', async () => {
    const p = await ctl(['pause', '--wait']);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, "'pause' request sent, waiting until it is recognized by all nodes\nSuccess: cluster management is paused\n");
    assert.match((await ctl(['list'])).stdout, /\n Maintenance mode: on\n$/);
    const again = await ctl(['pause']);
    assert.deepEqual([again.code, again.stderr], [1, 'Error: Cluster is already paused\n']);
    const sched = await ctl(['switchover', '--force', '--scheduled', '2099-01-01T00:00+00:00']);
    assert.deepEqual([sched.code, sched.stderr], [1, "Error: Can't schedule switchover in the paused state\n"]);
    const r = await ctl(['resume']);
    assert.equal(r.stdout, 'Success: cluster management is resumed\n');
    const notPaused = await ctl(['resume']);
    assert.deepEqual([notPaused.code, notPaused.stderr], [1, 'Error: Cluster is not paused\n']);
  });

  test('edit-config: -s/-p with diff, invalid -p, stdin apply without --force', async () => {
    const r = await ctl(['edit-config', '-s', 'ttl=25', '-p', 'work_mem=8MB', '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^--- \n\+\+\+ \n@@ /);
    assert.match(r.stdout, /\n\+ttl: 25\n/);
    assert.match(r.stdout, /\n\+    work_mem: 8MB\n/);
    assert.match(r.stdout, /Configuration changed\n$/);
    assert.match(await showConfig(), /\nttl: 25\n/);
    // Debian's patronictl reads the same config back.
    assert.equal((await debian(['-c', cfg, 'show-config'])).stdout, await showConfig());
    const beforeBad = await showConfig();
    const bad = await ctl(['edit-config', '-p', 'work_mem', '--force']);
    assert.deepEqual([bad.code, bad.stderr], [1, 'Error: Invalid parameter setting postgresql.parameters.work_mem\n']);
    const same = await ctl(['edit-config', '-s', 'ttl=25', '--force']);
    assert.equal(same.stdout, 'Not changed\n');
    const piped = await ctl(['edit-config', '--apply', '-'], 'ttl: 30\n');
    assert.match(piped.stdout, /-ttl: 25\n\+ttl: 30\nUse --force option to apply changes\n$/);
    const declined = await ctl(['edit-config', '-s', 'ttl=30'], 'n\n');
    assert.match(declined.stdout, /Apply these changes\? \[y\/N\]: $/);
    assert.equal(await showConfig(), beforeBad, 'nothing written by the refused edits');
    const editor = await ours(['-c', cfg, 'edit-config'], { env: { EDITOR: '/bin/true' } });
    assert.equal(editor.stdout, 'Not changed\n');
    const failing = await ours(['-c', cfg, 'edit-config'], { env: { EDITOR: '/bin/false' } });
    assert.deepEqual([failing.code, failing.stderr], [1, 'Error: Editor exited with return code 1\n']);
  });

  test('switchover (forced, then interactive), history and scheduled switchover flush', async () => {
    const from = await leaderName();
    const to = from === 'node2' ? 'node3' : 'node2';
    const r = await ctl(['switchover', '--leader', from ?? '', '--candidate', to, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Current cluster topology\n\+ Cluster: test-cluster /);
    assert.match(r.stdout, new RegExp(`\\n\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{5} Successfully switched over to "${to}"\\n\\+ Cluster`));
    await waitFor('new leader', async () => (await leaderName()) === to, 60_000);
    await cluster?.waitForReplicasStreaming(2);
    const hist = await ctl(['history', '-f', 'json']);
    const rows = JSON.parse(hist.stdout) as { 'New Leader': string }[];
    assert.equal(rows.at(-1)?.['New Leader'], to);

    // Interactive with the Patroni 3 alias --master; stdin answers: candidate, when, confirm.
    const back = await ctl(['switchover', '--master', to], `${from}\n\ny\n`);
    assert.equal(back.code, 0, back.stderr);
    assert.match(
      back.stdout,
      new RegExp(
        `Candidate \\['${from === 'node1' ? 'node1' : 'node1'}', '[^']+'\\] \\[\\]: When should the switchover take place \\(e\\.g\\. [^)]+ \\)  \\[now\\]: Are you sure you want to switchover cluster test-cluster, demoting current leader ${to}\\? \\[y/N\\]: `,
      ),
    );
    await waitFor('leader back', async () => (await leaderName()) === from, 60_000);
    await cluster?.waitForReplicasStreaming(2);

    const sched = await ctl(['switchover', '--candidate', to, '--scheduled', '2099-01-01T00:00:00+00:00', '--force']);
    assert.match(sched.stdout, /\.\d{5} Switchover scheduled\n/);
    assert.match(sched.stdout, /\n Switchover scheduled at: 2099-01-01T00:00:00\+00:00\n +from: node\d\n +to: node\d\n$/);
    const flush = await ctl(['flush', SCOPE, 'switchover']);
    assert.equal(flush.stdout, 'Success: scheduled switchover deleted\n');
    assert.equal((await ctl(['flush', SCOPE, 'switchover'])).stdout, 'No pending scheduled switchover\n');
  });

  test('query by role and member', async () => {
    const q = await ctl(['query', '-U', 'postgres', '--password', '-d', 'postgres', '-c', 'SELECT 1 AS one, pg_is_in_recovery() AS rec'], 'postgres\n');
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stdout, 'Password: one\trec\n1\tFalse\n');
    const pw = ['-U', 'postgres', '--password', '-d', 'postgres'];
    const replica = await ctl(['query', '-r', 'replica', ...pw, '-c', 'SELECT pg_is_in_recovery()'], 'postgres\n');
    assert.equal(replica.stdout, 'Password: pg_is_in_recovery\nTrue\n');
    const err = await ctl(['query', ...pw, '-c', 'SELECT nosuchcolumn'], 'postgres\n');
    assert.match(err.stdout, /^Password: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\tERROR, SQLSTATE: 42703\n$/);
    const none = await ctl(['query', '-m', 'nobody', '-c', 'SELECT 1']);
    assert.match(none.stdout, /\tNo connection to member nobody is available\n$/);
    const both = await ctl(['query', '-c', 'x', '-f', '/dev/null']);
    assert.deepEqual([both.code, both.stderr], [1, 'Error: --file and --command are mutually exclusive options\n']);
  });

  test('bad input: unknown member / cluster, unreachable DCS, malformed URL', async () => {
    const before = await showConfig();
    const unknown = await ctl(['restart', SCOPE, 'nobody', '--force']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, "Error: No 'any' among provided members\n");
    const cand = await ctl(['switchover', '--candidate', 'nobody', '--force']);
    assert.equal(cand.stderr, `Error: Member nobody does not exist in cluster ${SCOPE} or is tagged as nofailover\n`);
    const leader = await leaderName();
    const same = await ctl(['failover', '--candidate', leader ?? '', '--force']);
    assert.equal(same.stderr, `Error: Member ${leader} is already the leader of cluster ${SCOPE}\n`);
    const wrongLeader = await ctl(['switchover', '--leader', 'nobody', '--force']);
    assert.equal(wrongLeader.stderr, `Error: Member nobody is not the leader of cluster ${SCOPE}\n`);
    const nocluster = await ctl(['switchover', 'nosuch', '--force']);
    assert.deepEqual([nocluster.code, nocluster.stderr], [1, 'Error: This cluster has no leader\n']);
    const noMembers = await ctl(['reload', 'nosuch', '--force']);
    assert.deepEqual([noMembers.code, noMembers.stderr], [1, "Error: nosuch cluster doesn't have any members\n"]);
    const noConfig = await ctl(['edit-config', 'nosuch', '-s', 'ttl=1', '--force']);
    assert.deepEqual([noConfig.code, noConfig.stderr], [1, 'Error: The config key does not exist in the cluster nosuch\n']);
    const dead = await ours(['-d', `etcd3://127.0.0.1:${await freePort()}`, 'list', SCOPE]);
    assert.equal(dead.code, 1);
    assert.match(dead.stderr, /^Traceback/);
    const scheme = await ours(['-d', 'redis://127.0.0.1', 'list', SCOPE]);
    assert.deepEqual([scheme.code, scheme.stderr], [1, 'Error: Unknown dcs scheme: redis\n']);
    const consul = await ours(['-d', 'consul://127.0.0.1', 'list', SCOPE]);
    assert.deepEqual(
      [consul.code, consul.stderr],
      [1, 'Error: consul: the consul DCS is not supported by patroni-ts yet (use etcd3, etcd, zookeeper or exhibitor)\n'],
    );
    // ZooKeeper is a backend now: nothing listening there is an unreachable DCS, as for etcd3 above.
    const zk = await ours(['-d', `zookeeper://127.0.0.1:${await freePort()}`, 'list', SCOPE]);
    assert.equal(zk.code, 1);
    // The client's connection warnings (as kazoo logs them) may come first; then the traceback.
    const at = zk.stderr.search(/^Traceback/m);
    assert.ok(at >= 0, zk.stderr);
    for (const line of zk.stderr.slice(0, at).split('\n').filter(Boolean)) assert.match(line, /^\d{4}-\d\d-\d\d [\d:,]+ - WARNING - ZooKeeper connection to /);
    assert.equal(await showConfig(), before, 'nothing changed in the DCS');
    assert.equal(await leaderName(), leader);
  });
});
