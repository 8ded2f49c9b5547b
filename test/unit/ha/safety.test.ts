// Table rows for the safety features in the HA decision: the watchdog per mode (Ha.enforce_primary_role,
// Ha.is_healthiest_node), DCS failsafe mode (Ha._handle_dcs_error, Failsafe.update_cluster) and
// primary_race_backoff (Ha.process_unhealthy_cluster).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../../src/ha/core/decide.js';
import type { Action, Attempt, Decision } from '../../../src/ha/core/decision.js';
import { failsafeHeartbeat, failsafeKeyValue, failsafeView, withFailsafeLeader, FAILSAFE_KEEP, type FailsafeSeen } from '../../../src/ha/core/failsafe.js';
import type { DcsUnreachableInput, HaInput, WatchdogView } from '../../../src/ha/core/input.js';
import { raceBackoff, type RaceBackoffInput } from '../../../src/ha/core/race-backoff.js';
import { primaryStopTimeout } from '../../../src/ha/core/stop-timeout.js';
import { buildDynamicConfig } from '../../../src/config/dynamic.js';
import { cluster, finished, input, member, peer, pgRunning, pgStopped, primary, running, server, TASKS, walk } from './fixtures.js';

const types = (actions: Action[]) => actions.map((a) => a.type);
const attempts = (d: Decision, outcomes: boolean[] = []): Attempt[] => {
  const out: Attempt[] = [];
  let cur: Decision | undefined = d;
  let i = 0;
  while (cur?.branch) {
    out.push(cur.branch.attempt);
    cur = (outcomes[i++] ?? true) ? cur.branch.onSuccess : cur.branch.onFailure;
  }
  return out;
};
const wd = (w: Partial<WatchdogView>): WatchdogView => ({ mode: 'automatic', running: false, active: false, healthy: true, ...w });
const withWd = (i: HaInput, w: Partial<WatchdogView>): HaInput => ({ ...i, watchdog: wd(w) });

