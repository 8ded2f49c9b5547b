// Table-driven cases of the HA decision (Patroni's Ha._run_cycle): for each world, the status message
// Patroni would print and the actions that must (or must not) happen; key cases with the whole list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide } from '../../../src/ha/core/decide.js';
import type { Action, Decision } from '../../../src/ha/core/decision.js';
import type { DcsUnreachableInput } from '../../../src/ha/core/input.js';
import type { PostgresSnapshot } from '../../../src/postgresql/snapshot.js';
import type { JsonObject } from '../../../src/util/json.js';
import { cluster, finished, input, member, peer, pgEmpty, pgRunning, pgStopped, primary, running, server, TASKS, walk } from './fixtures.js';

const asyncTask = (actions: Action[]) => actions.flatMap((a) => (a.type === 'run_async' ? [a.task] : []))[0];
const types = (actions: Action[]) => actions.map((a) => a.type);

interface Case {
  name: string;
  in: ReturnType<typeof input>;
  outcomes?: boolean[];
  message: string;
  task?: string;
  has?: Action['type'][];
  hasNot?: Action['type'][];
}

const cases: Case[] = [
  // bootstrap
  {
    name: 'empty dir, no initialize key: wins the initialize race and runs initdb',
    in: input({ me: 'node1', cluster: cluster({ initialize: null, members: [] }), pg: pgEmpty }),
    message: 'trying to bootstrap a new cluster',
    task: 'bootstrap',
  },
  {
    name: 'empty dir, loses the initialize race',
    in: input({ me: 'node1', cluster: cluster({ initialize: null, members: [] }), pg: pgEmpty }),
    outcomes: [false],
    message: 'failed to acquire initialize lock',
    hasNot: ['run_async'],
  },
  {
    name: 'empty dir, nofailover node never initialises',
    in: input({ me: 'node1', tags: { nofailover: true }, cluster: cluster({ initialize: null, members: [] }), pg: pgEmpty }),
    message: 'waiting for leader to bootstrap',
  },
  {
    name: 'empty dir, a leader exists: clone from it',
    in: input({ pg: pgEmpty }),
    message: "trying to bootstrap from leader 'node1'",
    task: "bootstrap from leader 'node1'",
  },
  { name: 'empty dir, initialized but no leader yet: wait', in: input({ pg: pgEmpty, cluster: cluster({}) }), message: 'waiting for leader to bootstrap' },
  {
    name: 'initdb finished, running as primary: post_bootstrap',
    in: input({
      me: 'node1',
      cluster: cluster({ initialize: '' }),
      pg: pgRunning(primary()),
      memory: { bootstrap: { stage: 'initdb' } },
      lastAsync: finished(TASKS.bootstrap, true),
    }),
    message: 'running post_bootstrap',
    task: 'post_bootstrap',
  },
  {
    name: 'post_bootstrap finished: publish initialize, config, leader',
    in: input({
      me: 'node1',
      cluster: cluster({ initialize: '' }),
      pg: pgRunning(primary()),
      memory: { bootstrap: { stage: 'post_bootstrap' } },
      lastAsync: finished(TASKS.postBootstrap, true),
    }),
    message: 'initialized a new cluster',
    has: ['write_initialize', 'publish_config', 'take_leader', 'sync_slots'],
  },
  {
    name: 'initdb failed: cancel initialization and exit',
    in: input({
      me: 'node1',
      cluster: cluster({ initialize: '' }),
      pg: pgEmpty,
      memory: { bootstrap: { stage: 'initdb' } },
      lastAsync: finished(TASKS.bootstrap, false),
    }),
    message: 'Failed to bootstrap cluster: bootstrap failed',
    has: ['cancel_initialization', 'exit'],
  },
  // lock held
  {
    name: 'leader with the lock keeps it',
    in: input({ me: 'node1', pg: pgRunning(primary()) }),
    message: 'no action. I am (node1), the leader with the lock',
    has: ['update_history', 'sync_slots'],
  },
  {
    name: 'leader fails to refresh the lock: demotes',
    in: input({ me: 'node1', pg: pgRunning(primary()) }),
    outcomes: [false],
    message: 'demoted self because failed to update leader lock in DCS',
    task: 'demote',
  },
  {
    name: 'holds the lock but runs as replica: promote',
    in: input({ me: 'node1', pg: pgRunning(server()) }),
    message: 'promoted self to leader because I had the session lock',
    task: 'promote',
  },
  // following
  {
    name: 'replica follows the leader',
    in: input(),
    message: 'no action. I am (node2), a secondary, and following a leader (node1)',
    has: ['follow'],
    hasNot: ['run_async'],
  },
  {
    name: 'primary without the lock demotes',
    in: input({ pg: pgRunning(primary()) }),
    message: 'demoting self because I do not have the lock and I was a leader',
    task: 'demote',
  },
  // leader race
  {
    name: 'no leader, healthiest replica takes the lock and promotes',
    in: input({ cluster: cluster({}), peers: [peer('node3', 50)] }),
    message: 'promoted self to leader by acquiring session lock',
    task: 'promote',
  },
  {
    name: 'no leader, healthiest but another node won the race',
    in: input({ cluster: cluster({}), peers: [peer('node3', 50)] }),
    outcomes: [false],
    message: 'following new leader after trying and failing to obtain lock',
  },
  {
    name: 'no leader, a peer is ahead',
    in: input({ cluster: cluster({}), peers: [peer('node3', 500)] }),
    message: 'following a different leader because i am not the healthiest node',
    hasNot: ['run_async'],
  },
  {
    name: 'no leader, a peer still runs as primary',
    in: input({ cluster: cluster({}), peers: [peer('node1', 10, { isPrimary: true })] }),
    message: 'following a different leader because i am not the healthiest node',
  },
  {
    name: 'no leader, equal WAL but the peer has a higher failover_priority',
    in: input({ cluster: cluster({}), peers: [peer('node3', 100, { failoverPriority: 5 })] }),
    message: 'following a different leader because i am not the healthiest node',
  },
  {
    name: 'no leader, an unreachable peer is ignored',
    in: input({ cluster: cluster({}), peers: [{ name: 'node3', reachable: false, error: 'refused' }] }),
    message: 'promoted self to leader by acquiring session lock',
  },
  {
    name: 'no leader, a nofailover peer ahead of me is ignored',
    in: input({ cluster: cluster({}), peers: [peer('node3', 900, { nofailover: true })] }),
    message: 'promoted self to leader by acquiring session lock',
  },
  {
    name: 'no leader, I am tagged nofailover',
    in: input({ tags: { nofailover: true }, cluster: cluster({}) }),
    message: 'following a different leader because I am not allowed to promote',
  },
  // Tags._bool_tag / Tags._priority_tag: failover_priority 0 means nofailover unless nofailover says otherwise.
  {
    name: 'no leader, I am tagged failover_priority 0: never leads',
    in: input({ tags: { failover_priority: 0 }, cluster: cluster({}) }),
    message: 'following a different leader because I am not allowed to promote',
  },
  {
    name: 'no leader, nofailover true wins over failover_priority 5',
    in: input({ tags: { nofailover: true, failover_priority: 5 }, cluster: cluster({}) }),
    message: 'following a different leader because I am not allowed to promote',
  },
  {
    name: 'no leader, nofailover false wins over failover_priority 0',
    in: input({ tags: { nofailover: false, failover_priority: 0 }, cluster: cluster({}) }),
    message: 'promoted self to leader by acquiring session lock',
  },
  {
    name: 'no leader, equal WAL and my failover_priority is the higher one',
    in: input({ tags: { failover_priority: 3 }, cluster: cluster({}), peers: [peer('node3', 100, { failoverPriority: 1 })] }),
    message: 'promoted self to leader by acquiring session lock',
  },
  {
    name: 'no leader, I lag more than maximum_lag_on_failover',
    in: input({ cluster: cluster({ optime: 100 + 2_000_000 }) }),
    message: 'following a different leader because i am not the healthiest node',
  },
  {
    name: 'no leader, lag within maximum_lag_on_failover',
    in: input({ cluster: cluster({ optime: 100 + 1000 }) }),
    message: 'promoted self to leader by acquiring session lock',
  },
  {
    name: 'no leader, I still run as primary: take the lock back',
    in: input({ me: 'node1', cluster: cluster({}), pg: pgRunning(primary()) }),
    message: 'acquired session lock as a leader',
    hasNot: ['run_async'],
  },
  {
    name: 'failover key present when winning the race is cleared',
    in: input({ cluster: cluster({ failover: true }), peers: [] }),
    message: 'promoted self to leader by acquiring session lock',
    has: ['clear_failover'],
  },
  // postgres not running
  {
    name: 'replica whose postgres is down restarts following the leader',
    in: input({ pg: pgStopped() }),
    message: 'starting as a secondary',
    task: 'restarting after failure',
  },
  {
    name: 'crashed former primary on an older timeline is rewound',
    in: input({ pg: pgStopped('in production', 1), cluster: cluster({ leader: 'node1', leaderTimeline: 2 }) }),
    message: 'running pg_rewind from node1',
    task: 'running pg_rewind from node1',
  },
  {
    name: 'leader whose postgres is down restarts read-only then promotes',
    in: input({ me: 'node1', pg: pgStopped('shut down', 1) }),
    message: 'starting as readonly because i had the session lock',
    task: 'restarting after failure',
  },
  {
    name: 'primary_start_timeout 0: a crashed primary hands over instead of restarting in place',
    in: input({
      me: 'node1',
      pg: { ...pgStopped('in production', 1), state: 'crashed' },
      memory: { role: 'primary' },
      dcs: { primary_start_timeout: 0 },
      peers: [peer('node2', 80)],
    }),
    message: 'stopped PostgreSQL to fail over after a crash',
    has: ['delete_leader'],
    hasNot: ['run_async'],
  },
  {
    name: 'primary_start_timeout 0 but no replica could take over: restart in place',
    in: input({
      me: 'node1',
      pg: { ...pgStopped('in production', 1), state: 'crashed' },
      memory: { role: 'primary' },
      dcs: { primary_start_timeout: 0 },
      peers: [],
    }),
    message: 'starting primary after failure',
    task: 'starting primary after failure',
  },
  {
    name: 'crash recovery longer than primary_start_timeout with a healthy replica: give the lock up',
    in: input({
      me: 'node1',
      pg: pgStopped('in crash recovery', 1),
      memory: { role: 'primary' },
      async: running(TASKS.crashRecovery, 1_800_000_000_000 - 400_000),
      peers: [peer('node2', 80)],
    }),
    message: 'terminated crash recovery because of startup timeout',
    has: ['stop_postgres', 'delete_leader'],
  },
  { name: 'start attempt failed without the lock', in: input({ pg: pgStopped(), memory: { recovering: true } }), message: 'failed to start postgres' },
  {
    name: 'start attempt failed with the lock: give it up',
    in: input({ me: 'node1', pg: pgStopped(), memory: { recovering: true } }),
    message: 'removed leader key after trying and failing to start postgres',
    has: ['delete_leader'],
  },
  {
    name: 'postmaster up but the query failed: no judgement on a blind snapshot',
    in: input({ me: 'node1', pg: { ...pgRunning(primary()), server: null, queryError: 'terminating connection' } }),
    message: 'Error communicating with PostgreSQL. Will try again later',
    hasNot: ['run_async'],
  },
  // async, data dir, identity
  { name: 'async task running', in: input({ async: running(TASKS.promote) }), message: 'promote in progress' },
  {
    name: 'async task running while holding the lock refreshes it',
    in: input({ me: 'node1', async: running(TASKS.promote) }),
    message: 'updated leader lock during promote',
  },
  {
    name: 'empty data dir while holding the lock releases it',
    in: input({ me: 'node1', pg: pgEmpty }),
    message: 'released leader key voluntarily as data dir empty and currently leader',
    has: ['delete_leader'],
  },
  {
    name: 'system ID mismatch exits',
    in: input({ cluster: cluster({ leader: 'node1', initialize: '1234567890123' }) }),
    message: 'system ID mismatch, node node2 belongs to a different cluster: 1234567890123 != 7277694203142172922',
    has: ['exit'],
  },
  {
    name: 'paused: messages carry the PAUSE prefix and nothing is demoted',
    in: input({ pg: pgRunning(primary()), dcs: { pause: true } }),
    message: 'PAUSE: continue to run as primary without lock',
    hasNot: ['run_async'],
  },
  // Ha._run_cycle: paused with PostgreSQL down, the state becomes `stopped`, never `crashed`.
  {
    name: 'paused, PostgreSQL crashed under a replica: marked stopped, not started',
    in: input({ pg: { ...pgStopped(), state: 'crashed' }, dcs: { pause: true } }),
    message: 'PAUSE: postgres is not running',
    has: ['mark_stopped'],
    hasNot: ['run_async'],
  },
  {
    name: 'paused, PostgreSQL down on the leader: marked stopped, leader key released',
    in: input({ me: 'node1', pg: { ...pgStopped(), state: 'crashed' }, dcs: { pause: true } }),
    message: 'PAUSE: removed leader lock because postgres is not running',
    has: ['mark_stopped', 'delete_leader'],
  },
  {
    name: 'paused, already stopped: nothing to mark',
    in: input({ pg: pgStopped(), dcs: { pause: true } }),
    message: 'PAUSE: postgres is not running',
    hasNot: ['mark_stopped', 'run_async'],
  },
  {
    name: 'my member key is missing: publish it',
    in: input({ cluster: cluster({ leader: 'node1', members: [member('node1')] }) }),
    message: 'no action. I am (node2), a secondary, and following a leader (node1)',
    has: ['touch_member'],
  },
];

