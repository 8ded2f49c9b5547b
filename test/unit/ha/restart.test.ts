// Scheduled restarts in the core: remembering one (POST /restart with `schedule`), forgetting it, and
// the cycle that runs it at its time, with the filters of Patroni's restart_matches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../../src/ha/core/decide.js';
import { cancelScheduledRestart, restartBlocked, scheduleRestart, type RestartSchedule, type ScheduledRestart } from '../../../src/ha/core/restart.js';
import { INITIAL_MEMORY } from '../../../src/ha/core/input.js';
import { input, pgRunning, primary, server, walk } from './fixtures.js';

const NOW = 1_800_000_000_000;
const START = '2026-11-26 00:00:00.000000+00:00';
const due = (over: Partial<ScheduledRestart> = {}): ScheduledRestart => ({
  at: new Date(NOW - 1000),
  atIso: '2027-01-15T08:00:00+00:00',
  restartPending: false,
  postmasterStartTime: START,
  ...over,
});

describe('scheduled restart', () => {
  test('remembered with the postmaster start time, once', () => {
    const req: RestartSchedule = { at: new Date(NOW + 60_000), atIso: '2027-01-15T08:01:00+00:00', restartPending: false, role: 'replica' };
    const d = scheduleRestart(INITIAL_MEMORY, req, pgRunning(server()));
    assert.deepEqual(d?.actions, [{ type: 'set_memory', patch: { scheduledRestart: { ...req, postmasterStartTime: START } } }]);
    assert.equal(scheduleRestart({ ...INITIAL_MEMORY, scheduledRestart: due() }, req, null), null, 'one at a time');
    assert.deepEqual(cancelScheduledRestart({ ...INITIAL_MEMORY, scheduledRestart: due() })?.actions, [
      { type: 'set_memory', patch: { scheduledRestart: null } },
    ]);
    assert.equal(cancelScheduledRestart(INITIAL_MEMORY), null);
  });

  test('due: the restart task runs and the schedule is cleared', () => {
    const { message, actions } = walk(decide(input({ pg: pgRunning(server()), memory: { scheduledRestart: due() } })));
    assert.equal(message, 'restart initiated');
    const upstream = { name: 'node1', host: '127.0.0.1', port: 5432 };
    assert.deepEqual(
      actions.filter((a) => a.type !== 'follow' && !(a.type === 'set_memory' && 'role' in a.patch) && a.type !== 'sync_slots'),
      [
        { type: 'log', level: 'info', message: `Manual scheduled restart at ${new Date(NOW - 1000).toISOString()}` },
        { type: 'set_memory', patch: { scheduledRestart: null } },
        { type: 'run_async', task: { kind: 'restart', name: 'restart', role: 'replica', upstream } },
      ],
    );
  });

  test('due but the filters no longer hold: cleared without restarting', () => {
    const { message, actions } = walk(decide(input({ pg: pgRunning(server()), memory: { scheduledRestart: due({ role: 'primary' }) } })));
    assert.equal(message, 'restart conditions are not satisfied');
    assert.ok(actions.some((a) => a.type === 'set_memory' && a.patch.scheduledRestart === null));
    assert.ok(!actions.some((a) => a.type === 'run_async'));
  });

  test('PostgreSQL restarted since it was scheduled: cancelled', () => {
    const { actions } = walk(decide(input({ pg: pgRunning(server({ postmasterStartTime: '2026-11-27 00:00:00+00' })), memory: { scheduledRestart: due() } })));
    assert.ok(actions.some((a) => a.type === 'log' && a.message === 'Cancelling scheduled restart: postgres restart has already happened'));
    assert.ok(!actions.some((a) => a.type === 'run_async'));
  });

  test('restart_matches: role (promoted counts as primary), version older than given, pending restart', () => {
    const facts = { role: 'primary', serverVersion: 150004, pendingRestart: false };
    assert.equal(restartBlocked({ restartPending: false, role: 'primary' }, facts), null);
    assert.equal(restartBlocked({ restartPending: false, role: 'replica' }, facts), 'role primary is not replica');
    assert.equal(restartBlocked({ restartPending: false, postgresVersion: '15.4' }, facts), 'server version 150004 is not older than 15.4');
    assert.equal(restartBlocked({ restartPending: false, postgresVersion: '15.5' }, facts), null);
    assert.equal(restartBlocked({ restartPending: true }, facts), 'no restart is pending');
    const { message } = walk(
      decide(input({ me: 'node1', pg: pgRunning(primary()), memory: { role: 'promoted', scheduledRestart: due({ role: 'primary' }) } })),
    );
    assert.equal(message, 'restart initiated');
  });
});
