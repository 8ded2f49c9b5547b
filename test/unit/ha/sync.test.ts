// Synchronous replication rules (Patroni's SyncHandler): names syntax, candidate choice, the order of key
// and names changes, pre-promote state and the quorum arithmetic.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import type { SyncState } from '../../../src/dcs/cluster.js';
import { planQuorum, requiredQuorum } from '../../../src/ha/core/sync-quorum.js';
import { confirmedMultisync, planMultisync, readyKey, selectSync, syncBeforePromote, syncKeyJson, type SelectInput } from '../../../src/ha/core/sync.js';
import { formatStandbyNames, parseStandbyNames, STRICT_PLACEHOLDER, type ReplicaProgress } from '../../../src/postgresql/sync.js';
import { member } from './fixtures.js';

const row = (name: string, lsn: number, syncState = 'async', pid = 10): ReplicaProgress => ({
  pid,
  applicationName: name,
  state: 'streaming',
  syncState,
  writeLsn: lsn,
  flushLsn: lsn,
  replayLsn: lsn,
});
const key = (members: string[], leader = 'node1', quorum = 0): SyncState => ({ version: '5', leader, members, quorum });

function sel(over: Partial<SelectInput> & { replicas: ReplicaProgress[]; names?: string }): ReturnType<typeof selectSync> {
  return selectSync({
    me: 'node1',
    members: [member('node1'), member('node2'), member('node3'), member('node4')],
    count: 1,
    maximumLagOnSyncnode: -1,
    syncKey: key([]),
    ready: new Set(),
    lsnAtChange: 0,
    ...over,
    reading: { inRecovery: false, standbyNames: over.names ?? '', synchronousCommit: 'on', walLsn: 1000, replicas: over.replicas },
  });
}

describe('synchronous_standby_names', () => {
  for (const [kind, names, num, want] of [
    ['priority', [], undefined, null],
    ['priority', ['node2'], undefined, 'node2'],
    ['priority', ['node3', 'node2'], undefined, 'FIRST 2 (node2,node3)'],
    ['priority', ['first', 'a-b'], undefined, 'FIRST 2 ("a-b","first")'],
    ['quorum', ['node3', 'node2'], 1, 'ANY 1 (node2,node3)'],
    ['quorum', ['node2'], 1, 'ANY 1 (node2)'],
  ] as const) {
    test(`${kind} ${JSON.stringify(names)} -> ${want}`, () => assert.equal(formatStandbyNames(kind, names, num), want));
  }
  test('parse lists the names, lower-casing unquoted ones', () => {
    assert.deepEqual(parseStandbyNames('ANY 2 (Node2,"Node3")'), { kind: 'quorum', num: 2, members: ['node2', 'Node3'] });
    assert.deepEqual(parseStandbyNames('node2'), { kind: 'priority', num: 1, members: ['node2'] });
    assert.deepEqual(parseStandbyNames(''), { kind: 'off', num: 0, members: [] });
  });
  test('the sync key JSON has sorted names, or null', () => {
    assert.equal(syncKeyJson({ leader: 'n1', members: ['n3', 'n2'], quorum: 0 }), '{"leader":"n1","quorum":0,"sync_standby":"n2,n3"}');
    assert.equal(syncKeyJson({ leader: 'n1', members: [], quorum: 0 }), '{"leader":"n1","quorum":0,"sync_standby":null}');
  });
});