describe('decide()', () => {
  for (const c of cases) {
    test(c.name, () => {
      const { message, actions } = walk(decide(c.in), c.outcomes);
      assert.equal(message, c.message);
      if (c.task) assert.equal(asyncTask(actions)?.name, c.task);
      for (const t of c.has ?? []) assert.ok(types(actions).includes(t), `expected action ${t} in ${types(actions).join(',')}`);
      for (const t of c.hasNot ?? []) assert.ok(!types(actions).includes(t), `unexpected action ${t}`);
    });
  }

  test('a race decision explains every member', () => {
    const d = decide(input({ cluster: cluster({}), peers: [peer('node3', 500), { name: 'node1', reachable: false, error: 'refused' }] }));
    const byMember = new Map((d.reasons ?? []).map((r) => [r.member, r]));
    assert.match(byMember.get('node3')!.why, /ahead of mine/);
    assert.match(byMember.get('node1')!.why, /not reachable/);
    assert.equal(byMember.get('node2')!.eligible, false);
  });
});

/** The leaf's `leader` down the given branch outcomes (default: success). */
function leaderAfter(d: Decision, outcomes: boolean[] = []): boolean | undefined {
  let cur = d;
  let i = 0;
  while (cur.branch) cur = (outcomes[i++] ?? true) ? cur.branch.onSuccess : cur.branch.onFailure;
  return cur.leader;
}

