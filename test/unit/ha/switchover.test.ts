// Switchover and manual failover (Ha.manual_failover_process_no_leader, Ha.process_manual_failover_from_leader):
// the leader hands over only to a healthy candidate; without a leader only the requested candidate races.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../../src/ha/core/decide.js';
import type { Action } from '../../../src/ha/core/decision.js';
import { cluster, input, peer, pgRunning, primary, server, walk } from './fixtures.js';

function withFailover(c: ReturnType<typeof cluster>, f: { leader?: string; candidate?: string; scheduledAt?: Date }) {
  return { ...c, failover: { version: '7', ...f } };
}

const demoteTask = (actions: Action[]) => actions.flatMap((a) => (a.type === 'run_async' && a.task.kind === 'demote' ? [a.task] : []))[0];
const has = (actions: Action[], type: Action['type']) => actions.some((a) => a.type === type);
const NOW = 1_800_000_000_000;

describe('switchover on the leader', () => {
  test('to a healthy named candidate: graceful demote, then follow the candidate', () => {
    const { message, actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1', candidate: 'node2' }),
          peers: [peer('node2', 100)],
        }),
      ),
    );
    assert.equal(message, 'switchover: demoting myself');
    const task = demoteTask(actions);
    assert.equal(task?.mode, 'graceful');
    assert.equal(task?.name, 'switchover: demote');
    assert.equal(task?.follow?.name, 'node2');
    assert.deepEqual(task?.detach, ['node3'], 'only the candidate is waited for');
  });

  // Ha.process_healthy_cluster: inside a standby cluster the standby leader hands over the same way.
  test('standby leader: a switchover request demotes it gracefully towards the candidate', () => {
    const { message, actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary({ inRecovery: true })),
          memory: { role: 'standby_leader' },
          dcs: { standby_cluster: { restore_command: 'cp /a/%f %p' } },
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1', candidate: 'node2' }),
          peers: [peer('node2', 100)],
        }),
      ),
    );
    assert.equal(message, 'switchover: demoting myself');
    assert.equal(demoteTask(actions)?.follow?.name, 'node2');
  });

  test('new standby leader of an archive-only standby cluster drops its old upstream', () => {
    const { message, actions } = walk(
      decide(
        input({ pg: pgRunning(primary({ inRecovery: true })), dcs: { standby_cluster: { restore_command: 'cp /a/%f %p' } }, cluster: cluster({}), peers: [] }),
      ),
    );
    assert.equal(message, 'promoted self to a standby leader by acquiring session lock');
    assert.deepEqual(
      actions.find((a) => a.type === 'follow'),
      { type: 'follow', upstream: null, role: 'standby_leader' },
    );
  });

  test('standby leader without a request: no action', () => {
    const { message } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary({ inRecovery: true })),
          memory: { role: 'standby_leader' },
          dcs: { standby_cluster: { restore_command: 'cp /a/%f %p' } },
          cluster: cluster({ leader: 'node1' }),
        }),
      ),
    );
    assert.equal(message, 'no action. I am (node1), the standby leader with the lock');
  });

  test('manual failover (no leader named) uses the manual failover wording', () => {
    const { message } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          cluster: withFailover(cluster({ leader: 'node1' }), { candidate: 'node3' }),
          peers: [peer('node3', 100)],
        }),
      ),
    );
    assert.equal(message, 'manual failover: demoting myself');
  });

  test('to "any": demote when some member is healthy; an unreachable standby is not waited for', () => {
    const { message, actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1' }),
          peers: [peer('node2', 100), { name: 'node3', reachable: false, error: 'timeout' }],
        }),
      ),
    );
    assert.equal(message, 'switchover: demoting myself');
    assert.deepEqual(demoteTask(actions)?.detach, ['node3']);
  });

  test('candidate unreachable: keep leading and clean the key up', () => {
    const d = decide(
      input({
        me: 'node1',
        pg: pgRunning(primary()),
        cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1', candidate: 'node2' }),
        peers: [{ name: 'node2', reachable: false, error: 'refused' }],
      }),
    );
    const { message, actions } = walk(d);
    assert.equal(message, 'no action. I am (node1), the leader with the lock');
    assert.ok(has(actions, 'clear_failover'));
    assert.ok(!demoteTask(actions));
    assert.ok(actions.some((a) => a.type === 'log' && a.message === 'switchover: no healthy members found, failover is not possible'));
  });

  test('candidate lagging beyond maximum_lag_on_failover is not eligible', () => {
    const { actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary({ walLsn: 5_000_000 })),
          cluster: withFailover(cluster({ leader: 'node1', optime: 5_000_000 }), { leader: 'node1', candidate: 'node2' }),
          peers: [peer('node2', 100)],
        }),
      ),
    );
    assert.ok(!demoteTask(actions));
    assert.ok(has(actions, 'clear_failover'));
  });

  test('candidate tagged nofailover is not eligible', () => {
    const { actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1', candidate: 'node2' }),
          peers: [peer('node2', 100, { nofailover: true })],
        }),
      ),
    );
    assert.ok(!demoteTask(actions));
    assert.ok(has(actions, 'clear_failover'), 'the request is dropped, the leader keeps leading');
  });

  test('leader name mismatch: the key is cleaned up', () => {
    const { actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node3', candidate: 'node2' }),
          peers: [peer('node2', 100)],
        }),
      ),
    );
    assert.ok(has(actions, 'clear_failover'));
    assert.ok(!demoteTask(actions));
  });

  test('scheduled in the future: wait, keep the key', () => {
    const { actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1', candidate: 'node2', scheduledAt: new Date(NOW + 3_600_000) }),
          peers: [peer('node2', 100)],
        }),
      ),
    );
    assert.ok(!has(actions, 'clear_failover'));
    assert.ok(!demoteTask(actions));
    assert.ok(
      actions.some((a) => a.type === 'log' && /Awaiting switchover at/.test(a.message)),
      'it says what it waits for',
    );
  });

  test('scheduled within loop_wait: sleep until then and demote', () => {
    const { message, actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1', candidate: 'node2', scheduledAt: new Date(NOW + 3_000) }),
          peers: [peer('node2', 100)],
        }),
      ),
    );
    assert.equal(message, 'switchover: demoting myself');
    assert.deepEqual(
      actions.find((a) => a.type === 'sleep'),
      { type: 'sleep', ms: 3000 },
    );
  });

  test('scheduled long ago: stale, cleaned up', () => {
    const { actions } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1', candidate: 'node2', scheduledAt: new Date(NOW - 3_600_000) }),
          peers: [peer('node2', 100)],
        }),
      ),
    );
    assert.ok(has(actions, 'clear_failover'));
    assert.ok(!demoteTask(actions));
  });

  test('paused: a named candidate still works', () => {
    const { message } = walk(
      decide(
        input({
          me: 'node1',
          pg: pgRunning(primary()),
          dcs: { pause: true },
          cluster: withFailover(cluster({ leader: 'node1' }), { leader: 'node1', candidate: 'node2' }),
          peers: [peer('node2', 100)],
        }),
      ),
    );
    assert.equal(message, 'PAUSE: switchover: demoting myself');
  });
});

