// Callbacks, pre_promote and before_stop as Patroni runs them (issue 11), on one shared 3-node
// cluster: each node's callback script appends `action role scope` to its own file, and after
// bootstrap, switchover, crash failover, restart and reload every file holds exactly the lines
// Patroni writes. Then a refusing pre_promote and a callback that outlives loop_wait.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCluster, type ClusterNode, type TestCluster } from '../../support/cluster/index.js';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { patronictl } from '../../support/patronictl.js';
import { mergePatch } from '../../../src/util/json.js';

const skip = process.getuid?.() === 0 ? 'PostgreSQL refuses to run as root: run with npm test' : false;
const SCOPE = 'cbs';

function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('callbacks, pre_promote, before_stop', { skip }, () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  const expected = new Map<string, string[]>();
  let dir = '';
  const cbFile = (n: ClusterNode) => join(dir, `${n.name}.callbacks`);
  const stopFile = (n: ClusterNode) => join(dir, `${n.name}.before_stop`);
  const refuseFile = (n: ClusterNode) => join(dir, `${n.name}.refuse`);

  /** Wait until the node's file holds exactly what Patroni would have written so far. */
  async function expectLines(n: ClusterNode, ...added: string[]): Promise<void> {
    const want = [...(expected.get(n.name) ?? []), ...added.map((l) => `${l} ${SCOPE}`)];
    expected.set(n.name, want);
    await cluster!.waitUntil(
      `${n.name} callbacks ${JSON.stringify(want)}`,
      async () => {
        const got = lines(cbFile(n));
        if (got.length > want.length) throw new Error(`${n.name} wrote ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
        return JSON.stringify(got) === JSON.stringify(want) ? true : undefined;
      },
      60_000,
    );
  }

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({ impl: 'ts', nodes: 3, etcd, scope: SCOPE, startNodes: false });
    dir = cluster.dir;
    const cb = script(join(dir, 'cb.sh'), 'f=$1; shift; echo "$*" >> "$f"');
    const pre = script(join(dir, 'pre.sh'), 'test -e "$1" && exit 1; exit 0');
    const bs = script(join(dir, 'before_stop.sh'), 'echo before_stop >> "$1"; exit 3');
    for (const n of cluster.nodes) {
      const file = cbFile(n);
      n.writeConfig(
        mergePatch(n.config, {
          postgresql: {
            callbacks: Object.fromEntries(['on_start', 'on_stop', 'on_restart', 'on_reload', 'on_role_change'].map((a) => [a, `${cb} ${file}`])),
            pre_promote: `${pre} ${refuseFile(n)}`,
            before_stop: `${bs} ${stopFile(n)}`,
          },
        }),
      );
    }
    const [n1, ...rest] = cluster.nodes;
    await n1!.start();
    await cluster.waitForLeader();
    for (const n of rest) await n.start();
    await cluster.waitForReplicasStreaming(2);
  });
  after(async () => {
    await cluster?.remove();
    await etcd?.stop();
  });

  test('bootstrap: on_start primary on the new leader, on_start replica on the clones', async () => {
    const [n1, n2, n3] = cluster!.nodes as [ClusterNode, ClusterNode, ClusterNode];
    await expectLines(n1, 'on_start primary');
    await expectLines(n2, 'on_start replica');
    await expectLines(n3, 'on_start replica');
  });

  test('switchover: on_stop demoted + on_role_change replica, on_role_change primary, on_reload on the other replica; before_stop ran', async () => {
    const c = cluster!;
    const [n1, n2, n3] = c.nodes as [ClusterNode, ClusterNode, ClusterNode];
    const r = patronictl(c, ['switchover', SCOPE, '--leader', n1.name, '--candidate', n2.name, '--force']);
    assert.equal(r.status, 0, r.stderr);
    await c.waitForNewLeader(n1);
    await expectLines(n1, 'on_stop demoted', 'on_role_change replica');
    await expectLines(n2, 'on_role_change primary');
    await expectLines(n3, 'on_reload replica');
    assert.deepEqual(lines(stopFile(n1)), ['before_stop']);
    await n1.waitForLog(/before_stop script `.*before_stop\.sh .*` exited with 3/, 400);
    await c.waitForReplicasStreaming(2);
  });

  test('crash failover: on_role_change primary on the winner, on_reload on the other, on_start replica on the crashed node once back', async () => {
    const c = cluster!;
    const old = await c.waitForLeader();
    old.crash();
    const winner = await c.waitForNewLeader(old);
    const other = c.nodes.find((n) => n !== old && n !== winner)!;
    await expectLines(winner, 'on_role_change primary');
    await expectLines(other, 'on_reload replica');
    await old.start();
    await c.waitForReplicasStreaming(2);
    // A fresh daemon has called no callback yet: its first start (after pg_rewind if needed) is on_start.
    await expectLines(old, 'on_start replica');
  });

  test("restart and reload: on_restart and on_reload with each member's role", async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    let r = patronictl(c, ['restart', SCOPE, '--force']);
    assert.equal(r.status, 0, r.stderr);
    for (const n of c.nodes) await expectLines(n, `on_restart ${n === leader ? 'primary' : 'replica'}`);
    await c.waitForReplicasStreaming(2);
    r = patronictl(c, ['reload', SCOPE, '--force']);
    assert.equal(r.status, 0, r.stderr);
    for (const n of c.nodes) await expectLines(n, `on_reload ${n === leader ? 'primary' : 'replica'}`);
  });

  test('pre_promote exiting 1: that candidate gives the lock back, another member promotes', async () => {
    const c = cluster!;
    const leader = await c.waitForLeader();
    await c.waitForReplicasStreaming(2);
    const refusing = c.nodes.find((n) => n !== leader)!;
    writeFileSync(refuseFile(refusing), '');
    patronictl(c, ['failover', SCOPE, '--candidate', refusing.name, '--force']);
    await c.waitUntil(
      `${refusing.name} refused to promote`,
      async () => (/Promotion cancelled because the pre-promote script failed/.test(refusing.logTail(400)) ? true : undefined),
      60_000,
    );
    assert.match(refusing.logTail(400), /pre_promote script `.*pre\.sh .*` exited with 1/);
    const next = await c.waitUntil(
      'a leader other than the refusing candidate',
      async () => {
        const l = await c.leader();
        return l && l !== refusing ? l : undefined;
      },
      90_000,
    );
    assert.notEqual(next, refusing);
    await c.waitForReplicasStreaming(2);
    assert.equal((await refusing.status())?.role, 'replica');
  });

  test('a callback sleeping far past loop_wait delays neither the cycle nor a failover', async () => {
    const c = cluster!;
    // Sleeps as long as the hold file exists: far past loop_wait during the test, never past its end
    // (the file goes in `finally`, or with the cluster directory).
    const hold = join(dir, 'slow.hold');
    writeFileSync(hold, '');
    const slow = script(join(dir, 'slow.sh'), `[ -e ${hold} ] || exit 0; f=$1; shift; echo "start $*" >> "$f"; while [ -e ${hold} ]; do sleep 0.5; done`);
    for (const n of c.nodes) {
      rmSync(refuseFile(n), { force: true });
      n.writeConfig(
        mergePatch(n.config, {
          postgresql: {
            callbacks: Object.fromEntries(
              ['on_start', 'on_stop', 'on_restart', 'on_reload', 'on_role_change'].map((a) => [a, `${slow} ${join(dir, `${n.name}.slow`)}`]),
            ),
          },
        }),
      );
    }
    try {
      const r = patronictl(c, ['reload', SCOPE, '--force']);
      assert.equal(r.status, 0, r.stderr);
      for (const n of c.nodes) {
        await c.waitUntil(
          `${n.name} slow on_reload started`,
          async () => (lines(join(dir, `${n.name}.slow`)).some((l) => l.startsWith('start on_reload')) ? true : undefined),
          60_000,
        );
      }
      const old = await c.waitForLeader();
      old.crash();
      // If the sleeping on_reload held the cycle, nobody could take over within this wait.
      const winner = await c.waitForNewLeader(old, 60_000);
      await c.waitUntil(
        `${winner.name} slow on_role_change started`,
        async () => (lines(join(dir, `${winner.name}.slow`)).includes(`start on_role_change primary ${SCOPE}`) ? true : undefined),
        30_000,
      );
      await old.start();
      await c.waitForReplicasStreaming(2);
    } finally {
      rmSync(hold, { force: true });
    }
  });
});
