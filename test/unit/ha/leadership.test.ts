// Leadership as the decision's own result, the lease fence's decision, and what a cycle reads.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attempt, plan, setMemory } from '../../../src/ha/core/decision.js';
import { fenceArmed, leaseExpired, withLeadership } from '../../../src/ha/core/leadership.js';
import { readsFor } from '../../../src/ha/core/reads.js';
import { cluster, input, pgRunning, pgStopped, primary, running, server, TASKS } from './fixtures.js';

describe('withLeadership()', () => {
  test('lock attempts decide each branch; other attempts keep what was held', () => {
    const d = withLeadership(
      attempt(
        'acquire_leader',
        attempt({ kind: 'claim_sync', key: { leader: 'n', members: [], quorum: 0 }, standbyNames: null }, plan('won'), plan('postponed')),
        plan('lost'),
      ),
      false,
    );
    assert.equal(d.leader, true);
    assert.equal(d.branch?.onSuccess.branch?.onSuccess.leader, true);
    assert.equal(d.branch?.onSuccess.branch?.onFailure.leader, true, 'a lost sync CAS does not give the lock back');
    assert.equal(d.branch?.onFailure.leader, false);
  });

  test('take_leader takes the key (Patroni sets is_leader after post_bootstrap), delete_leader gives it up', () => {
    assert.equal(withLeadership(plan('initialized a new cluster', { type: 'take_leader' }), false).leader, true);
    assert.equal(withLeadership(plan('released', setMemory({ role: 'demoted' }), { type: 'delete_leader' }), true).leader, false);
    assert.equal(withLeadership(plan('nothing'), true).leader, true);
  });

  test('the fence guards a held key unless paused', () => {
    const cfg = input({}).config;
    assert.deepEqual([fenceArmed(true, cfg), fenceArmed(false, cfg), fenceArmed(true, { ...cfg, pause: true })], [true, false, false]);
  });
});

describe('leaseExpired()', () => {
  const cfg = input({}).config;
  test('a running primary stops at once and is no longer leader', () => {
    assert.deepEqual(leaseExpired(cfg, pgRunning(primary())), {
      message: 'stopped PostgreSQL because the leader lease expired',
      leader: false,
      actions: [
        { type: 'set_memory', patch: { role: 'demoted' } },
        { type: 'stop_postgres', mode: 'immediate' },
      ],
    });
  });
  test('nothing to fence on a replica or when paused', () => {
    assert.equal(leaseExpired(cfg, pgRunning(server())), null);
    assert.equal(leaseExpired({ ...cfg, pause: true }, pgRunning(primary())), null);
  });
});

describe('readsFor()', () => {
  const base = (over: Partial<Parameters<typeof readsFor>[0]>) => ({
    cluster: cluster({ leader: 'node1' }),
    me: 'node2',
    tags: {},
    config: input({}).config,
    pg: pgRunning(server()),
    async: null,
    ...over,
  });
  test('peers only in a race, on a failover request, or when my own primary is down', () => {
    assert.equal(readsFor(base({})).peers, false);
    assert.equal(readsFor(base({ cluster: cluster({}) })).peers, true);
    assert.equal(readsFor(base({ cluster: cluster({ leader: 'node1', failover: true }) })).peers, true);
    assert.equal(readsFor(base({ me: 'node1', pg: pgStopped('in crash recovery') })).peers, true);
    assert.equal(readsFor(base({ me: 'node1', pg: pgRunning(primary()), async: running(TASKS.crashRecovery) })).peers, true);
    assert.equal(readsFor(base({ me: 'node1', pg: pgRunning(primary()), async: running(TASKS.promote) })).peers, false);
  });
  test('the candidate a failover key names promotes without probing peers; the others still compare', () => {
    // cluster({ failover: true }) names node2 as the candidate.
    assert.equal(readsFor(base({ cluster: cluster({ failover: true }) })).peers, false, 'node2 is the named candidate');
    assert.equal(readsFor(base({ me: 'node3', cluster: cluster({ failover: true }) })).peers, true);
    assert.equal(readsFor(base({ cluster: cluster({ leader: 'node1', failover: true }) })).peers, true, 'leader still there: demotion pending');
  });
  test('local slots only on an idle replica that keeps logical slot copies', () => {
    const logical = input({ dcs: { slots: { l: { type: 'logical', database: 'postgres', plugin: 'test_decoding' } } } }).config;
    assert.equal(readsFor(base({ config: logical })).localSlots, true);
    assert.equal(readsFor(base({ config: logical, async: running(TASKS.restart) })).localSlots, false);
    assert.equal(readsFor(base({ config: logical, pg: pgRunning(primary()) })).localSlots, false);
    assert.equal(readsFor(base({})).localSlots, false);
  });
});
