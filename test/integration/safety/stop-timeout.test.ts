// primary_stop_timeout end to end (issue 12): in synchronous mode, a primary whose shutdown hangs (its
// WAL sender waits on a frozen synchronous standby) is aborted after primary_stop_timeout, as Patroni's
// Postgresql.stop(stop_timeout=...) does, instead of waiting wal_sender_timeout or pg_ctl's timeout.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { waitFor } from '../../support/tmp.js';
import { orphanedBackends } from '../../../src/postgresql/process.js';

const skip = process.getuid?.() === 0 ? 'PostgreSQL refuses to run as root: run with npm test' : false;

describe('primary_stop_timeout', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  let frozen: number[] = [];
  const thaw = () => {
    for (const pid of frozen)
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    frozen = [];
  };

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 2, etcd, scope: 'pst', staggered: true, dcs: { synchronous_mode: true, primary_stop_timeout: 3 } });
  });
  after(async () => {
    thaw();
    await cluster?.remove();
    await etcd?.stop();
  });

  test('a shutdown stuck on a frozen synchronous standby is aborted after primary_stop_timeout', async () => {
    const leader = await cluster!.waitForLeader();
    const standby = cluster!.nodes.find((n) => n !== leader) as ClusterNode;
    await waitFor(
      'a synchronous standby',
      async () => {
        const rows = await leader.sql<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_replication WHERE sync_state = 'sync'");
        return (rows[0]?.n ?? 0) > 0;
      },
      60_000,
    );
    await leader.sql('CREATE TABLE pst (x int)');
    frozen = orphanedBackends(standby.dataDir);
    assert.ok(frozen.length > 0, 'the standby has PostgreSQL processes to freeze');
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      await leader.stop(120_000);
    } finally {
      thaw();
    }
    await leader.waitForLog(/Timeout during postmaster stop, aborting Postgres\./, 200);
    assert.equal(leader.postmasterPid(), undefined);
  });
});
