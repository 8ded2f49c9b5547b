// Which callback each PostgreSQL operation fires, as Patroni's Postgresql object decides it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as cs from '../../../src/postgresql/callback-state.js';

const called = (role: cs.PgRole): cs.CallbackState => ({ ...cs.initialCallbackState(role), called: true });

describe('callback state', () => {
  test('start: on_start with the role started in, once it accepts connections', () => {
    const s = cs.startRequested(cs.initialCallbackState('uninitialized'), 'replica', false);
    const step = cs.started(s);
    assert.deepEqual(step.fire, { action: 'on_start', role: 'replica' });
    assert.equal(step.state.called, true);
    assert.equal(step.state.pending, null);
  });
  test('restart: on_restart only, the stop inside it is silent', () => {
    let s = cs.restartRequested(called('primary'), false);
    const stop = cs.stopped(s, true, true);
    assert.equal(stop.fire, null);
    s = cs.startRequested(stop.state, 'primary', true);
    assert.deepEqual(cs.started(s).fire, { action: 'on_restart', role: 'primary' });
  });
  test('stop: on_stop only when a running postmaster was signalled', () => {
    assert.deepEqual(cs.stopped(called('replica'), true, false).fire, { action: 'on_stop', role: 'replica' });
    assert.equal(cs.stopped(called('replica'), false, false).fire, null);
  });
  test('reload: on_reload, which does not count as a callback called', () => {
    const step = cs.reloaded(cs.initialCallbackState('replica'), false);
    assert.deepEqual(step.fire, { action: 'on_reload', role: 'replica' });
    assert.equal(step.state.called, false);
    assert.equal(cs.reloaded(called('replica'), true).fire, null);
  });
  test('promote: on_role_change reports primary, never promoted', () => {
    const step = cs.promoted(called('replica'));
    assert.deepEqual(step.fire, { action: 'on_role_change', role: 'primary' });
    assert.equal(step.state.role, 'promoted');
  });
  test('nothing fires while bootstrapping', () => {
    const s = { ...cs.initialCallbackState('uninitialized'), bootstrapping: true };
    assert.equal(cs.started(cs.startRequested(s, 'primary', false)).fire, null);
    assert.equal(cs.reloaded(s, false).fire, null);
  });
  const follows: [string, cs.CallbackState, 'replica' | 'standby_leader', boolean][] = [
    ['a demoted primary announces its new role', called('demoted'), 'replica', true],
    ['a primary (lock lost) announces it too', called('primary'), 'replica', true],
    ['a replica staying a replica does not', called('replica'), 'replica', false],
    ['a replica becoming standby leader does', called('replica'), 'standby_leader', true],
    ['a standby leader becoming a replica does', called('standby_leader'), 'replica', true],
    ['nobody does before any callback was called (fresh daemon)', cs.initialCallbackState('primary'), 'replica', false],
    ['an uninitialized node (reinitialized) does not', called('uninitialized'), 'replica', false],
  ];
  for (const [name, s, role, expected] of follows) test(`follow: ${name}`, () => assert.equal(cs.followChangesRole(s, role), expected));
  test('noop pending: the start after a role change fires nothing itself', () => {
    const s = cs.startRequested({ ...called('demoted'), pending: 'noop' }, 'replica', true);
    assert.equal(cs.started(s).fire, null);
  });
});