describe('selectSync', () => {
  test('a newly listed standby counts as synchronous only once it reached the LSN of the names change', () => {
    const behind = sel({ replicas: [row('node2', 900, 'sync')], names: 'node2', lsnAtChange: 950 });
    assert.deepEqual([behind.candidates, behind.sync], [['node2'], []]);
    const caughtUp = sel({ replicas: [row('node2', 960, 'sync')], names: 'node2', lsnAtChange: 950 });
    assert.deepEqual(caughtUp.sync, ['node2']);
  });
  test('a standby already in the sync key is trusted; a reconnected one (new pid) is not', () => {
    assert.deepEqual(sel({ replicas: [row('node2', 1, 'sync')], names: 'node2', lsnAtChange: 950, syncKey: key(['node2']) }).sync, ['node2']);
    const ready = new Set([readyKey('node2', 10)]);
    assert.deepEqual(sel({ replicas: [row('node2', 1, 'sync', 11)], names: 'node2', lsnAtChange: 950, ready }).sync, []);
  });
  test('nosync, cascading and non-running members are never candidates; sync_priority orders the rest', () => {
    const members = [
      member('node1'),
      member('node2', { tags: { nosync: true } }),
      member('node3', { tags: { replicatefrom: 'node4' } }),
      member('node4', { tags: { sync_priority: 5 } }),
      member('node5', { state: 'stopped' }),
    ];
    const s = sel({ members, count: 5, replicas: [row('node2', 999), row('node3', 999), row('node4', 10), row('node5', 999)] });
    assert.deepEqual(s.candidates, ['node4']);
  });
  test('maximum_lag_on_syncnode drops a lagging standby', () => {
    const s = sel({ count: 2, maximumLagOnSyncnode: 100, replicas: [row('node2', 1000), row('node3', 500)] });
    assert.deepEqual(s.candidates, ['node2']);
  });
  // Tags._bool_tag / _priority_tag and _ReplicaList's sort: (sync_priority, sync_state, lsn) descending.
  for (const [tags, want] of [
    [{ node2: { sync_priority: 1 }, node3: { sync_priority: 2 } }, ['node3', 'node2']],
    [{ node2: { sync_priority: 0 }, node3: { sync_priority: 2 } }, ['node3']],
    [{ node2: { nosync: true, sync_priority: 5 }, node3: {} }, ['node3']],
    [{ node2: { nosync: false, sync_priority: 0 }, node3: {} }, ['node3', 'node2']],
  ] as const) {
    test(`sync priorities ${JSON.stringify(tags)} -> ${want.join(',')}`, () => {
      const members = [member('node1'), member('node2', { tags: tags.node2 }), member('node3', { tags: tags.node3 })];
      assert.deepEqual(sel({ members, count: 3, replicas: [row('node2', 1000), row('node3', 900)] }).candidates, want);
    });
  }
  test('the current synchronous standby is preferred over an async one at the same priority', () => {
    const s = sel({ replicas: [row('node2', 1000), row('node3', 900, 'sync')], names: 'node3' });
    assert.deepEqual(s.candidates, ['node3']);
  });
});

describe('multisync plan', () => {
  const on = buildDynamicConfig({ synchronous_mode: true });
  const strict = buildDynamicConfig({ synchronous_mode: true, synchronous_mode_strict: true });
  test('strict with no candidate blocks: names stay on the key members, or the placeholder', () => {
    const none = sel({ replicas: [] });
    assert.deepEqual(planMultisync(strict, key(['node2']), none), { kind: 'block', standbyNames: 'node2' });
    assert.deepEqual(planMultisync(strict, key([]), none), { kind: 'block', standbyNames: STRICT_PLACEHOLDER });
  });
  test('strict with no candidate keeps the names in effect (Patroni 4.1)', () => {
    const none = sel({ replicas: [] });
    assert.deepEqual(planMultisync(strict, key(['node2']), none, 'FIRST 2 (node2,node3)'), { kind: 'block', standbyNames: 'FIRST 2 (node2,node3)' });
    assert.deepEqual(planMultisync(strict, key([]), none, STRICT_PLACEHOLDER), { kind: 'block', standbyNames: STRICT_PLACEHOLDER });
    assert.deepEqual(planMultisync(strict, key([]), none, ''), { kind: 'block', standbyNames: STRICT_PLACEHOLDER });
  });
  test('non-strict with no candidate clears the key first, then the names', () => {
    assert.deepEqual(planMultisync(on, key(['node2']), sel({ replicas: [] })), { kind: 'update', shrinkTo: [], standbyNames: null });
  });
  test('switching standby: the key shrinks before the names change, the new one is published only once confirmed', () => {
    const s = sel({ replicas: [row('node3', 1000)], names: 'node2' });
    assert.deepEqual(planMultisync(on, key(['node2']), s), { kind: 'update', shrinkTo: [], standbyNames: 'node3' });
    assert.equal(confirmedMultisync([], s), null);
    const later = sel({ replicas: [row('node3', 1000, 'sync')], names: 'node3', lsnAtChange: 1000 });
    assert.deepEqual(confirmedMultisync([], later), ['node3']);
  });
});

