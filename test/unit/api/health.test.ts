import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { healthCode, livenessCode, parseTarget, readinessCode, type HealthInputs } from '../../../src/api/health.js';
import type { NodeStatus } from '../../../src/api/node-status.js';
import { batman } from '../../support/api/fixtures.js';

const patroni = { version: '4.1.4', scope: 'batman', name: 'n' };
const primary: NodeStatus = { state: 'running', role: 'primary', xlog: { location: 100 }, dcs_last_seen: 0, patroni };
const replica = (over: Partial<NodeStatus> = {}): NodeStatus => ({
  state: 'running',
  role: 'replica',
  xlog: { received_location: 100, replayed_location: 100, replayed_timestamp: null, paused: false },
  replication_state: 'streaming',
  dcs_last_seen: 0,
  patroni,
  ...over,
});

const cluster = batman({ status: { optime: 100, slots: {}, retainSlots: [] } });
const leaderNode: HealthInputs = { status: primary, latestEndLsn: 0, cluster, isLeader: true, standbyCluster: false, tags: {} };
const replicaNode: HealthInputs = { status: replica(), latestEndLsn: 0, cluster, isLeader: false, standbyCluster: false, tags: {} };

function code(target: string, inp: HealthInputs): number {
  const { path, query } = parseTarget(target);
  return healthCode(path, query, inp);
}

describe('health checks (RestApiHandler.do_GET)', () => {
  const table: [string, HealthInputs, number][] = [
    ['/', leaderNode, 200],
    ['/', replicaNode, 503],
    ['/primary', leaderNode, 200],
    ['/master', leaderNode, 200],
    ['/read-write', leaderNode, 200],
    ['/leader', leaderNode, 200],
    ['/leader', replicaNode, 503],
    ['/standby-leader', leaderNode, 503],
    ['/standby_leader', leaderNode, 503],
    ['/replica', replicaNode, 200],
    ['/replica', leaderNode, 503],
    ['/replicas', replicaNode, 200],
    ['/read-only', replicaNode, 200],
    ['/read-only', leaderNode, 200],
    ['/health', replicaNode, 200],
    ['/healthz', leaderNode, 200],
    ['/health', { ...replicaNode, status: replica({ state: 'stopped' }) }, 503],
    ['/sync', replicaNode, 503],
    ['/sync', { ...replicaNode, status: replica({ sync_standby: true }) }, 200],
    ['/synchronous', { ...replicaNode, status: replica({ sync_standby: true }) }, 200],
    ['/quorum', { ...replicaNode, status: replica({ quorum_standby: true }) }, 200],
    ['/quorum', replicaNode, 503],
    ['/async', replicaNode, 200],
    ['/asynchronous', { ...replicaNode, status: replica({ sync_standby: true }) }, 503],
    ['/read-only-sync', leaderNode, 200],
    ['/read-only-sync', replicaNode, 503],
    ['/read-only-synchronous', { ...replicaNode, status: replica({ sync_standby: true }) }, 200],
    ['/read-only-quorum', leaderNode, 200],
    ['/read-only-quorum', { ...replicaNode, status: replica({ quorum_standby: true }) }, 200],
    ['/foo', leaderNode, 503],
    ['/patroni', leaderNode, 503],
    ['/liveness', leaderNode, 503],
    // Rows 8-12 need a DCS view.
    ['/async', { ...replicaNode, cluster: null }, 503],
    // Replica lag: optime 100 + 2 MiB ahead of replayed 100.
    ['/replica?lag=1MB', { ...replicaNode, latestEndLsn: 100 + 2 * 1048576 }, 503],
    ['/replica?lag=3MB', { ...replicaNode, latestEndLsn: 100 + 2 * 1048576 }, 200],
    ['/replica?lag=16M', { ...replicaNode, latestEndLsn: 100 + 2 * 1048576 }, 200],
    ['/replica?lag=', { ...replicaNode, latestEndLsn: 100 + 2 * 1048576 }, 200],
    ['/replica', { ...replicaNode, tags: { noloadbalance: true } }, 503],
  ];
  for (const [target, inp, want] of table) {
    test(`${target} -> ${want}`, () => assert.equal(code(target, inp), want));
  }

  test('standby cluster leader', () => {
    const inp = { ...leaderNode, standbyCluster: true, status: replica({ role: 'standby_leader' }) };
    assert.equal(code('/standby-leader', inp), 200);
    assert.equal(code('/leader', inp), 200);
    assert.equal(code('/primary', inp), 503);
    assert.equal(code('/replica', inp), 503);
  });

  test('DCS unreachable while paused: decide from the Postgres role', () => {
    const inp = { ...leaderNode, isLeader: false, cluster: null, status: { ...primary, pause: true as const } };
    assert.equal(code('/primary', inp), 200);
    assert.equal(code('/leader', inp), 200);
    assert.equal(code('/primary', { ...inp, status: primary }), 503);
  });
});