describe('watchdog per mode in the decision', () => {
  const race = (w: Partial<WatchdogView>) => withWd(input({ cluster: cluster({}), peers: [peer('node3', 50)] }), w);
  const leader = (w: Partial<WatchdogView>, extra: Parameters<typeof input>[0] = {}) => withWd(input({ me: 'node1', pg: pgRunning(primary()), ...extra }), w);
  interface Row {
    name: string;
    in: HaInput;
    outcomes?: boolean[];
    message: string;
    attempts: string[];
    has?: Action['type'][];
    hasNot?: Action['type'][];
  }
  const rows: Row[] = [
    {
      name: 'off: promotes without touching a watchdog',
      in: race({ mode: 'off' }),
      message: 'promoted self to leader by acquiring session lock',
      attempts: ['acquire_leader'],
    },
    {
      name: 'automatic: the winner activates the watchdog before promoting',
      in: race({ mode: 'automatic' }),
      message: 'promoted self to leader by acquiring session lock',
      attempts: ['acquire_leader', 'activate_watchdog'],
    },
    {
      name: 'automatic, activation requested before (no device): not retried every cycle',
      in: leader({ mode: 'automatic', active: true }),
      message: 'no action. I am (node1), the leader with the lock',
      attempts: ['update_leader'],
    },
    {
      name: 'required: activation works, promotes',
      in: race({ mode: 'required' }),
      message: 'promoted self to leader by acquiring session lock',
      attempts: ['acquire_leader', 'activate_watchdog'],
    },
    {
      name: 'required: activation fails after winning the race, releases the lock instead of promoting',
      in: race({ mode: 'required' }),
      outcomes: [true, false],
      message: 'Not promoting self because watchdog could not be activated',
      attempts: ['acquire_leader', 'activate_watchdog'],
      has: ['delete_leader'],
      hasNot: ['run_async'],
    },
    {
      name: 'required: a running primary whose watchdog cannot be activated demotes',
      in: leader({ mode: 'required', active: true }),
      outcomes: [true, false],
      message: 'Demoting self because watchdog could not be activated',
      attempts: ['update_leader', 'activate_watchdog'],
      has: ['run_async'],
    },
    {
      name: 'required and unusable: never races',
      in: race({ mode: 'required', healthy: false }),
      message: 'following a different leader because i am not the healthiest node',
      attempts: [],
    },
    {
      name: 'running watchdog on the leader: kept, nothing to activate',
      in: leader({ mode: 'required', running: true, active: true }),
      message: 'no action. I am (node1), the leader with the lock',
      attempts: ['update_leader'],
      hasNot: ['disable_watchdog'],
    },
    {
      name: 'paused: a running watchdog is disabled',
      in: leader({ mode: 'required', running: true, active: true }, { dcs: { pause: true } }),
      message: 'PAUSE: no action. I am (node1), the leader with the lock',
      attempts: ['update_leader'],
      has: ['disable_watchdog'],
    },
    {
      name: 'PostgreSQL stopped on the leader: the watchdog is disabled',
      in: leader({ mode: 'required', running: true, active: true }, { pg: pgStopped('in production') }),
      message: 'starting as readonly because i had the session lock',
      attempts: ['update_leader'],
      has: ['disable_watchdog'],
    },
    {
      name: 'a standby being promoted keeps the watchdog it activated',
      in: withWd(input({ me: 'node1', pg: pgRunning(server()), memory: { role: 'promoted' }, async: running(TASKS.promote) }), {
        mode: 'required',
        running: true,
        active: true,
      }),
      message: 'updated leader lock during promote',
      attempts: ['update_leader'],
      hasNot: ['disable_watchdog'],
    },
    {
      name: 'bootstrap: the new primary activates the watchdog before taking the leader key',
      in: withWd(
        input({
          me: 'node1',
          cluster: cluster({ initialize: '' }),
          pg: pgRunning(primary()),
          memory: { bootstrap: { stage: 'post_bootstrap' } },
          lastAsync: finished(TASKS.postBootstrap, true),
        }),
        { mode: 'required' },
      ),
      message: 'initialized a new cluster',
      attempts: ['activate_watchdog'],
      has: ['take_leader'],
    },
    {
      name: 'bootstrap: required and no watchdog cancels the bootstrap',
      in: withWd(
        input({
          me: 'node1',
          cluster: cluster({ initialize: '' }),
          pg: pgRunning(primary()),
          memory: { bootstrap: { stage: 'post_bootstrap' } },
          lastAsync: finished(TASKS.postBootstrap, true),
        }),
        { mode: 'required' },
      ),
      outcomes: [false],
      message: 'Failed to bootstrap cluster: watchdog activation failed',
      attempts: ['activate_watchdog'],
      has: ['cancel_initialization', 'exit'],
      hasNot: ['take_leader'],
    },
    {
      name: 'a replica without the lock never keeps a watchdog running',
      in: withWd(input(), { mode: 'automatic', running: true, active: true }),
      message: 'no action. I am (node2), a secondary, and following a leader (node1)',
      attempts: [],
      has: ['disable_watchdog'],
    },
  ];
  for (const r of rows) {
    test(r.name, () => {
      const d = decide(r.in);
      const { message, actions } = walk(d, r.outcomes);
      assert.equal(message, r.message);
      assert.deepEqual(attempts(d, r.outcomes), r.attempts);
      for (const t of r.has ?? []) assert.ok(types(actions).includes(t), `expected ${t} in ${types(actions).join(',')}`);
      for (const t of r.hasNot ?? []) assert.ok(!types(actions).includes(t), `unexpected ${t} in ${types(actions).join(',')}`);
    });
  }
  test('the reason for not racing names the watchdog', () => {
    const d = decide(race({ mode: 'required', healthy: false }));
    assert.deepEqual(
      d.reasons?.find((r) => r.member === 'node2'),
      { member: 'node2', eligible: false, code: 'watchdog', why: 'Watchdog device is not usable' },
    );
  });
});