describe('before promote', () => {
  test('non-strict: the key names me and nobody else; names cleared', () => {
    assert.deepEqual(syncBeforePromote(buildDynamicConfig({ synchronous_mode: 'on' }), key(['node2']), 'node2'), {
      key: { leader: 'node2', members: [], quorum: 0 },
      standbyNames: null,
    });
  });
  test('strict: the other former standbys keep protecting commits, else the placeholder', () => {
    const strict = buildDynamicConfig({ synchronous_mode: 'on', synchronous_mode_strict: true, synchronous_node_count: 2 });
    assert.deepEqual(syncBeforePromote(strict, key(['node2', 'node3']), 'node2'), {
      key: { leader: 'node2', members: ['node3'], quorum: 0 },
      standbyNames: 'node3',
    });
    assert.deepEqual(syncBeforePromote(strict, key(['node2']), 'node2')?.standbyNames, STRICT_PLACEHOLDER);
  });
  test('off: nothing to do', () => assert.equal(syncBeforePromote(buildDynamicConfig({}), key(['node2']), 'node2'), null));
});

describe('quorum', () => {
  test('requiredQuorum: a promoting set must meet every acknowledging set', () => {
    assert.equal(requiredQuorum(['a', 'b'], 1, ['a', 'b']), 1);
    assert.equal(requiredQuorum(['a', 'b', 'c'], 2, ['a', 'b', 'c']), 1);
    assert.equal(requiredQuorum(['a', 'b', 'c'], 1, ['a', 'b']), 2);
    assert.equal(requiredQuorum(['c'], 1, ['a', 'b']), 2);
    assert.equal(requiredQuorum([], 0, ['a']), 1);
  });
  test('a new replica: the key widens first, names become ANY 1 (...), the key settles once all caught up', () => {
    const s = sel({
      count: Infinity,
      replicas: [row('node2', 1000, 'quorum'), row('node3', 1000)],
      names: 'ANY 1 (node2)',
      syncKey: key(['node2'], 'node1', 0),
    });
    const plan = planQuorum({
      me: 'node1',
      syncKey: key(['node2'], 'node1', 0),
      standbyNames: 'ANY 1 (node2)',
      synchronousNodeCount: 1,
      strict: false,
      sel: s,
    });
    assert.equal(plan.kind, 'update');
    if (plan.kind !== 'update') return;
    assert.deepEqual(plan.widen, { leader: 'node1', members: ['node2', 'node3'], quorum: 1 });
    assert.deepEqual(plan.standbyNames, { members: ['node2', 'node3'], numsync: 1 });
    assert.equal(plan.settle, null);
    const after = sel({
      count: Infinity,
      replicas: [row('node2', 1000, 'quorum'), row('node3', 1000, 'quorum')],
      names: 'ANY 1 (node2,node3)',
      lsnAtChange: 1000,
    });
    const settled = planQuorum({
      me: 'node1',
      syncKey: key(['node2', 'node3'], 'node1', 1),
      standbyNames: 'ANY 1 (node2,node3)',
      synchronousNodeCount: 1,
      strict: false,
      sel: after,
    });
    assert.deepEqual(settled.kind === 'update' ? [settled.widen, settled.settle] : null, [null, null]);
  });
  test('strict with nobody healthy blocks', () => {
    assert.deepEqual(planQuorum({ me: 'node1', syncKey: key([]), standbyNames: '', synchronousNodeCount: 1, strict: true, sel: sel({ replicas: [] }) }), {
      kind: 'block',
      standbyNames: `ANY 1 (${STRICT_PLACEHOLDER})`,
    });
    assert.deepEqual(
      planQuorum({
        me: 'node1',
        syncKey: key(['node2'], 'node1', 0),
        standbyNames: 'ANY 1 (node2)',
        synchronousNodeCount: 1,
        strict: true,
        sel: sel({ replicas: [] }),
      }),
      { kind: 'block', standbyNames: null },
    );
  });
});
