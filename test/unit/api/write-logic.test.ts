// Pure logic of the write endpoints: timestamps, restart bodies, config merge, switchover checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deepCompare, patchConfig } from '../../../src/api/config-patch.js';
import { pyStr } from '../../../src/util/json.js';
import { parseRestartRequest, postgresVersionToInt, restartMatches, scheduledRestartJson } from '../../../src/api/restart-request.js';
import { parseSchedule, UNPARSABLE } from '../../../src/api/schedule.js';
import { canTakeOver, pollTimedOut, pollVerdict, switchoverCandidates, validateSwitchover } from '../../../src/api/switchover-check.js';
import { batman } from '../../support/api/fixtures.js';

const NOW = new Date('2025-01-01T00:00:00Z');

describe('parseSchedule', () => {
  test('accepts ISO forms with every offset style and keeps the offset in isoformat', () => {
    for (const [input, utc, iso] of [
      ['2030-01-02T03:04:05Z', '2030-01-02T03:04:05.000Z', '2030-01-02T03:04:05+00:00'],
      ['2030-01-02 03:04+02', '2030-01-02T01:04:00.000Z', '2030-01-02T03:04:00+02:00'],
      ['2030-01-02T03:04:05.5-0130', '2030-01-02T04:34:05.500Z', '2030-01-02T03:04:05.500000-01:30'],
      ['2030-01-02T03:04:05+05:30', '2030-01-01T21:34:05.000Z', '2030-01-02T03:04:05+05:30'],
    ] as const) {
      const r = parseSchedule(input, 'switchover', NOW);
      assert.equal(r.kind, 'ok', input);
      if (r.kind === 'ok') {
        assert.equal(r.at.toISOString(), utc);
        assert.equal(r.iso, iso);
      }
    }
  });
  test('refusals: no timezone 400, past 422, garbage 422', () => {
    assert.deepEqual(parseSchedule('2030-01-02T03:04', 'restart', NOW), {
      kind: 'invalid',
      code: 400,
      message: 'Timezone information is mandatory for the scheduled restart',
    });
    assert.deepEqual(parseSchedule('2020-01-02T03:04Z', 'switchover', NOW), { kind: 'invalid', code: 422, message: 'Cannot schedule switchover in the past' });
    for (const bad of ['tomorrow', '2030-02-30T00:00Z', '2030-13-01T00:00Z', 42, null]) {
      assert.deepEqual(parseSchedule(bad, 'switchover', NOW), { kind: 'invalid', code: 422, message: UNPARSABLE }, String(bad));
    }
  });
});

describe('restart request', () => {
  test('postgres_version_to_int', () => {
    assert.equal(postgresVersionToInt('10.1'), 100001);
    assert.equal(postgresVersionToInt('9.6.3'), 90603);
    assert.equal(postgresVersionToInt('15.4'), 150004);
    for (const bad of ['9.6', '10', '1.2.3.4', 'x.1']) {
      assert.throws(() => postgresVersionToInt(bad), { message: `Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${bad}` });
    }
    assert.throws(() => postgresVersionToInt('10.-1'), { message: 'Invalid PostgreSQL version: 10.-1' });
  });
  test('validation order and texts', () => {
    const p = (body: Record<string, unknown>, paused = false) => parseRestartRequest(body as never, paused, NOW);
    assert.deepEqual(p({ schedule: '2030-01-01T00:00Z' }, true), { kind: 'invalid', code: 500, message: "Can't schedule restart in the paused state" });
    assert.deepEqual(p({ role: 'master' }), { kind: 'invalid', code: 400, message: 'PostgreSQL role should be either primary, standby_leader, or replica' });
    assert.deepEqual(p({ timeout: '0' }), { kind: 'invalid', code: 400, message: 'Timeout should be a positive number of seconds' });
    assert.deepEqual(p({ timeout: 'soon' }), { kind: 'invalid', code: 400, message: 'Timeout should be a positive number of seconds' });
    assert.deepEqual(p({ foo: 1 }), { kind: 'invalid', code: 400, message: 'Unknown filter for the scheduled restart: foo' });
    assert.deepEqual(p({ postgres_version: '9' }), { kind: 'invalid', code: 400, message: 'Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 9' });
    // Keys are checked in body order: the first bad one answers.
    assert.equal((p({ foo: 1, role: 'x' }) as { message: string }).message, 'Unknown filter for the scheduled restart: foo');
    assert.deepEqual(p({ timeout: '5min', role: 'replica', restart_pending: false }), {
      kind: 'now',
      filters: { restartPending: true, timeoutSeconds: 300, role: 'replica' },
    });
    const s = p({ schedule: '2030-01-01T10:00+01:00', postgres_version: '16.1' });
    assert.equal(s.kind, 'scheduled');
    if (s.kind === 'scheduled') {
      assert.deepEqual(scheduledRestartJson(s.restart), { schedule: '2030-01-01T10:00:00+01:00', postgres_version: '16.1' });
    }
  });
  test('restart filters', () => {
    const facts = { role: 'replica', serverVersion: 150004, pendingRestart: false };
    assert.equal(restartMatches({ restartPending: false }, facts), true);
    assert.equal(restartMatches({ restartPending: false, role: 'primary' }, facts), false);
    assert.equal(restartMatches({ restartPending: false, postgresVersion: '15.4' }, facts), false);
    assert.equal(restartMatches({ restartPending: false, postgresVersion: '15.5' }, facts), true);
    assert.equal(restartMatches({ restartPending: true }, facts), false);
    assert.equal(restartMatches({ restartPending: true }, { ...facts, pendingRestart: true }), true);
  });
});