describe('failsafe mode: the DCS is unreachable (Ha._handle_dcs_error)', () => {
  const key = { node1: 'http://a/patroni', node2: 'http://b/patroni', node3: 'http://c/patroni' };
  const DEMOTED = 'demoted self because DCS is not accessible and I was a leader';
  const down = (o: { dcs?: object; failsafe?: Record<string, string> | null; me?: string; pg?: ReturnType<typeof pgRunning> } = {}): DcsUnreachableInput => {
    const base = input({ me: o.me ?? 'node1', pg: o.pg ?? pgRunning(primary()), dcs: { failsafe_mode: true, ...o.dcs } });
    return {
      dcs: 'unreachable',
      now: base.now,
      me: base.me,
      config: base.config,
      pg: base.pg,
      memory: base.memory,
      async: null,
      failsafe: o.failsafe === undefined ? key : o.failsafe,
    };
  };
  const rows: [string, DcsUnreachableInput, boolean[], string, boolean][] = [
    ['failsafe on, every member answers: stays primary', down(), [true], FAILSAFE_KEEP, true],
    ['failsafe on, one member silent: demotes', down(), [false], DEMOTED, false],
    ['failsafe on, the only listed member: stays primary', down({ failsafe: { node1: 'http://a/patroni' } }), [true], FAILSAFE_KEEP, true],
    ['failsafe on, not listed in the failsafe key: demotes', down({ me: 'node9' }), [], DEMOTED, false],
    ['failsafe on, no failsafe key known: demotes', down({ failsafe: null }), [], DEMOTED, false],
    ['failsafe off: demotes', down({ dcs: { failsafe_mode: false } }), [], DEMOTED, false],
    ['a replica waits', down({ pg: pgRunning(server()) }), [], 'DCS is not accessible', false],
    ['paused: nothing happens', down({ dcs: { pause: true } }), [], 'DCS is not accessible', false],
  ];
  for (const [name, i, outcomes, message, leader] of rows) {
    test(name, () => {
      const d = decide(i);
      const { message: m, actions } = walk(d, outcomes);
      assert.equal(m, message);
      let leaf: Decision = d;
      for (const ok of outcomes) leaf = leaf.branch ? (ok ? leaf.branch.onSuccess : leaf.branch.onFailure) : leaf;
      assert.equal(leaf.leader, leader);
      if (message === DEMOTED) assert.ok(actions.some((a) => a.type === 'run_async' && a.task.kind === 'demote' && a.task.mode === 'offline'));
      if (message === FAILSAFE_KEEP) assert.ok(actions.some((a) => a.type === 'failsafe_keep'));
    });
  }
  // Ha._sync_replication_slots(dcs_failed=True): the slot step runs on the last cluster as the accepted
  // heartbeat describes it (Failsafe.update_cluster), so copies of permanent/member slots keep advancing.
  describe('slots kept in step without the DCS', () => {
    const last = cluster({ leader: 'node1' });
    const hb: FailsafeSeen = {
      at: 0,
      leader: { name: 'node1', api_url: 'http://a/patroni', conn_url: 'postgres://a/postgres', slots: { perm: 900, node2: 800 } },
    };
    const withSlots = (i: DcsUnreachableInput, o: { lastCluster?: typeof last | null; seenAgeMs?: number | null } = {}): DcsUnreachableInput => ({
      ...i,
      lastCluster: o.lastCluster === undefined ? last : o.lastCluster,
      failsafeSeen: o.seenAgeMs === null ? null : { ...hb, at: i.now - (o.seenAgeMs ?? 5_000) },
    });
    const slotViews = (d: Decision, outcomes: boolean[] = []) =>
      walk(d, outcomes).actions.flatMap((a) =>
        a.type === 'sync_slots' ? [a.view ? { leader: a.view.leader?.name ?? null, slots: a.view.status.slots } : 'no view'] : [],
      );
    const replica = pgRunning(server());
    const rows: [string, DcsUnreachableInput, boolean[], unknown[]][] = [
      [
        'replica, fresh heartbeat: the slot step runs on the heartbeat leader and its slot positions',
        withSlots(down({ me: 'node2', pg: replica })),
        [],
        [{ leader: 'node1', slots: { perm: 900, node2: 800 } }],
      ],
      [
        'replica, heartbeat older than ttl: the slot step runs on the last cluster read',
        withSlots(down({ me: 'node2', pg: replica }), { seenAgeMs: 31_000 }),
        [],
        [{ leader: 'node1', slots: last.status.slots }],
      ],
      [
        'replica, no heartbeat: the last cluster read',
        withSlots(down({ me: 'node2', pg: replica }), { seenAgeMs: null }),
        [],
        [{ leader: 'node1', slots: last.status.slots }],
      ],
      [
        'replica, heartbeat without slots (the leader could not read them): no positions to move to',
        ((i) => ({ ...i, failsafeSeen: { at: i.now - 5_000, leader: { name: 'node1' } } }))(withSlots(down({ me: 'node2', pg: replica }))),
        [],
        [{ leader: 'node1', slots: {} }],
      ],
      ['replica, failsafe off: no slot step', withSlots(down({ me: 'node2', pg: replica, dcs: { failsafe_mode: false } })), [], []],
      ['replica, no cluster ever read: no slot step', withSlots(down({ me: 'node2', pg: replica }), { lastCluster: null }), [], []],
      ['replica, paused: no slot step', withSlots(down({ me: 'node2', pg: replica, dcs: { pause: true } })), [], []],
      [
        'primary, failsafe check passed: its slots kept in step too',
        withSlots(down(), { seenAgeMs: null }),
        [true],
        [{ leader: 'node1', slots: last.status.slots }],
      ],
      ['primary, failsafe check failed: demotes, no slot step', withSlots(down(), { seenAgeMs: null }), [false], []],
    ];
    for (const [name, i, outcomes, views] of rows) test(name, () => assert.deepEqual(slotViews(decide(i), outcomes), views));
  });
  test('failsafe on: the primary asks every other listed member', () => {
    assert.deepEqual(attempts(decide(down())), [
      {
        kind: 'failsafe_check',
        members: [
          { name: 'node2', url: 'http://b/patroni' },
          { name: 'node3', url: 'http://c/patroni' },
        ],
      },
    ]);
  });
});

