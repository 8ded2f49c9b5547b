// patronictl against a 3-node cluster of ours (dist/patroni.mjs, real etcd and PostgreSQL): every
// command of our ctl, Debian's patronictl 3.0.2 against our daemons, and DCS-only commands
// (configure, scaffold, remove) on a scratch scope.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { startCluster, type TestCluster } from '../../support/cluster/index.js';
import { makeTempDir, waitFor } from '../../support/tmp.js';
import { debian, ours, tableCells, writeCtlConfig } from '../../support/ctl/run.js';

const SCOPE = 'test-cluster';

describe('patronictl against our own daemons', () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  const dir = makeTempDir('ctl-ts');
  let cfg = '';
  const ctl = (args: string[], input?: string) => ours(['-c', cfg, ...args], input === undefined ? {} : { input });
  const leaderName = async () => (await cluster?.waitForLeader())?.name;
  /** Every member on the leader's timeline, as our `list -f json` shows it. */
  const settled = () =>
    waitFor(
      'all members on one timeline',
      async () => {
        const rows = JSON.parse((await ctl(['list', '-f', 'json'])).stdout) as { TL?: number; State: string }[];
        return rows.length === 3 && rows.every((r) => r.TL !== undefined && r.TL === rows[0]?.TL && r.State !== 'stopped');
      },
      90_000,
    );

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, staggered: true });
    cfg = writeCtlConfig(dir.path, SCOPE, etcd.hostPort);
    await cluster.waitForReplicasStreaming(2);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
    dir.remove();
  });

  test('list, topology, dsn, version; Debian patronictl lists the same members and roles', async () => {
    const mine = await ctl(['list']);
    assert.equal(mine.code, 0, mine.stderr);
    const rows = tableCells(mine.stdout);
    assert.deepEqual(
      rows.map((c) => c[0]),
      ['node1', 'node2', 'node3'],
    );
    assert.ok(
      rows.every((c) => c[3] === 'running' || c[3] === 'streaming'),
      mine.stdout,
    );
    const theirs = tableCells((await debian(['-c', cfg, 'list'])).stdout);
    // Member, Host and Role agree; 3.0.2 shows `state` (running) where 4.1 shows replication_state.
    assert.deepEqual(
      rows.map((c) => c.slice(0, 3)),
      theirs.map((c) => c.slice(0, 3)),
    );
    const topo = await ctl(['topology']);
    assert.match(topo.stdout, /\| \+ node\d /);
    const leader = await leaderName();
    const node = cluster?.node(leader ?? '');
    assert.equal((await ctl(['dsn'])).stdout, `host=127.0.0.1 port=${node?.pgPort}\n`);
    const version = await ctl(['version', SCOPE, leader ?? '']);
    assert.match(version.stdout, new RegExp(`^patronictl version 4\\.1\\.4\\n\\n${leader}: Patroni 4\\.1\\.4 PostgreSQL 15\\.\\d+\\n$`));
  });

  test('reload, restart, pause/resume, edit-config through our REST API', async () => {
    const reload = await ctl(['reload', SCOPE, 'node2', '--force']);
    assert.match(reload.stdout, /\n(No changes to apply on member node2|Reload request received for member node2 and will be processed within 2 seconds)\n$/);
    const restart = await ctl(['restart', SCOPE, 'node3', '--force']);
    assert.match(restart.stdout, /\nSuccess: restart on member node3\n$/);
    const p = await ctl(['pause', '--wait']);
    assert.equal(p.stdout, "'pause' request sent, waiting until it is recognized by all nodes\nSuccess: cluster management is paused\n");
    const theirsPaused = await debian(['-c', cfg, 'resume']);
    assert.equal(theirsPaused.stdout, 'Success: cluster management is resumed\n');
    const edit = await ctl(['edit-config', '-p', 'work_mem=8MB', '--force']);
    assert.match(edit.stdout, /\n\+    work_mem: 8MB\n/);
    assert.match(edit.stdout, /\nConfiguration changed\n$/);
    const theirsEdit = await debian(['-c', cfg, 'edit-config', '-s', 'ttl=25', '--force']);
    assert.match(theirsEdit.stdout, /\n\+ttl: 25\n/);
    assert.match(theirsEdit.stdout, /\nConfiguration changed\n$/);
    assert.match((await ctl(['show-config'])).stdout, /\nttl: 25\n/);
  });

  let switchedFrom = '';
  test('switchover with ours; history', async () => {
    const from = await leaderName();
    const to = from === 'node2' ? 'node3' : 'node2';
    switchedFrom = from ?? '';
    const r = await ctl(['switchover', '--candidate', to, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\\.\\d{5} Successfully switched over to "${to}"\\n`));
    await waitFor('new leader', async () => (await leaderName()) === to, 60_000);
    const hist = JSON.parse((await ctl(['history', '-f', 'json'])).stdout) as { 'New Leader': string }[];
    assert.equal(hist.at(-1)?.['New Leader'], to);
    await cluster?.waitForReplicasStreaming(2);
    await settled();
  });

  test('switchover back with Debian patronictl', async () => {
    const to = await leaderName();
    const back = await debian(['-c', cfg, 'switchover', '--master', to ?? '', '--candidate', switchedFrom, '--force']);
    assert.match(back.stdout, new RegExp(`Successfully switched over to "${switchedFrom}"`));
    await waitFor('leader back', async () => (await leaderName()) === switchedFrom, 60_000);
    await cluster?.waitForReplicasStreaming(2);
    await settled();
  });

  test('reinit a replica and wait', async () => {
    await cluster?.waitForReplicasStreaming(2);
    const leader = await leaderName();
    const replica = leader === 'node3' ? 'node2' : 'node3';
    const r = await ctl(['reinit', SCOPE, replica, '--force', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `\\nSuccess: reinitialize for member ${replica}\\nWaiting for reinitialize to complete on: ${replica}\\nReinitialize is completed on: ${replica}\\n$`,
      ),
    );
    const onLeader = await ctl(['reinit', SCOPE, leader ?? '', '--force']);
    assert.deepEqual([onLeader.code, onLeader.stderr], [1, 'Error: No replica among provided members\n']);
  });

  test('demote/promote-cluster refuse what cannot be done', async () => {
    const noArgs = await ctl(['demote-cluster', '--force']);
    assert.deepEqual([noArgs.code, noArgs.stderr], [1, 'Error: At least --host, --port or --restore-command should be specified\n']);
    const promote = await ctl(['promote-cluster', '--force']);
    assert.deepEqual([promote.code, promote.stderr], [1, 'Error: Cluster is already in the required state\n']);
    const none = await ctl(['promote-cluster', 'nosuch', '--force']);
    assert.deepEqual([none.code, none.stderr], [1, 'Error: Cluster has no leader, promotion is not possible\n']);
  });

  test('configure, scaffold and remove on a scratch scope', async () => {
    const file = join(dir.path, 'sub', 'ctl.yaml');
    const conf = await ours(['configure', '-c', file, '-d', `etcd3://${etcd?.hostPort}`], { input: '\n' });
    assert.equal(conf.code, 0, conf.stderr);
    assert.equal(conf.stdout, 'Namespace [/service/]: ');
    assert.equal(readFileSync(file, 'utf8'), `etcd3:\n  host: ${etcd?.hostPort}\nnamespace: /service/\n`);
    const scaffold = await ours(['-c', file, 'scaffold', 'scratch', '-s', '7000000000000000001']);
    assert.deepEqual([scaffold.code, scaffold.stdout], [0, 'Cluster scratch has been created successfully\n']);
    assert.match((await ours(['-c', file, 'list', 'scratch'])).stdout, /^\+ Cluster: scratch \(7000000000000000001\) /);
    // Debian's patronictl reads the file configure wrote.
    assert.equal((await debian(['-c', file, 'list', 'scratch'])).code, 0);
    const again = await ours(['-c', file, 'scaffold', 'scratch']);
    assert.deepEqual([again.code, again.stderr], [1, 'Error: This cluster is already initialized\n']);
    const wrongName = await ours(['-c', file, 'remove', 'scratch'], { input: 'other\n' });
    assert.deepEqual([wrongName.code, wrongName.stderr], [1, 'Error: Cluster names specified do not match\n']);
    const notAware = await ours(['-c', file, 'remove', 'scratch'], { input: 'scratch\nyes\n' });
    assert.deepEqual([notAware.code, notAware.stderr], [1, 'Error: You did not exactly type "Yes I am aware"\n']);
    const removed = await ours(['-c', file, 'remove', 'scratch'], { input: 'scratch\nYes I am aware\n' });
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(
      removed.stdout,
      /Please confirm the cluster name to remove: You are about to remove all information in DCS for scratch, please type: "Yes I am aware": $/,
    );
    assert.match((await ours(['-c', file, 'list', 'scratch'])).stdout, /^\+ Cluster: scratch \(uninitialized\) /);
    // The healthy cluster asks for its leader's name too.
    const healthy = await ctl(['remove', SCOPE], `${SCOPE}\nYes I am aware\nnobody\n`);
    assert.deepEqual([healthy.code, healthy.stderr], [1, 'Error: You did not specify the current leader of the cluster\n']);
    assert.ok(existsSync(file));
  });
});
