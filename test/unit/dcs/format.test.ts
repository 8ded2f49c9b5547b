import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFailover, formatHistory, formatMember, formatStatus, formatSync } from '../../../src/dcs/format.js';
import { parseMemberData } from '../../../src/dcs/parse.js';
import { JsonObjectSplitter } from '../../../src/dcs/json-stream.js';
import { classifyReply, apiPrefixFor, LeaseNotFound } from '../../../src/dcs/etcd3-errors.js';
import { clusterPathFor, shouldWake } from '../../../src/dcs/etcd3-cache.js';
import { prefixRangeEnd, b64 } from '../../../src/dcs/etcd3-kv.js';

test('member: compact JSON in Patroni field order, round-trips through the parser', () => {
  const data = {
    timeline: 2,
    role: 'replica' as const,
    api_url: 'http://h:8008/patroni',
    conn_url: 'postgres://h:5432/postgres',
    state: 'running',
    version: '4.1.4',
    xlog_location: 10,
  };
  const s = formatMember(data);
  assert.equal(
    s,
    '{"conn_url":"postgres://h:5432/postgres","api_url":"http://h:8008/patroni","state":"running","role":"replica","version":"4.1.4","xlog_location":10,"timeline":2}',
  );
  assert.deepEqual(parseMemberData('x', s), data);
});

test('failover, status, sync, history serializers', () => {
  assert.equal(formatFailover({}), '{}');
  assert.equal(
    formatFailover({ leader: 'pg1', candidate: 'pg2', scheduledAt: new Date('2024-05-02T10:30:00Z') }),
    '{"leader":"pg1","member":"pg2","scheduled_at":"2024-05-02T10:30:00.000+00:00"}',
  );
  assert.equal(formatFailover({ candidate: 'pg2' }), '{"member":"pg2"}');
  assert.equal(formatStatus({ optime: 5, slots: { a: 1 }, retainSlots: ['pg2'] }), '{"optime":5,"slots":{"a":1},"retain_slots":["pg2"]}');
  assert.equal(formatStatus({ optime: 5, slots: null }), '{"optime":5}');
  assert.equal(formatSync('pg1', ['pg3', 'pg2'], 1), '{"leader":"pg1","quorum":1,"sync_standby":"pg2,pg3"}');
  assert.equal(formatSync('pg1', []), '{"leader":"pg1","quorum":0,"sync_standby":null}');
  assert.equal(formatHistory([[1, 100, 'r', '2024-01-01T00:00:00+00:00', 'pg2']]), '[[1,100,"r","2024-01-01T00:00:00+00:00","pg2"]]');
});

test('JSON object splitter handles arbitrary chunking and braces in strings', () => {
  const s = new JsonObjectSplitter();
  const objs = ['{"a":"x}{"}', '{"b":{"c":"\\"}"}}', '{"d":1}'];
  const text = objs.join('\n');
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 3) out.push(...s.push(text.slice(i, i + 3)));
  assert.deepEqual(out, objs);
});

test('reply classification', () => {
  assert.equal(classifyReply(200, '{"header":{}}', false).kind, 'ok');
  assert.equal(classifyReply(503, '{"error":"etcdserver: leader changed","code":14}', false).kind, 'switch');
  assert.equal(classifyReply(400, '{"error":"etcdserver: invalid auth token","code":3}', true).kind, 'reauth');
  assert.equal(classifyReply(400, '{"error":"etcdserver: permission denied","code":7}', true).kind, 'refused');
  assert.equal(classifyReply(400, '{"error":"etcdserver: request timed out","code":4}', false).kind, 'retry');
  const c = classifyReply(404, '{"error":"etcdserver: requested lease not found","code":5}', false);
  assert.ok(c.kind === 'refused' && c.error instanceof LeaseNotFound);
  assert.equal(apiPrefixFor({ etcdserver: '3.4.30', etcdcluster: '3.4.0' }), '/v3');
  assert.equal(apiPrefixFor({ etcdserver: '3.3.1', etcdcluster: '3.3.0' }), '/v3beta');
  assert.equal(apiPrefixFor({ etcdserver: '3.2.1', etcdcluster: '3.2.0' }), '/v3alpha');
});

test('paths, range ends and wake rules', () => {
  assert.equal(clusterPathFor('/service/', 'batman'), '/service/batman');
  assert.equal(clusterPathFor('service', 'batman'), '/service/batman');
  assert.equal(prefixRangeEnd('/service/batman/'), b64('/service/batman0'));
  assert.equal(shouldWake('leader', { key: 'k', oldValue: 'a' }, false), true);
  assert.equal(shouldWake('leader', { key: 'k', oldValue: 'a', newValue: 'a' }, false), false);
  assert.equal(shouldWake('config', { key: 'k', newValue: '{}' }, false), false);
  assert.equal(shouldWake('config', { key: 'k', oldValue: '{}', newValue: '{"a":1}' }, false), true);
  assert.equal(shouldWake('failover', { key: 'k', oldValue: '{}', newValue: '{}' }, false), true);
  assert.equal(shouldWake('status', { key: 'k', oldValue: '1', newValue: '2' }, true), false);
  assert.equal(shouldWake('status', { key: 'k', oldValue: '1', newValue: '2' }, false), true);
  assert.equal(shouldWake('members/x', { key: 'k', oldValue: '1', newValue: '2' }, false), false);
  assert.equal(shouldWake('members/x', { key: 'k', oldValue: '1', newValue: '2' }, true), false);
  assert.equal(shouldWake('members/x', { key: 'k', newValue: '{}' }, true), true, 'the leader wakes for a new member');
  assert.equal(shouldWake('members/x', { key: 'k', newValue: '{}' }, false), false);
});
