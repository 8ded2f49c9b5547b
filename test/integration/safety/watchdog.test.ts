// The watchdog end to end (issue 12): Patroni's `testing` driver on a named pipe read by the test, a
// real etcd and PostgreSQL 15. One cluster: node1 leads with `required` and the pipe; node2 has
// `required` and no usable device, so it may never lead.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { sleep, waitFor } from '../../support/tmp.js';
import { WatchdogHarness } from '../../support/watchdog.js';
import type { JsonObject } from '../../../src/util/json.js';

const skip = process.getuid?.() === 0 ? 'PostgreSQL refuses to run as root: run with npm test' : false;

describe('watchdog (testing driver)', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  let wd: WatchdogHarness | undefined;
  let leader: ClusterNode;
  let replica: ClusterNode;

  const patchConfig = async (patch: JsonObject) => {
    const r = await leader.api('/config', { method: 'PATCH', body: JSON.stringify(patch) });
    assert.equal(r.status, 200, r.text);
  };

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 2,
      etcd,
      scope: 'wd',
      staggered: true,
      startNodes: false,
      ttl: 20,
      loopWait: 2,
      retryTimeout: 5,
      nodeOverrides: () => ({}),
    });
    const [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode];
    wd = new WatchdogHarness(join(n1.dir, 'watchdog'));
    n1.writeConfig({ ...n1.config, watchdog: { mode: 'required', driver: 'testing', device: wd.path, safety_margin: 5 } });
    n2.writeConfig({ ...n2.config, watchdog: { mode: 'required', driver: 'testing', device: join(n2.dir, 'no-such-pipe'), safety_margin: 5 } });
    await n1.start();
    leader = await cluster.waitForLeader();
    assert.equal(leader, n1);
    await n2.start();
    await cluster.waitForReplicasStreaming(1);
    replica = n2;
  });
  after(async () => {
    await cluster?.remove();
    wd?.close();
    await etcd?.stop();
  });

  test('the leader opens the watchdog with ttl - safety_margin and pings it every cycle', async () => {
    await waitFor('the timeout to be set', async () => wd!.timeout === 15, 30_000);
    const before = wd!.pings;
    await waitFor('keepalives', async () => wd!.pings >= before + 3, 30_000);
    assert.equal(wd!.open, true);
    await leader.waitForLog(/Watchdog test harness at .* activated with 15 second timeout, timing slack 13 seconds/, 400);
  });

  test('a member with `required` and no usable device reports watchdog_failed', async () => {
    const s = await replica.status();
    assert.equal(s?.watchdog_failed, true);
    assert.equal(s?.role, 'replica');
  });

  test('a ttl change reconfigures the timeout at the next keepalive', async () => {
    await patchConfig({ ttl: 30 });
    await waitFor('timeout 25', async () => wd!.timeout === 25, 30_000);
    await patchConfig({ ttl: 20 });
    await waitFor('timeout 15', async () => wd!.timeout === 15, 30_000);
  });

  test('pause closes the watchdog; resume opens it again', async () => {
    const closes = wd!.closes;
    await patchConfig({ pause: true });
    await waitFor('magic close', async () => wd!.closes > closes && !wd!.open, 30_000);
    const pings = wd!.pings;
    await sleep(5000);
    assert.equal(wd!.pings, pings, 'no keepalive while paused');
    await patchConfig({ pause: null });
    await waitFor('reopened and pinged', async () => wd!.open && wd!.pings > pings, 30_000);
  });

  test('a frozen leader daemon is fenced by the watchdog; the member without a watchdog never promotes', async () => {
    wd!.reset();
    await waitFor('a keepalive', async () => wd!.pings > 0, 30_000);
    const pid = leader.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor('the watchdog to fire', async () => wd!.triggered, 30_000);
      // Past ttl the leader key has expired; the replica must stay a replica (no usable watchdog).
      await sleep(10_000);
      const s = await replica.status();
      assert.equal(s?.role, 'replica');
      assert.match(replica.logTail(400), /not the healthiest node|Watchdog device is not usable/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // Thawed, its lease long gone, the old leader fences itself and wins the race again.
    await cluster!.waitForLeader(90_000);
  });

  test('a clean shutdown closes the watchdog with the magic character', async () => {
    await waitFor('the watchdog open again', async () => wd!.open, 60_000);
    const closes = wd!.closes;
    await leader.stop();
    await waitFor('the magic close on shutdown', async () => wd!.closes > closes && !wd!.open, 5_000);
  });
});
