import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  clonefrom,
  contradictoryTags,
  failoverPriority,
  noloadbalance,
  nofailover,
  nostream,
  nosync,
  publishedTags,
  replicatefrom,
  syncPriority,
} from '../../../src/config/tags.js';

describe('tags', () => {
  // tags -> [nofailover, failover_priority, nosync, sync_priority]
  const table: Array<[Record<string, unknown> | undefined, [boolean, number, boolean, number]]> = [
    [undefined, [false, 1, false, 1]],
    [{}, [false, 1, false, 1]],
    [{ nofailover: true }, [true, 0, false, 1]],
    [{ nofailover: false }, [false, 1, false, 1]],
    [{ nofailover: 'on' }, [true, 0, false, 1]],
    [{ failover_priority: 0 }, [true, 0, false, 1]],
    [{ failover_priority: 3 }, [false, 3, false, 1]],
    [{ nofailover: true, failover_priority: 5 }, [true, 0, false, 1]],
    [{ nofailover: false, failover_priority: 0 }, [false, 0, false, 1]],
    [{ nosync: true }, [false, 1, true, 0]],
    [{ sync_priority: 0 }, [false, 1, true, 0]],
    [{ sync_priority: '2' }, [false, 1, false, 2]],
    [{ nosync: true, sync_priority: 2 }, [false, 1, true, 0]],
  ];
  for (const [tags, expected] of table) {
    test(`${JSON.stringify(tags)} -> ${JSON.stringify(expected)}`, () => {
      assert.deepEqual([nofailover(tags), failoverPriority(tags), nosync(tags), syncPriority(tags)], expected);
    });
  }

  test('boolean tags and replicatefrom', () => {
    const tags = { nostream: true, noloadbalance: 'yes', clonefrom: false, replicatefrom: 'node2' };
    assert.deepEqual([nostream(tags), noloadbalance(tags), clonefrom(tags), replicatefrom(tags)], [true, true, false, 'node2']);
    assert.deepEqual([nostream({}), noloadbalance(undefined), clonefrom(null), replicatefrom({ replicatefrom: '' })], [false, false, false, undefined]);
  });

  test('publishedTags: false booleans dropped unless paired with their priority; others kept', () => {
    assert.deepEqual(
      publishedTags({ nofailover: false, noloadbalance: false, clonefrom: true, nostream: false, nosync: false, custom: 'x', replicatefrom: 'a' }),
      { clonefrom: true, custom: 'x', replicatefrom: 'a' },
    );
    assert.deepEqual(publishedTags({ nofailover: false, failover_priority: 1, nosync: false, sync_priority: 0 }), {
      nofailover: false,
      failover_priority: 1,
      nosync: false,
      sync_priority: 0,
    });
    assert.deepEqual(publishedTags(undefined), {});
  });

  test('contradictory pairs are reported', () => {
    assert.equal(contradictoryTags({ nofailover: true, failover_priority: 2 }).length, 1);
    assert.equal(contradictoryTags({ nofailover: true, failover_priority: 0 }).length, 0);
    assert.equal(contradictoryTags({ nosync: true, sync_priority: 1 }).length, 1);
  });

  // Config._validate_contradictory_tags, both directions, Patroni's text.
  const conflicts: [Record<string, unknown>, string[]][] = [
    [
      { nofailover: true, failover_priority: 2 },
      ['Conflicting configuration between nofailover: True and failover_priority: 2. Defaulting to nofailover: True'],
    ],
    [
      { nofailover: false, failover_priority: 0 },
      ['Conflicting configuration between nofailover: False and failover_priority: 0. Defaulting to nofailover: False'],
    ],
    [{ nosync: true, sync_priority: '2' }, ['Conflicting configuration between nosync: True and sync_priority: 2. Defaulting to nosync: True']],
    [{ nosync: false, sync_priority: 0 }, ['Conflicting configuration between nosync: False and sync_priority: 0. Defaulting to nosync: False']],
    [{ nofailover: false, failover_priority: 3 }, []],
    [{ failover_priority: 0 }, []],
    [{ nosync: true }, []],
  ];
  for (const [tags, want] of conflicts) {
    test(`contradictory tags ${JSON.stringify(tags)}`, () => assert.deepEqual(contradictoryTags(tags), want));
  }

  test('precedence: the boolean tag wins over its priority (Tags._bool_tag/_priority_tag)', () => {
    assert.equal(nofailover({ nofailover: false, failover_priority: 0 }), false);
    assert.equal(failoverPriority({ nofailover: false, failover_priority: 0 }), 0);
    assert.equal(nofailover({ nofailover: true, failover_priority: 5 }), true);
    assert.equal(failoverPriority({ nofailover: true, failover_priority: 5 }), 0);
    assert.equal(nofailover({ failover_priority: 0 }), true);
    assert.equal(nosync({ nosync: false, sync_priority: 0 }), false);
    assert.equal(nosync({ sync_priority: 0 }), true);
    assert.equal(syncPriority({ nosync: true, sync_priority: 3 }), 0);
    assert.equal(syncPriority({ sync_priority: 3 }), 3);
  });
});