describe('tag filters (tag_<name>=<value>)', () => {
  const tagged = { ...replicaNode, tags: { clonefrom: true, zone: 'a', prio: 1.5 } };
  const table: [string, number][] = [
    ['/replica?tag_zone=a', 200],
    ['/replica?tag_zone=b', 503],
    ['/replica?tag_missing=x', 503],
    ['/replica?tag_clonefrom=true', 200],
    ['/replica?tag_clonefrom=True', 503],
    ['/replica?tag_prio=1.5', 200],
    ['/health?tag_zone=b', 503],
    ['/read-only?tag_zone=a', 200],
  ];
  for (const [target, want] of table) test(`${target} -> ${want}`, () => assert.equal(code(target, tagged), want));
  test('leader paths ignore tag filters', () => {
    assert.equal(code('/primary?tag_zone=b', { ...leaderNode, tags: { zone: 'a' } }), 200);
  });
});

describe('/liveness and /readiness', () => {
  const now = 1_000_000;
  test('liveness thresholds', () => {
    assert.equal(livenessCode({ paused: false, nextHeartbeatDue: now - 20_000, ttl: 30, runningPrimary: true, now }), 200);
    assert.equal(livenessCode({ paused: false, nextHeartbeatDue: now - 40_000, ttl: 30, runningPrimary: true, now }), 503);
    assert.equal(livenessCode({ paused: false, nextHeartbeatDue: now - 40_000, ttl: 30, runningPrimary: false, now }), 200);
    assert.equal(livenessCode({ paused: true, nextHeartbeatDue: 0, ttl: 30, runningPrimary: true, now }), 200);
  });

  const base = { isLeader: false, postgresState: 'running', status: replica(), latestEndLsn: 0, cluster, failsafeActive: false, maximumLagOnFailover: 1048576 };
  test('readiness decisions', () => {
    assert.equal(readinessCode({}, { ...base, isLeader: true, postgresState: 'stopped' }), 200);
    assert.equal(readinessCode({}, { ...base, postgresState: 'starting' }), 503);
    assert.equal(readinessCode({}, { ...base, status: replica({ replication_state: 'in archive recovery' }) }), 503);
    assert.equal(readinessCode({}, base), 200);
    assert.equal(readinessCode({}, { ...base, cluster: null }), 503);
    assert.equal(readinessCode({}, { ...base, cluster: null, failsafeActive: true }), 200);
    const behind = { ...base, latestEndLsn: 100 + 2 * 1048576 };
    assert.equal(readinessCode({}, behind), 503);
    assert.equal(readinessCode({ lag: '4MB' }, behind), 200);
    assert.equal(readinessCode({ lag: 'junk' }, behind), 503);
    const writeAhead = {
      ...behind,
      status: replica({ xlog: { received_location: 100 + 2 * 1048576, replayed_location: 100, replayed_timestamp: null, paused: false } }),
    };
    assert.equal(readinessCode({ mode: 'write' }, writeAhead), 200);
    assert.equal(readinessCode({ mode: 'apply' }, writeAhead), 503);
  });
});

test('query parsing: first value wins, blanks dropped', () => {
  assert.deepEqual(parseTarget('/replica?lag=&lag=1MB&tag_a=x&tag_a=y'), { path: '/replica', query: { lag: '1MB', tag_a: 'x' } });
});