describe('failover key without a leader', () => {
  const noLeader = (f: { leader?: string; candidate?: string }) => withFailover(cluster({}), f);

  test('the named candidate races', () => {
    const { message } = walk(decide(input({ me: 'node2', cluster: noLeader({ leader: 'node1', candidate: 'node2' }), peers: [peer('node3', 900)] })));
    assert.equal(message, 'promoted self to leader by acquiring session lock');
  });

  test('others wait for a healthy named candidate', () => {
    const { message } = walk(decide(input({ me: 'node3', cluster: noLeader({ leader: 'node1', candidate: 'node2' }), peers: [peer('node2', 10)] })));
    assert.equal(message, 'following a different leader because i am not the healthiest node');
  });

  test('an unhealthy named candidate lets the others race, the former leader excluded', () => {
    const { message } = walk(
      decide(
        input({
          me: 'node3',
          cluster: noLeader({ leader: 'node1', candidate: 'node2' }),
          peers: [{ name: 'node2', reachable: false, error: 'down' }, peer('node1', 900)],
        }),
      ),
    );
    assert.equal(message, 'promoted self to leader by acquiring session lock');
  });

  test('a former leader still running as primary takes the lock back', () => {
    const { message } = walk(decide(input({ me: 'node1', pg: pgRunning(primary()), cluster: noLeader({ leader: 'node1' }), peers: [peer('node2', 100)] })));
    // A running primary is always healthiest (it still has the newest data): it takes the lock back.
    assert.equal(message, 'acquired session lock as a leader');
  });

  test('the former leader stands back while another member is healthy', () => {
    // Demoted by the switchover, now a replica: the failover key names it as leader and no candidate.
    const d = decide(
      input({ me: 'node1', pg: pgRunning(server({ walLsn: 100 })), cluster: noLeader({ leader: 'node1' }), peers: [peer('node2', 100), peer('node3', 90)] }),
    );
    const { message, actions } = walk(d);
    assert.equal(message, 'following a different leader because i am not the healthiest node');
    assert.equal(d.branch, undefined, 'no lock race');
    assert.ok(!actions.some((a) => a.type === 'run_async'));
    const mine = d.reasons?.find((r) => r.member === 'node1');
    assert.deepEqual(mine, { member: 'node1', eligible: false, code: 'former_leader', why: 'I was the leader and another member is healthy' });
  });

  test('the former leader races when no other member is healthy', () => {
    const d = decide(
      input({
        me: 'node1',
        pg: pgRunning(server({ walLsn: 100 })),
        cluster: noLeader({ leader: 'node1' }),
        peers: [{ name: 'node2', reachable: false, error: 'refused' }, peer('node3', 100, { nofailover: true })],
      }),
    );
    assert.equal(d.branch?.attempt, 'acquire_leader');
    assert.equal(walk(d).message, 'promoted self to leader by acquiring session lock');
    assert.deepEqual(
      d.reasons?.find((r) => r.member === 'node1'),
      { member: 'node1', eligible: true, code: 'former_leader', why: 'I was the leader and I am the only healthy member' },
    );
  });

  test('a manual failover to a lagging replica is honoured when named', () => {
    const { message } = walk(decide(input({ me: 'node2', cluster: withFailover(cluster({ optime: 9_000_000 }), { candidate: 'node2' }), peers: [] })));
    assert.equal(message, 'promoted self to leader by acquiring session lock');
  });
});
