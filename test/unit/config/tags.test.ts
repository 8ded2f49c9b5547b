import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  clonefrom, contradictoryTags, failoverPriority, noloadbalance, nofailover, nostream, nosync, publishedTags, replicatefrom,
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
    assert.deepEqual(publishedTags({ nofailover: false, noloadbalance: false, clonefrom: true, nostream: false, nosync: false, custom: 'x', replicatefrom: 'a' }),
      { clonefrom: true, custom: 'x', replicatefrom: 'a' });
    assert.deepEqual(publishedTags({ nofailover: false, failover_priority: 1, nosync: false, sync_priority: 0 }),
      { nofailover: false, failover_priority: 1, nosync: false, sync_priority: 0 });
    assert.deepEqual(publishedTags(undefined), {});
  });

  test('contradictory pairs are reported', () => {
    assert.equal(contradictoryTags({ nofailover: true, failover_priority: 2 }).length, 1);
    assert.equal(contradictoryTags({ nofailover: true, failover_priority: 0 }).length, 0);
    assert.equal(contradictoryTags({ nosync: true, sync_priority: 1 }).length, 1);
  });
});