// Ha.check_failsafe_topology: the heartbeat carries Postgresql.slots() as read in this cycle (every slot
// on the leader, physical at restart_lsn, logical at confirmed_flush_lsn, and the leader's own member slot
// name at its WAL position), never the positions last published in the DCS.
describe('failsafe heartbeat (POST /failsafe body)', () => {
  const me = { name: 'Node-1', connUrl: 'postgres://a:5432/postgres', apiUrl: 'http://a:8008/patroni' };
  const row = (name: string, type: 'physical' | 'logical', lsn: number | null) => ({
    name,
    type,
    database: type === 'logical' ? 'db' : null,
    plugin: type === 'logical' ? 'pgoutput' : null,
    active: false,
    lsn,
  });
  const base = { name: 'Node-1', conn_url: me.connUrl, api_url: me.apiUrl };
  const rows: [string, Parameters<typeof failsafeHeartbeat>[1], number | null, unknown][] = [
    [
      'every slot read now, plus my member slot at my WAL position',
      [row('perm', 'physical', 900), row('node2', 'physical', 800), row('logi', 'logical', 700)],
      1000,
      { ...base, slots: { perm: 900, node2: 800, logi: 700, node_1: 1000 } },
    ],
    ['a slot without a position (never reserved) is left out', [row('perm', 'physical', null)], 1000, { ...base, slots: { node_1: 1000 } }],
    ['no slots at all: only my own position', [], 1000, { ...base, slots: { node_1: 1000 } }],
    ['slots could not be read: the field is left out', undefined, 1000, base],
    ['my WAL position is unknown: the field is left out', [row('perm', 'physical', 900)], null, base],
  ];
  for (const [name, local, wal, want] of rows) test(name, () => assert.deepEqual(failsafeHeartbeat(me, local, wal), want));
});

