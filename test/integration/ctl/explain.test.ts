// `patronictl explain` on a live 4-node cluster of ours: node1 leads, node2 is a healthy replica, node3
// is tagged nofailover, node4 has its WAL replay paused (pg_wal_replay_pause) and then its WAL receiver
// frozen so that it really falls behind maximum_lag_on_failover. Each member's verdict and reason is
// checked in the json output; the pretty output is checked for the shape of `patronictl list`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdServer } from '../../support/etcd.js';
import { startCluster, type TestCluster } from '../../support/cluster/index.js';
import { ours } from '../../support/ctl/run.js';
import { ctlConfig } from '../../support/patronictl.js';
import { waitFor } from '../../support/tmp.js';
import type { JsonObject } from '../../../src/util/json.js';

interface MemberView {
  name: string;
  role: string;
  outlook: string;
  why: string[];
  lagBytes: number | null;
  replayPaused: boolean;
  replayBehindBytes: number | null;
  lastDecision: { at: string; message: string } | null;
}
interface View {
  leader: string;
  failoverPossible: boolean;
  maximumLagOnFailover: number;
  members: MemberView[];
}

const MAX_LAG = 1048576;

describe('patronictl explain', () => {
  let etcd: EtcdServer | undefined;
  let cluster: TestCluster | undefined;
  let frozenReceiver: number | undefined;
  const explain = async (...args: string[]) => {
    const r = await ours(['-c', ctlConfig(cluster!), 'explain', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const view = async () => JSON.parse(await explain('-f', 'json')) as View;
  const member = (v: View, name: string) => {
    const m = v.members.find((x) => x.name === name);
    assert.ok(m, `${name} in ${JSON.stringify(v)}`);
    return m;
  };

  before(async () => {
    etcd = await startEtcd();
    cluster = await startCluster({
      impl: 'ts',
      nodes: 4,
      etcd,
      staggered: true,
      dcs: { maximum_lag_on_failover: MAX_LAG },
      nodeOverrides: (i): JsonObject => (i === 3 ? { tags: { nofailover: true } } : {}),
    });
    await cluster.waitForReplicasStreaming(3);
    await cluster.node('node1').sql('CREATE TABLE filler (id serial PRIMARY KEY, pad text)');
  });
  after(async () => {
    if (frozenReceiver !== undefined) process.kill(frozenReceiver, 'SIGCONT');
    await cluster?.remove();
    await etcd?.stop();
  });

  test('replay paused: still eligible (received WAL counts), the replay backlog is named; nofailover is not eligible', async () => {
    const node4 = cluster!.node('node4');
    await node4.sql('SELECT pg_wal_replay_pause()');
    await cluster!.node('node1').sql("INSERT INTO filler (pad) SELECT repeat('x', 100) FROM generate_series(1, 2000)");
    const v = await waitFor(
      'node4 reports a replay backlog',
      async () => {
        const got = await view();
        const m4 = got.members.find((m) => m.name === 'node4');
        return m4?.replayPaused && (m4.replayBehindBytes ?? 0) > 0 && got.members.every((m) => m.lastDecision) ? got : undefined;
      },
      60_000,
    );
    assert.equal(v.leader, 'node1');
    assert.equal(member(v, 'node1').outlook, 'leader');
    assert.ok(['would_lead', 'eligible'].includes(member(v, 'node2').outlook), JSON.stringify(member(v, 'node2')));
    const m3 = member(v, 'node3');
    assert.equal(m3.outlook, 'ineligible');
    assert.match(m3.why[0] ?? '', /nofailover/);
    const m4 = member(v, 'node4');
    assert.ok(['would_lead', 'eligible'].includes(m4.outlook), JSON.stringify(m4));
    assert.ok(
      m4.why.some((w) => /^replay paused: \d+ bytes received but not replayed/.test(w)),
      JSON.stringify(m4.why),
    );
    assert.equal(v.failoverPossible, true);
    // Each node's last decision and when: a patroni-ts daemon reports its HA cycle.
    assert.match(member(v, 'node1').lastDecision?.message ?? '', /no action\. I am \(node1\), the leader with the lock/);
    assert.match(member(v, 'node2').lastDecision?.message ?? '', /no action\. I am \(node2\), a secondary, and following a leader \(node1\)/);
    assert.ok(!Number.isNaN(Date.parse(member(v, 'node2').lastDecision?.at ?? '')));
  });

  test('WAL receiver frozen: lag beyond maximum_lag_on_failover makes it ineligible, the healthy replica would lead', async () => {
    const node4 = cluster!.node('node4');
    const [row] = await node4.sql<{ pid: number }>('SELECT pid FROM pg_stat_wal_receiver');
    assert.ok(row?.pid, 'node4 has a WAL receiver');
    frozenReceiver = row.pid;
    process.kill(frozenReceiver, 'SIGSTOP');
    await cluster!.node('node1').sql("INSERT INTO filler (pad) SELECT repeat('y', 1000) FROM generate_series(1, 4000)");
    const v = await waitFor(
      'node4 lagging beyond maximum_lag_on_failover',
      async () => {
        const got = await view();
        return got.members.find((m) => m.name === 'node4')?.outlook === 'ineligible' ? got : undefined;
      },
      60_000,
    );
    const m4 = member(v, 'node4');
    assert.match(m4.why[0] ?? '', new RegExp(`^lag \\d+ bytes exceeds maximum_lag_on_failover ${MAX_LAG}$`));
    assert.ok((m4.lagBytes ?? 0) > MAX_LAG, JSON.stringify(m4));
    const m2 = member(v, 'node2');
    assert.equal(m2.outlook, 'would_lead');
    assert.match(m2.why[0] ?? '', /^highest WAL position \d+$/);
    assert.equal(member(v, 'node3').outlook, 'ineligible');

    // Pretty: the member table of `patronictl list`, with the verdict columns.
    const pretty = await explain();
    console.log(pretty);
    assert.match(pretty, /^\+ Cluster: test-cluster \(\d+\) -+\+/);
    assert.match(pretty, /\| Member \| Host +\| Role +\| State +\| TL \| Lag in MB \| Leads if leader lost \| Why/);
    assert.match(pretty, /\| node2 +\| 127\.0\.0\.1:\d+ \| Replica +\| streaming \|  +1 \| +0 \| yes, would lead +\| highest WAL position/);
    assert.match(pretty, /\| node3 .*\| no +\| tagged nofailover/);
    assert.match(pretty, /\| node4 .*\| no +\| lag \d+ bytes exceeds maximum_lag_on_failover 1048576/);
    assert.match(pretty, /Failover possible now: yes/);
    // yaml is the same document.
    assert.match(await explain('-f', 'yaml'), /^failoverPossible: true$/m);

    process.kill(frozenReceiver, 'SIGCONT');
    frozenReceiver = undefined;
    await node4.sql('SELECT pg_wal_replay_resume()');
  });
});
