// The watch cache's generation: what Etcd3.getCluster keys its parsed Cluster on, so a cycle or a
// GET /cluster parses the keys again only after the cache changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KvCache } from '../../../src/dcs/kv-cache.js';

const kv = (key: string, value: string, rev: string) => ({ key, value, modRevision: rev, createRevision: rev });

test('KvCache.generation moves with every applied put, delete and reset, never with an ignored event', () => {
  const c = new KvCache();
  const g0 = c.generation;
  c.reset([kv('/s/leader', 'a', '5')]);
  const g1 = c.generation;
  assert.notEqual(g1, g0);
  assert.equal(c.put(kv('/s/leader', 'a', '4')), undefined, 'older than what is held');
  assert.equal(c.generation, g1);
  c.put(kv('/s/leader', 'a', '6')); // same value, new revision: the leader's version changed
  const g2 = c.generation;
  assert.notEqual(g2, g1);
  assert.equal(c.delete('/s/leader', '5'), undefined);
  assert.equal(c.generation, g2);
  c.delete('/s/leader', '7');
  assert.notEqual(c.generation, g2);
});