describe('failsafe mode: the DCS is up', () => {
  const now = 1_800_000_000_000;
  const seen = (ageMs: number): FailsafeSeen => ({
    at: now - ageMs,
    leader: { name: 'node1', api_url: 'http://a/patroni', conn_url: 'postgres://a/postgres', slots: { node1: 500 } },
  });
  const failsafeOn = { failsafe_mode: true };
  const raceInput = (c: ReturnType<typeof cluster>) => input({ cluster: c, peers: [peer('node3', 50)], dcs: failsafeOn });

  test('the failsafe key lists every member with an api_url, and me', () => {
    assert.deepEqual(Object.keys(failsafeKeyValue(cluster({ members: [member('node1'), member('node2')] }), { name: 'node5', apiUrl: 'http://e/patroni' })), [
      'node1',
      'node2',
      'node5',
    ]);
  });
  test('DCS back, leader key gone, a fresh heartbeat from the old leader: its member follows it, no promotion', () => {
    const c = withFailsafeLeader(cluster({}), seen(5_000), now, 30, true);
    assert.equal(c.leader?.name, 'node1');
    assert.deepEqual(c.status.slots, { node1: 500 });
    const { message, actions } = walk(decide(raceInput(c)));
    assert.equal(message, 'no action. I am (node2), a secondary, and following a leader (node1)');
    assert.ok(!actions.some((a) => a.type === 'run_async'));
  });
  test('leader down and DCS up (heartbeat older than ttl): the normal leader race', () => {
    const c = withFailsafeLeader(cluster({}), seen(31_000), now, 30, true);
    assert.equal(c.leader, null);
    assert.equal(walk(decide(raceInput(c))).message, 'promoted self to leader by acquiring session lock');
  });
  test('failsafe mode off: a heartbeat is ignored', () => {
    assert.equal(withFailsafeLeader(cluster({}), seen(5_000), now, 30, false).leader, null);
  });
  test("DCS down: a replica takes the permanent slots' positions from a fresh heartbeat, not from a stale one", () => {
    assert.deepEqual(failsafeView(cluster({ leader: 'node1' }), seen(5_000), now, 30).status.slots, { node1: 500 });
    assert.deepEqual(failsafeView(cluster({ leader: 'node1' }), seen(40_000), now, 30).status.slots, {});
  });
  test('a leader key in the DCS always wins over a heartbeat', () => {
    assert.equal(withFailsafeLeader(cluster({ leader: 'node3' }), seen(5_000), now, 30, true).leader?.name, 'node3');
  });
  test('DCS back, leader key gone: the primary that kept running takes the lock again', () => {
    const i = input({ me: 'node1', cluster: cluster({}), pg: pgRunning(primary()), dcs: failsafeOn, peers: [peer('node2', 50), peer('node3', 50)] });
    assert.equal(walk(decide(i)).message, 'acquired session lock as a leader');
  });
  test('a member missing from the failsafe key may not race', () => {
    const c = { ...cluster({}), failsafe: { node1: 'http://a', node3: 'http://c' } };
    const d = decide(raceInput(c));
    assert.equal(walk(d).message, 'following a different leader because i am not the healthiest node');
    assert.equal(d.reasons?.find((r) => r.member === 'node2')?.why, 'not listed in the failsafe key');
  });
});

