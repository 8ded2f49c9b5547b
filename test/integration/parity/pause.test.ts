// Issue 17 item 1, pause mode as Patroni 4.1 runs it: a member whose PostgreSQL is down reports
// `stopped` (Ha._run_cycle), restart and reinit --from-leader --wait work on it, POST /switchover
// naming leader and candidate is carried out, and a scheduled switchover is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { dcsKey } from '../../support/dcs-key.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { skipAsRoot } from '../../support/skip.js';
import { patronictl } from '../../support/patronictl.js';
import { isObject } from '../../../src/util/json.js';

const skip = skipAsRoot;

const memberState = (c: TestCluster, n: ClusterNode): unknown => {
  const v = dcsKey(c, `members/${n.name}`);
  return isObject(v) ? v.state : undefined;
};

describe('pause parity with Patroni 4.1', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: 'ppause', staggered: true });
    await cluster.waitForReplicasStreaming(2);
    const p = patronictl(cluster, ['pause', 'ppause', '--wait']);
    assert.equal(p.status, 0, p.stderr);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  const stopReplica = async (c: TestCluster, n: ClusterNode): Promise<void> => {
    assert.ok(n.killPostmaster('SIGINT'), 'fast shutdown of the replica');
    await c.waitUntil(
      `${n.name} stopped in /patroni and its member key`,
      async () => {
        const s = await n.status();
        return s?.state === 'stopped' && memberState(c, n) === 'stopped' ? true : undefined;
      },
      60_000,
    );
  };

  test('PostgreSQL down in pause: state stopped (not crashed); patronictl restart brings it back', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const replica = c.nodes.find((n) => n !== leader)!;
    await stopReplica(c, replica);
    assert.doesNotMatch(JSON.stringify(await replica.status()), /crashed/);
    await replica.waitForLog(/PAUSE: postgres is not running/, 100);
    const r = patronictl(c, ['restart', 'ppause', replica.name, '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Success: restart on member ${replica.name}`), r.stdout);
    await c.waitUntil(`${replica.name} running again`, async () => ((await replica.status())?.state === 'running' ? true : undefined), 60_000);
    await c.waitForReplicasStreaming(2);
  });

  test('reinit --from-leader --wait of a stopped member works in pause', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const replica = c.nodes.filter((n) => n !== leader)[1]!;
    await stopReplica(c, replica);
    const r = patronictl(c, ['reinit', 'ppause', replica.name, '--from-leader', '--wait', '--force']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Success: reinitialize for member ${replica.name}`), r.stdout);
    assert.match(r.stdout, new RegExp(`Reinitialize is completed on: ${replica.name}`), r.stdout);
    await c.waitForReplicasStreaming(2);
    assert.equal(memberState(c, replica), 'running');
  });

  test('a scheduled switchover is refused in pause; POST /switchover with leader and candidate is carried out', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    const candidate = c.nodes.find((n) => n !== leader)!;
    const s = patronictl(c, [
      'switchover',
      'ppause',
      '--leader',
      leader.name,
      '--candidate',
      candidate.name,
      '--scheduled',
      '2100-01-01T12:00:00+00:00',
      '--force',
    ]);
    assert.equal(s.status, 1);
    assert.match(s.stderr + s.stdout, /Can't schedule switchover in the paused state/);
    const viaApi = await leader.api('/switchover', {
      method: 'POST',
      body: JSON.stringify({ leader: leader.name, scheduled_at: '2100-01-01T12:00:00+00:00' }),
    });
    assert.deepEqual([viaApi.status, viaApi.text], [400, "Can't schedule switchover in the paused state"]);
    const r = await leader.api('/switchover', { method: 'POST', body: JSON.stringify({ leader: leader.name, candidate: candidate.name }) });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, new RegExp(`Successfully switched over to "${candidate.name}"`));
    await c.waitUntil(`${candidate.name} holds the leader key`, async () => (dcsKey(c, 'leader') === candidate.name ? true : undefined), 60_000);
    await c.waitUntil(`${candidate.name} answers /primary`, async () => ((await candidate.api('/primary')).status === 200 ? true : undefined), 60_000);
    assert.equal((await leader.api('/primary')).status, 503);
    assert.match(String(JSON.stringify(dcsKey(c, 'config'))), /"pause":true/);
  });
});
