// decide() with synchronous replication and standby clusters: who may promote, what the leader
// does each cycle, and the standby leader's messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../../src/ha/core/decide.js';
import type { JsonObject } from '../../../src/util/json.js';
import { cluster, input, peer, pgRunning, primary, server, walk } from './fixtures.js';

const withSync = (members: string[], leader = 'node1', quorum = 0) => ({ ...cluster({}), sync: { version: '7', leader, members, quorum } });
const SYNC_ON: JsonObject = { synchronous_mode: true };

describe('promotion in synchronous mode', () => {
  const cases: { name: string; me: string; sync: string[]; dcs: JsonObject; peers: ReturnType<typeof peer>[]; quorum?: number; promotes: boolean }[] = [
    { name: 'the listed standby promotes', me: 'node2', sync: ['node2'], dcs: SYNC_ON, peers: [peer('node3', 100)], promotes: true },
    { name: 'an unlisted standby does not, even when ahead', me: 'node3', sync: ['node2'], dcs: SYNC_ON, peers: [peer('node2', 50)], promotes: false },
    {
      name: 'the listed standby ignores an unlisted one that is ahead',
      me: 'node2',
      sync: ['node2'],
      dcs: SYNC_ON,
      peers: [peer('node3', 500)],
      promotes: true,
    },
    { name: 'empty key (non-strict, no standby): nobody promotes', me: 'node2', sync: [], dcs: SYNC_ON, peers: [], promotes: false },
    {
      name: 'quorum: a voter with enough votes promotes',
      me: 'node2',
      sync: ['node2', 'node3'],
      quorum: 1,
      dcs: { synchronous_mode: 'quorum' },
      peers: [peer('node3', 100)],
      promotes: true,
    },
    {
      name: 'quorum: without the other voter there are not enough votes',
      me: 'node2',
      sync: ['node2', 'node3'],
      quorum: 1,
      dcs: { synchronous_mode: 'quorum' },
      peers: [{ name: 'node3', reachable: false, error: 'down' }],
      promotes: false,
    },
    { name: 'mode off: the key is ignored', me: 'node3', sync: ['node2'], dcs: {}, peers: [peer('node2', 50)], promotes: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = decide(input({ me: c.me, cluster: { ...withSync(c.sync, 'node1', c.quorum ?? 0), leader: null }, peers: c.peers, dcs: c.dcs }));
      assert.equal(d.branch?.attempt === 'acquire_leader', c.promotes, JSON.stringify(d.reasons));
    });
  }

  test('before promoting, the sync key is claimed; losing the CAS postpones', () => {
    const d = decide(input({ me: 'node2', cluster: { ...withSync(['node2']), leader: null }, peers: [], dcs: SYNC_ON }));
    const claim = d.branch?.onSuccess.branch?.attempt;
    assert.deepEqual(claim, { kind: 'claim_sync', key: { leader: 'node2', members: [], quorum: 0 }, standbyNames: null });
    assert.equal(walk(d, [true, true]).message, 'promoted self to leader by acquiring session lock');
    assert.equal(walk(d, [true, false]).message, 'Postponing promotion because synchronous replication state was updated by somebody else');
  });

  test('a running primary with the lock runs the synchronous replication step', () => {
    const d = decide(input({ me: 'node1', cluster: cluster({ leader: 'node1' }), pg: pgRunning(primary()), dcs: SYNC_ON }));
    assert.ok(walk(d).actions.some((a) => a.type === 'sync_replication'));
  });
});

describe('standby cluster', () => {
  const dcs = { standby_cluster: { host: '10.0.0.1', port: 5433 } };
  test('the lock holder follows the remote primary as standby leader', () => {
    const d = walk(decide(input({ me: 'node1', cluster: cluster({ leader: 'node1' }), pg: pgRunning(server()), dcs, memory: { role: 'standby_leader' } })));
    assert.equal(d.message, 'no action. I am (node1), the standby leader with the lock');
    assert.ok(d.actions.some((a) => a.type === 'follow' && a.role === 'standby_leader' && a.upstream?.host === '10.0.0.1' && a.upstream.port === 5433));
  });
  test('a replica follows the standby leader', () => {
    const d = walk(decide(input({ me: 'node2', cluster: cluster({ leader: 'node1' }), pg: pgRunning(server()), dcs })));
    assert.equal(d.message, 'no action. I am (node2), a secondary, and following a standby leader (node1)');
  });
  test('winning the race makes a standby leader, never a promotion', () => {
    const d = decide(input({ me: 'node2', cluster: cluster({}), pg: pgRunning(server()), dcs, peers: [] }));
    const won = walk(d);
    assert.equal(won.message, 'promoted self to a standby leader by acquiring session lock');
    assert.ok(!won.actions.some((a) => a.type === 'run_async' && a.task.kind === 'promote'));
  });
  test('a primary whose cluster became a standby cluster demotes to standby leader, keeping the lock', () => {
    const d = walk(decide(input({ me: 'node1', cluster: cluster({ leader: 'node1' }), pg: pgRunning(primary()), dcs })));
    assert.ok(d.actions.some((a) => a.type === 'run_async' && a.task.kind === 'demote' && a.task.mode === 'demote-cluster'));
  });
  test('standby_cluster removed: the standby leader promotes (promote-cluster)', () => {
    const d = walk(decide(input({ me: 'node1', cluster: cluster({ leader: 'node1' }), pg: pgRunning(server()), memory: { role: 'standby_leader' } })));
    assert.equal(d.message, 'promoted self to leader because I had the session lock');
  });
});