describe('primary_race_backoff (Ha.process_unhealthy_cluster)', () => {
  const now = 1_800_000_000_000;
  const base: RaceBackoffInput = { now, backoff: 20, loopWait: 10, startedAt: null, prevWalLsn: 100, walLsn: 100, streaming: true };
  const rows: [string, Partial<RaceBackoffInput>, string | null][] = [
    ['first cycle without a leader always waits', {}, 'My (node2) wal position moved since last heart beat loop, 20 seconds until leader race'],
    [
      'WAL still moving and streaming: waits',
      { startedAt: now - 12_000, walLsn: 200 },
      'My (node2) wal position moved since last heart beat loop, 8 seconds until leader race',
    ],
    ['WAL stopped: races', { startedAt: now - 12_000 }, null],
    ['WAL moving but not streaming: races', { startedAt: now - 12_000, walLsn: 200, streaming: false }, null],
    ['backoff used up: races even though WAL moves', { startedAt: now - 21_000, walLsn: 200 }, null],
  ];
  for (const [name, o, message] of rows) {
    test(name, () => {
      const r = raceBackoff({ ...base, ...o });
      assert.equal(r.postpone ? r.message('node2') : null, message);
    });
  }
  test('in the decision: the race is postponed and the start remembered', () => {
    const i = input({ cluster: cluster({}), peers: [peer('node3', 50)], dcs: { primary_race_backoff: 20 }, memory: { prevWalLsn: 100 } });
    const { message, actions } = walk(decide(i));
    assert.equal(message, 'My (node2) wal position moved since last heart beat loop, 20 seconds until leader race');
    assert.ok(actions.some((a) => a.type === 'set_memory' && a.patch.raceBackoffAt === i.now));
    assert.ok(!actions.some((a) => a.type === 'run_async'));
  });
  test('in the decision: without a previous WAL position (first cycle after start) the race is not delayed', () => {
    const i = input({ cluster: cluster({}), peers: [peer('node3', 50)], dcs: { primary_race_backoff: 20 } });
    assert.equal(walk(decide(i)).message, 'promoted self to leader by acquiring session lock');
  });
  test('a leader seen again resets the backoff', () => {
    const i = input({
      dcs: { primary_race_backoff: 20 },
      memory: { prevWalLsn: 100, raceBackoffAt: now - 5000 },
      pg: pgRunning(server({ receiveLsn: 150, replayLsn: 150 })),
    });
    const { actions } = walk(decide(i));
    assert.ok(actions.some((a) => a.type === 'set_memory' && a.patch.raceBackoffAt === null && a.patch.prevWalLsn === 150));
  });
  test('a failover candidate is not delayed', () => {
    const i = input({
      cluster: cluster({ failover: true }),
      me: 'node2',
      peers: [peer('node3', 50)],
      dcs: { primary_race_backoff: 20 },
      memory: { prevWalLsn: 100 },
    });
    assert.doesNotMatch(walk(decide(i)).message, /until leader race/);
  });
});

describe('primary_stop_timeout', () => {
  const rows: [object, number | undefined][] = [
    [{ primary_stop_timeout: 5 }, undefined],
    [{ primary_stop_timeout: 5, synchronous_mode: true }, 5],
    [{ primary_stop_timeout: 0, synchronous_mode: true }, undefined],
    [{ master_stop_timeout: 7, synchronous_mode: 'quorum' }, 7],
  ];
  for (const [dcs, t] of rows) test(JSON.stringify(dcs), () => assert.equal(primaryStopTimeout(buildDynamicConfig(dcs as never)), t));
  test('a demotion in synchronous mode carries the deadline', () => {
    const { actions } = walk(decide(input({ me: 'node1', pg: pgRunning(primary()), dcs: { primary_stop_timeout: 5, synchronous_mode: true } })), [false]);
    const task = actions.flatMap((a) => (a.type === 'run_async' ? [a.task] : []))[0];
    assert.equal(task?.kind === 'demote' ? task.stopTimeout : null, 5);
  });
});