const unreachable = (pg: PostgresSnapshot, dcs: JsonObject = {}): DcsUnreachableInput => {
  const i = input({ pg, dcs });
  return { dcs: 'unreachable', now: i.now, me: i.me, config: i.config, pg, memory: i.memory, async: null };
};

// Key cases with the whole action list and the resulting leadership: nothing more, nothing less.
describe('decide(): whole decisions', () => {
  const node1 = { name: 'node1', host: '127.0.0.1', port: 5432 };
  const rows: { name: string; d: Decision; outcomes?: boolean[]; message: string; actions: Action[]; leader: boolean }[] = [
    {
      name: 'the leader refreshes its lock and stays primary',
      d: decide(input({ me: 'node1', pg: pgRunning(primary()) })),
      message: 'no action. I am (node1), the leader with the lock',
      leader: true,
      actions: [{ type: 'set_memory', patch: { role: 'primary' } }, { type: 'update_history' }, { type: 'sync_replication' }, { type: 'sync_slots' }],
    },
    {
      name: 'the leader fails to refresh its lock: demotes without releasing it',
      d: decide(input({ me: 'node1', pg: pgRunning(primary()) })),
      outcomes: [false],
      message: 'demoted self because failed to update leader lock in DCS',
      leader: false,
      actions: [
        { type: 'set_memory', patch: { role: 'demoted' } },
        { type: 'run_async', task: { kind: 'demote', name: 'demote', mode: 'immediate-nolock' } },
        { type: 'sync_slots' },
      ],
    },
    {
      name: 'a replica follows the leader',
      d: decide(input({})),
      message: 'no action. I am (node2), a secondary, and following a leader (node1)',
      leader: false,
      actions: [{ type: 'set_memory', patch: { role: 'replica' } }, { type: 'follow', upstream: node1, role: 'replica' }, { type: 'sync_slots' }],
    },
    {
      name: 'the healthiest replica wins the race and promotes',
      d: decide(input({ cluster: cluster({}), peers: [peer('node3', 50)] })),
      message: 'promoted self to leader by acquiring session lock',
      leader: true,
      actions: [{ type: 'set_memory', patch: { role: 'promoted' } }, { type: 'run_async', task: { kind: 'promote', name: 'promote' } }, { type: 'sync_slots' }],
    },
    {
      name: 'the healthiest replica loses the race',
      d: decide(input({ cluster: cluster({}), peers: [peer('node3', 50)] })),
      outcomes: [false],
      message: 'following new leader after trying and failing to obtain lock',
      leader: false,
      actions: [{ type: 'set_memory', patch: { role: 'replica' } }, { type: 'sync_slots' }],
    },
    // Ha.clone: once cloned, a replica streams from _get_node_to_follow, not from its clone source.
    {
      name: 'empty data dir: clone from the leader, then stream from it',
      d: decide(input({ pg: pgEmpty })),
      message: "trying to bootstrap from leader 'node1'",
      leader: false,
      actions: [
        { type: 'set_memory', patch: { role: 'uninitialized' } },
        { type: 'run_async', task: { kind: 'clone', name: "bootstrap from leader 'node1'", from: node1, methods: ['basebackup'], follow: node1 } },
      ],
    },
    {
      name: 'empty data dir, nostream: clone from the leader, then stream from nobody',
      d: decide(input({ pg: pgEmpty, tags: { nostream: true } })),
      message: "trying to bootstrap from leader 'node1'",
      leader: false,
      actions: [
        { type: 'set_memory', patch: { role: 'uninitialized' } },
        { type: 'run_async', task: { kind: 'clone', name: "bootstrap from leader 'node1'", from: node1, methods: ['basebackup'], follow: null } },
      ],
    },
    {
      name: 'empty data dir: clone from a clonefrom replica, then stream from the leader',
      d: decide(
        input({
          pg: pgEmpty,
          cluster: cluster({ leader: 'node1', members: [member('node1'), member('node2'), member('node3', { tags: { clonefrom: true } })] }),
        }),
      ),
      message: "trying to bootstrap from replica 'node3'",
      leader: false,
      actions: [
        { type: 'set_memory', patch: { role: 'uninitialized' } },
        {
          type: 'run_async',
          task: {
            kind: 'clone',
            name: "bootstrap from replica 'node3'",
            from: { name: 'node3', host: '127.0.0.1', port: 5434 },
            methods: ['basebackup'],
            follow: node1,
          },
        },
      ],
    },
    {
      name: 'a nostream replica follows nobody: primary_conninfo goes if it was there',
      d: decide(input({ tags: { nostream: true } })),
      message: 'no action. I am (node2), a secondary, and following a leader (node1)',
      leader: false,
      actions: [{ type: 'set_memory', patch: { role: 'replica' } }, { type: 'follow', upstream: null, role: 'replica' }, { type: 'sync_slots' }],
    },
    // Issue 13 item 9: the key is gone in this very cycle, so is the leadership.
    {
      name: 'paused, PostgreSQL stopped: the leader deletes its key and is no longer leader',
      d: decide(input({ me: 'node1', pg: pgStopped(), dcs: { pause: true } })),
      message: 'PAUSE: removed leader lock because postgres is not running',
      leader: false,
      actions: [{ type: 'delete_leader' }],
    },
    {
      name: 'empty data dir while leader: the key is released in this cycle',
      d: decide(input({ me: 'node1', pg: pgEmpty })),
      message: 'released leader key voluntarily as data dir empty and currently leader',
      leader: false,
      actions: [{ type: 'set_memory', patch: { role: 'uninitialized' } }, { type: 'delete_leader' }],
    },
    {
      name: 'DCS unreachable on a running primary: demote offline, inline if the executor is busy (Ha._handle_dcs_error)',
      d: decide(unreachable(pgRunning(primary()))),
      message: 'demoted self because DCS is not accessible and I was a leader',
      leader: false,
      actions: [
        { type: 'set_memory', patch: { role: 'demoted' } },
        {
          type: 'run_async',
          task: { kind: 'demote', name: 'demoting self because DCS is not accessible and I was a leader', mode: 'offline' },
          inlineWhenBusy: 'AsyncExecutor is busy, demoting from the main thread',
        },
      ],
    },
    {
      name: 'DCS unreachable on a replica: nothing to do',
      d: decide(unreachable(pgRunning(server()))),
      message: 'DCS is not accessible',
      leader: false,
      actions: [],
    },
    {
      name: 'DCS unreachable on a paused primary: it keeps running',
      d: decide(unreachable(pgRunning(primary()), { pause: true })),
      message: 'DCS is not accessible',
      leader: false,
      actions: [],
    },
    {
      name: 'a seen failed rewind is forgotten and remembered as failed',
      d: decide(
        input({
          pg: pgRunning(server()),
          lastAsync: finished({ kind: 'rewind', name: 'running pg_rewind from node1', from: node1, then: { role: 'replica', upstream: node1 } }, false),
        }),
      ),
      message: 'no action. I am (node2), a secondary, and following a leader (node1)',
      leader: false,
      actions: [
        { type: 'forget_async_outcome' },
        { type: 'set_memory', patch: { rewindFailed: true } },
        { type: 'set_memory', patch: { role: 'replica' } },
        { type: 'follow', upstream: node1, role: 'replica' },
        { type: 'sync_slots' },
      ],
    },
  ];
  for (const r of rows) {
    test(r.name, () => {
      assert.deepEqual(walk(r.d, r.outcomes), { message: r.message, actions: r.actions });
      assert.equal(leaderAfter(r.d, r.outcomes), r.leader);
    });
  }
});
