import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCluster, parseFailover, parseMemberData, parseStatus, parseSync, parseHistory, type RawNode } from '../../../src/dcs/parse.js';
import { clusterTimeline } from '../../../src/dcs/cluster.js';

const node = (key: string, value: string, version = '5', session?: string): RawNode =>
  session === undefined ? { key, value, version } : { key, value, version, session };

describe('member parsing', () => {
  test('JSON member with lenient LSNs and master role', () => {
    const d = parseMemberData(
      'pg1',
      '{"conn_url":"postgres://h:5432/postgres","api_url":"http://h:8008/patroni","state":"running","role":"master","xlog_location":"123","replay_lsn":"x","timeline":2,"tags":{"nofailover":true}}',
    );
    assert.equal(d.role, 'primary');
    assert.equal(d.xlog_location, 123);
    assert.equal(d.replay_lsn, undefined);
    assert.equal(d.timeline, 2);
    assert.deepEqual(d.tags, { nofailover: true });
  });
  test('legacy Governor format', () => {
    const d = parseMemberData('pg1', 'postgres://u:p@10.0.0.1:5432/postgres?application_name=http://10.0.0.1:8008/patroni');
    assert.deepEqual(d, { conn_url: 'postgres://u:p@10.0.0.1:5432/postgres', api_url: 'http://10.0.0.1:8008/patroni' });
  });
  test('garbage and non-object values yield empty data, never throw', () => {
    assert.deepEqual(parseMemberData('g', '{not json'), {});
    assert.deepEqual(parseMemberData('g', '[1,2]'), {});
    assert.deepEqual(parseMemberData('g', '42'), {});
    const c = parseCluster([node('members/g', '{garbage'), node('members/ok', '{"role":"replica"}')]);
    assert.deepEqual(
      c.members.map((m) => [m.name, m.data]),
      [
        ['g', {}],
        ['ok', { role: 'replica' }],
      ],
    );
  });
  test('conn_kwargs builds conn_url', () => {
    assert.equal(parseMemberData('a', '{"conn_kwargs":{"host":"h","port":5433}}').conn_url, 'postgresql://h:5433');
  });
  test('only members one level deep; unknown keys ignored', () => {
    const c = parseCluster([node('members/a', '{}'), node('members/a/b', '{}'), node('foo', 'x'), node('members/', '{}')]);
    assert.deepEqual(
      c.members.map((m) => m.name),
      ['a'],
    );
  });
});

