// The HA core's side of user scripts: pre_promote's refusal, the callbacks it decides itself, custom
// bootstrap failure, and which replica creation methods a clone task gets (issue 11).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../../src/ha/core/decide.js';
import type { Action } from '../../../src/ha/core/decision.js';
import { cluster, input, pgEmpty, pgRunning, primary, server, walk } from './fixtures.js';

const PROMOTE = { kind: 'promote', name: 'promote' } as const;
const tasks = (actions: Action[]) => actions.flatMap((a) => (a.type === 'run_async' ? [a.task] : []));

describe('pre_promote', () => {
  test('a refused promotion gives the lock back and says so (Ha.enforce_primary_role)', () => {
    const i = input({
      me: 'node2',
      cluster: cluster({ leader: 'node2' }),
      pg: pgRunning(server()),
      memory: { role: 'promoted' },
      lastAsync: { task: PROMOTE, ok: false, failure: 'pre_promote' },
    });
    const w = walk(decide(i));
    assert.equal(w.message, 'Promotion cancelled because the pre-promote script failed');
    assert.deepEqual(
      w.actions.filter((a) => a.type !== 'sync_slots'),
      [
        { type: 'forget_async_outcome' },
        { type: 'log', level: 'warning', message: 'Releasing the leader key voluntarily because the pre-promote script failed' },
        { type: 'set_memory', patch: { releasedLeaderKeyAt: i.now, role: 'replica' } },
        { type: 'delete_leader' },
      ],
    );
  });
  test('a promote that failed otherwise is retried, not released', () => {
    const i = input({ me: 'node2', cluster: cluster({ leader: 'node2' }), pg: pgRunning(server()), lastAsync: { task: PROMOTE, ok: false } });
    const w = walk(decide(i));
    assert.equal(w.message, 'promoted self to leader because I had the session lock');
    assert.ok(tasks(w.actions).some((t) => t.kind === 'promote'));
  });
  test('after releasing, the node stays out of the leader race for ttl seconds', () => {
    const base = input({ me: 'node2', cluster: cluster({}), pg: pgRunning(server()), dcs: { ttl: 30 } });
    const backoff = decide({ ...base, memory: { ...base.memory, releasedLeaderKeyAt: base.now - 29_000 } });
    assert.equal(backoff.branch, undefined, 'no acquire_leader attempt');
    assert.ok(backoff.reasons?.some((r) => r.why.startsWith('backoff: skip leader race after pre_promote script failure')));
    const later = decide({ ...base, memory: { ...base.memory, releasedLeaderKeyAt: base.now - 31_000 } });
    assert.equal(later.branch?.attempt, 'acquire_leader');
  });
});

describe('callbacks decided by the cycle', () => {
  test('on_start primary once a new cluster is initialized, lifting the bootstrap hold', () => {
    const w = walk(
      decide(
        input({
          me: 'node1',
          cluster: cluster({ initialize: '' }),
          pg: pgRunning(primary()),
          memory: { bootstrap: { stage: 'post_bootstrap' } },
          lastAsync: { task: { kind: 'post_bootstrap', name: 'post_bootstrap' }, ok: true },
        }),
      ),
    );
    assert.equal(w.message, 'initialized a new cluster');
    assert.deepEqual(w.actions.at(-1), { type: 'run_callback', action: 'on_start', role: 'primary', endBootstrap: true });
  });
});

describe('bootstrap', () => {
  test('a failed custom bootstrap: initialize key back, PostgreSQL stopped, data dir set aside, exit', () => {
    const w = walk(
      decide(
        input({
          me: 'node1',
          cluster: cluster({ initialize: '' }),
          pg: pgEmpty,
          memory: { bootstrap: { stage: 'initdb' } },
          lastAsync: { task: { kind: 'bootstrap', name: 'bootstrap' }, ok: false },
        }),
      ),
    );
    assert.equal(w.message, 'Failed to bootstrap cluster: bootstrap failed');
    assert.deepEqual(
      w.actions.map((a) => a.type),
      ['log', 'cancel_initialization', 'stop_postgres', 'move_data_directory', 'set_memory', 'forget_async_outcome', 'exit'],
    );
  });
  test('clone from the leader with the configured methods in order', () => {
    const i = input({ me: 'node2', cluster: cluster({ leader: 'node1' }), pg: pgEmpty });
    const w = walk(decide({ ...i, me: { ...i.me, replicaMethods: ['wale', 'basebackup'] } }));
    assert.deepEqual(
      tasks(w.actions).map((t) => t.kind === 'clone' && t.methods),
      [['wale', 'basebackup']],
    );
  });
  test('no leader: a no_leader method creates the replica from the backup store', () => {
    const i = input({ me: 'node2', cluster: cluster({}), pg: pgEmpty });
    const me = { ...i.me, replicaMethods: ['wale', 'basebackup'], noLeaderMethods: ['wale'] };
    const w = walk(decide({ ...i, me }));
    assert.equal(w.message, 'trying to bootstrap (without leader)');
    assert.deepEqual(tasks(w.actions), [{ kind: 'clone', name: 'bootstrap (without leader)', from: null, methods: ['wale'], follow: null }]);
    // Not while another node is bootstrapping the cluster (initialize key "").
    const racing = walk(decide({ ...i, me, cluster: cluster({ initialize: '' }) }));
    assert.equal(racing.message, 'waiting for leader to bootstrap');
  });
  test('without such a method a node with no leader waits', () => {
    assert.equal(walk(decide(input({ me: 'node2', cluster: cluster({}), pg: pgEmpty }))).message, 'waiting for leader to bootstrap');
  });
  test('a standby cluster fed only by restore_command bootstraps its leader with its no_leader methods', () => {
    const i = input({
      me: 'node1',
      cluster: cluster({ initialize: null }),
      pg: pgEmpty,
      dcs: { standby_cluster: { restore_command: 'cp /archive/%f %p', create_replica_methods: ['restore', 'basebackup'] } },
    });
    const w = walk(decide({ ...i, me: { ...i.me, noLeaderMethods: ['restore'] } }));
    assert.equal(w.message, 'trying to bootstrap a new standby leader');
    assert.deepEqual(tasks(w.actions), [{ kind: 'bootstrap_standby_leader', name: 'bootstrap_standby_leader', from: null, methods: ['restore'] }]);
  });
  test('a standby cluster with a host uses standby_cluster.create_replica_methods', () => {
    const w = walk(
      decide(
        input({
          me: 'node1',
          cluster: cluster({ initialize: null }),
          pg: pgEmpty,
          dcs: { standby_cluster: { host: '10.0.0.1', port: 5432, create_replica_methods: ['pgbackrest', 'basebackup'] } },
        }),
      ),
    );
    assert.deepEqual(
      tasks(w.actions).map((t) => t.kind === 'bootstrap_standby_leader' && t.methods),
      [['pgbackrest', 'basebackup']],
    );
  });
});