describe('config patch', () => {
  test('merge: null removes, dicts recurse, str() equality is no change', () => {
    const base = { ttl: 30, pause: true, postgresql: { parameters: { a: '1', b: 2 } } };
    assert.deepEqual(patchConfig(base, { ttl: '30', pause: 'True' }), { config: base, changed: false });
    assert.deepEqual(patchConfig(base, { missing: null }), { config: base, changed: false });
    const r = patchConfig(base, { pause: null, loop_wait: 5, postgresql: { parameters: { a: null, b: 3 } } });
    assert.deepEqual(r, { config: { ttl: 30, postgresql: { parameters: { b: 3 } }, loop_wait: 5 }, changed: true });
    assert.deepEqual(base.postgresql.parameters, { a: '1', b: 2 }, 'input untouched');
  });
  test('deep compare and Python str()', () => {
    assert.equal(deepCompare({ a: 1, b: { c: true } }, { b: { c: 'True' }, a: '1' }), true);
    assert.equal(deepCompare({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(deepCompare({ a: { b: 1 } }, { a: 1 }), false);
    assert.deepEqual([pyStr(null), pyStr(false), pyStr(['a', 1])], ['None', 'False', "['a', 1]"]);
  });
});

describe('switchover checks', () => {
  const v = (action: 'switchover' | 'failover', body: Record<string, unknown>, paused = false) => validateSwitchover(action, body as never, paused, NOW);
  test('validation order and texts', () => {
    assert.deepEqual(v('failover', {}), { kind: 'refused', code: 400, message: 'Failover could be performed only to a specific candidate' });
    assert.deepEqual(v('switchover', { candidate: 'a' }), { kind: 'refused', code: 400, message: 'Switchover could be performed only from a specific leader' });
    assert.deepEqual(v('failover', { candidate: 'a', scheduled_at: '2030-01-01T00:00Z' }), {
      kind: 'refused',
      code: 400,
      message: "Failover can't be scheduled",
    });
    assert.deepEqual(v('switchover', { leader: 'a', scheduled_at: '2030-01-01T00:00Z' }, true), {
      kind: 'refused',
      code: 400,
      message: "Can't schedule switchover in the paused state",
    });
    assert.deepEqual(v('switchover', { leader: 'a', scheduled_at: '2030-01-01T00:00' }), {
      kind: 'refused',
      code: 400,
      message: 'Timezone information is mandatory for the scheduled switchover',
    });
    assert.deepEqual(v('switchover', { leader: 'a', scheduled_at: '2000-01-01T00:00Z' }), {
      kind: 'refused',
      code: 422,
      message: 'Cannot schedule switchover in the past',
    });
    assert.deepEqual(v('switchover', { leader: 'a', scheduled_at: 'x' }), { kind: 'refused', code: 422, message: UNPARSABLE });
    assert.deepEqual(v('switchover', { leader: 'a' }, true), {
      kind: 'refused',
      code: 400,
      message: 'Switchover is possible only to a specific candidate in a paused state',
    });
    assert.deepEqual(v('switchover', { leader: 'a', member: 'a' }), { kind: 'refused', code: 400, message: 'Switchover target and source are the same' });
    assert.deepEqual(v('failover', { leader: 'a', candidate: 'b' }), { action: 'switchover', leader: 'a', candidate: 'b' });
    assert.deepEqual(v('failover', { candidate: 'b' }), { action: 'failover', candidate: 'b' });
  });
  test('feasibility candidates', () => {
    const c = batman();
    const req = (o: object) => ({ action: 'switchover' as const, ...o });
    assert.equal(switchoverCandidates(c, req({ leader: 'x' }), false), 'leader name does not match');
    assert.equal(switchoverCandidates(c, req({ leader: 'postgresql0', candidate: 'nope' }), false), 'candidate does not exists');
    assert.equal(switchoverCandidates(c, req({ leader: 'postgresql0', candidate: 'postgresql1' }), true), 'candidate name does not match with sync_standby');
    assert.equal(switchoverCandidates(c, req({ leader: 'postgresql0' }), true), 'switchover is not possible: can not find sync_standby');
    const synced = { ...c, sync: { members: ['postgresql2'], quorum: 0, leader: 'postgresql0' } };
    assert.deepEqual(
      (switchoverCandidates(synced, req({ leader: 'postgresql0' }), true) as { name: string }[]).map((m) => m.name),
      ['postgresql2'],
    );
    assert.deepEqual(
      (switchoverCandidates(c, req({ leader: 'postgresql0' }), false) as { name: string }[]).map((m) => m.name),
      ['postgresql1', 'postgresql2'],
    );
    const alone = { ...c, members: c.members.slice(0, 1) };
    assert.equal(switchoverCandidates(alone, req({ leader: 'postgresql0' }), false), 'switchover is not possible: cluster does not have members except leader');
  });
  test('candidate status', () => {
    assert.equal(canTakeOver({ xlog: { location: 1 } }), true);
    assert.equal(canTakeOver({ state: 'running' }), false);
    assert.equal(canTakeOver(null), false);
    assert.equal(canTakeOver({ xlog: {}, tags: { nofailover: true } }), false);
    assert.equal(canTakeOver({ xlog: {}, tags: { failover_priority: 0 } }), false);
    assert.equal(canTakeOver({ xlog: {}, watchdog_failed: true }), false);
  });
  test('polling verdicts', () => {
    const c = batman({ failover: { version: '9', leader: 'postgresql0', candidate: 'postgresql1' } });
    const sw = { action: 'switchover' as const, leader: 'postgresql0', candidate: 'postgresql1' };
    assert.deepEqual(pollVerdict(c, 'postgresql0', sw), { kind: 'wait' });
    const moved = (to: string) => ({ ...c, leader: { name: to, version: '2' } });
    assert.deepEqual(pollVerdict(moved('postgresql1'), 'postgresql0', sw), { kind: 'done', code: 200, message: 'Successfully switched over to "postgresql1"' });
    assert.deepEqual(pollVerdict(moved('postgresql2'), 'postgresql0', sw), {
      kind: 'done',
      code: 200,
      message: 'Switched over to "postgresql2" instead of "postgresql1"',
    });
    const fo = { action: 'failover' as const, candidate: 'postgresql1' };
    assert.deepEqual(pollVerdict(moved('postgresql1'), 'postgresql0', fo), { kind: 'done', code: 200, message: 'Successfully failed over to "postgresql1"' });
    assert.deepEqual(pollVerdict(moved('postgresql2'), 'postgresql0', fo), {
      kind: 'done',
      code: 200,
      message: 'Failed over to "postgresql2" instead of "postgresql1"',
    });
    assert.deepEqual(pollVerdict({ ...c, failover: null }, 'postgresql0', fo), { kind: 'done', code: 503, message: 'Failover failed' });
    assert.equal(pollTimedOut('switchover', 20), 'Switchover status unknown after 20 seconds; operation may still be in progress');
  });
});