describe('cluster parsing', () => {
  test('leader with its member record and session', () => {
    const c = parseCluster([node('leader', 'pg1', '7', 'L1'), node('members/pg1', '{"role":"primary"}', '6', 'L1'), node('initialize', '7000000000000000001')]);
    assert.equal(c.leader?.name, 'pg1');
    assert.equal(c.leader?.session, 'L1');
    assert.equal(c.leader?.version, '7');
    assert.equal(c.leader?.member?.data.role, 'primary');
    assert.equal(c.initialize, '7000000000000000001');
  });
  test('leader without a member record; empty initialize kept', () => {
    const c = parseCluster([node('leader', 'pg9'), node('initialize', '')]);
    assert.equal(c.leader?.member, undefined);
    assert.equal(c.initialize, '');
    assert.equal(parseCluster([]).initialize, null);
  });
  test('config: valid vs invalid', () => {
    const ok = parseCluster([node('config', '{"ttl":30}', '12')]).config;
    assert.equal(ok?.modifyVersion, 12);
    assert.deepEqual(ok?.data, { ttl: 30 });
    const bad = parseCluster([node('config', '{oops', '13')]).config;
    assert.equal(bad?.modifyVersion, 0);
    assert.deepEqual(bad?.data, {});
    assert.equal(parseCluster([node('config', '[1]', '14')]).config?.modifyVersion, 0);
  });
  test('failover: JSON, legacy, empty', () => {
    const f = parseFailover(node('failover', '{"leader":"pg1","member":"pg2","scheduled_at":"2024-05-02T10:30:00+00:00"}'));
    assert.equal(f?.leader, 'pg1');
    assert.equal(f?.candidate, 'pg2');
    assert.equal(f?.scheduledAt?.toISOString(), '2024-05-02T10:30:00.000Z');
    assert.deepEqual(parseFailover(node('failover', 'pg1:pg2')), { version: '5', leader: 'pg1', candidate: 'pg2' });
    assert.deepEqual(parseFailover(node('failover', ':pg2')), { version: '5', candidate: 'pg2' });
    assert.equal(parseFailover(node('failover', '{}')), null);
    assert.equal(parseFailover(node('failover', '')), null);
    assert.equal(parseCluster([node('failover', '{}')]).failover, null);
  });
  test('sync: sorted names, quorum only with leader, invalid -> empty', () => {
    assert.deepEqual(parseSync(node('sync', '{"leader":"pg1","quorum":1,"sync_standby":"pg3, pg2"}', '9')), {
      version: '9',
      leader: 'pg1',
      members: ['pg2', 'pg3'],
      quorum: 1,
    });
    assert.deepEqual(parseSync(node('sync', '{"quorum":2,"sync_standby":"pg2"}', '9')), { version: '9', members: [], quorum: 0 });
    assert.deepEqual(parseSync(node('sync', '{bad', '9')), { version: '9', members: [], quorum: 0 });
    assert.deepEqual(parseSync(undefined), { members: [], quorum: 0 });
    assert.deepEqual(parseSync(node('sync', '{"leader":"pg1","quorum":0,"sync_standby":null}')).members, []);
  });
  test('history: array of arrays; invalid -> null; timeline', () => {
    const h = parseHistory(node('history', '[[1,25165984,"no recovery target specified","2024-05-02T10:11:12+00:00","pg2"],[2,33554432,"x"]]'));
    assert.deepEqual(h?.lines, [
      [1, 25165984, 'no recovery target specified', '2024-05-02T10:11:12+00:00', 'pg2'],
      [2, 33554432, 'x'],
    ]);
    assert.equal(parseHistory(node('history', '{"a":1}')), null);
    assert.equal(parseHistory(node('history', 'junk')), null);
    assert.equal(clusterTimeline(parseCluster([node('history', '[]')])), 1);
    assert.equal(clusterTimeline(parseCluster([node('history', '[[3,100,"r"]]')])), 4);
    assert.equal(clusterTimeline(parseCluster([node('history', 'junk')])), 0);
  });
  test('status: JSON, bare int, JSON-string slots, optime/leader fallback', () => {
    assert.deepEqual(parseStatus(node('status', '{"optime":100,"slots":{"a":5},"retain_slots":["pg2"]}'), undefined), {
      optime: 100,
      slots: { a: 5 },
      retainSlots: ['pg2'],
    });
    assert.deepEqual(parseStatus(node('status', '555'), undefined), { optime: 555, slots: {}, retainSlots: [] });
    assert.deepEqual(parseStatus(node('status', '{"optime":"7","slots":"{\\"b\\":9}","retain_slots":"[\\"x\\"]"}'), undefined), {
      optime: 7,
      slots: { b: 9 },
      retainSlots: ['x'],
    });
    assert.equal(parseCluster([node('optime/leader', '4242')]).status.optime, 4242);
    assert.equal(parseCluster([node('status', '{"optime":1}'), node('optime/leader', '4242')]).status.optime, 1);
    assert.equal(parseCluster([node('status', 'garbage')]).status.optime, 0);
  });
  test('failsafe: object of strings; invalid -> null', () => {
    assert.deepEqual(parseCluster([node('failsafe', '{"pg1":"http://a/patroni"}')]).failsafe, { pg1: 'http://a/patroni' });
    assert.equal(parseCluster([node('failsafe', '{x')]).failsafe, null);
    assert.equal(parseCluster([]).failsafe, null);
  });
});
