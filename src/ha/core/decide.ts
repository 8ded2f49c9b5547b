// The HA cycle as one pure function: a snapshot in, a decision out (Patroni's Ha._run_cycle). The
// order of the checks is Patroni's; the first that applies returns. Read it beside ha.py.
import { nofailover } from '../../config/tags.js';
import { isValidSysid } from '../../dcs/cluster.js';
import { bootstrap, postBootstrap } from './bootstrap.js';
import { attempt, plan, setMemory, withActions, withReasons, type Action, type Decision } from './decision.js';
import { follow } from './follow.js';
import { isHealthiestNode } from './healthiest.js';
import { dcsUnreachable, type CycleInput, type HaInput } from './input.js';
import { withLeadership } from './leadership.js';
import { decideWithoutDcs } from './dcs-lost.js';
import { checkStartResult, failoverPossibleNow, isCrashRecoveryOfPrimary, recover } from './recover.js';
import { scheduledRestart } from './restart.js';
import { withSlotCopy } from './slots-copy.js';
import { manualFailoverFromLeader } from './switchover.js';
import { isStandbyCluster } from './standby.js';
import { syncBeforePromote } from './sync.js';
import { raceBackoff, raceBackoffApplies } from './race-backoff.js';
import { stopTimeout } from './stop-timeout.js';
import { watchdogHousekeeping, withWatchdogActivation } from './watchdog.js';

/**
 * One cycle. Every step of the returned tree says whether this node then holds the leader key
 * (`leader`), so "am I the leader" is the decision's own result.
 */
export function decide(input: CycleInput): Decision {
  if (dcsUnreachable(input)) return withLeadership(decideWithoutDcs(input), false);
  const d = decideCycle(input);
  return withLeadership(input.config.pause ? pausePrefixed(d) : d, input.cluster.leader?.name === input.me.name);
}

function decideCycle(input: HaInput): Decision {
  const { cluster, me, pg } = input;
  const iHaveLock = cluster.leader?.name === me.name;
  const pre: Action[] = [];

  if (!cluster.members.some((m) => m.name === me.name)) pre.push({ type: 'touch_member' });
  const sysid = pg.dataDir.kind === 'present' ? pg.dataDir.sysid : null;
  if (iHaveLock && !isValidSysid(cluster.initialize) && isValidSysid(sysid)) {
    pre.push({ type: 'write_initialize', createNew: cluster.initialize === null, sysid });
  }
  if (iHaveLock && (!cluster.config || Object.keys(cluster.config.data).length === 0)) pre.push({ type: 'publish_config' });
  pre.push(...watchdogHousekeeping(input, iHaveLock));

  return withActions(decideAfterHousekeeping(input, iHaveLock), ...pre);
}

function decideAfterHousekeeping(input: HaInput, iHaveLock: boolean): Decision {
  const { cluster, me, pg, memory } = input;

  if (input.async) return longActionInProgress(input, iHaveLock);
  if (memory.bootstrap.stage !== 'none') return postBootstrap(input);

  const extra: Action[] = [];
  if (memory.recovering) {
    const failed = checkStartResult(input);
    if (failed) return failed;
    extra.push(setMemory({ recovering: false }));
  }
  // A finished async task's outcome has been seen by now; a failed rewind is not retried in a loop.
  if (input.lastAsync) {
    extra.push({ type: 'forget_async_outcome' });
    if (!input.lastAsync.ok && input.lastAsync.task.kind === 'rewind') extra.push(setMemory({ rewindFailed: true }));
  }

  const dd = pg.dataDir;
  if (dd.kind !== 'present') {
    const stop: Action[] = pg.postmasterRunning ? [{ type: 'stop_postgres', mode: 'immediate' }] : [];
    const asUninitialized = setMemory({ role: 'uninitialized' });
    const which = dd.kind === 'empty' ? 'empty' : 'not accessible';
    if (iHaveLock) {
      return plan(`released leader key voluntarily as data dir ${which} and currently leader`, asUninitialized, ...stop, { type: 'delete_leader' });
    }
    if (dd.kind === 'inaccessible') return plan(`data directory is not accessible: ${dd.error}`, asUninitialized, ...stop);
    if (input.config.pause) return plan('running with empty data directory', asUninitialized, ...stop);
    return withActions(bootstrap(input), ...extra, asUninitialized, ...stop);
  }

  if (!isValidSysid(dd.sysid)) {
    return plan('data dir for the cluster is not empty, but system ID is invalid; consider doing reinitialize');
  }
  if (isValidSysid(cluster.initialize) && cluster.initialize !== dd.sysid) {
    if (input.config.pause) {
      return iHaveLock
        ? plan('released leader key voluntarily due to the system ID mismatch', { type: 'delete_leader' })
        : plan(`system ID has changed while in paused mode: ${cluster.initialize} != ${dd.sysid}`);
    }
    return plan(`system ID mismatch, node ${me.name} belongs to a different cluster: ${cluster.initialize} != ${dd.sysid}`, {
      type: 'exit',
      code: 1,
      reason: 'system ID mismatch',
    });
  }
  if (!isValidSysid(cluster.initialize) && !cluster.leader && !input.config.pause) {
    if (pg.server?.inRecovery) {
      return plan('No initialize key in DCS and PostgreSQL is running as replica, aborting start', {
        type: 'exit',
        code: 1,
        reason: 'No initialize key in DCS and PostgreSQL is running as replica, aborting start',
      });
    }
    extra.push({ type: 'write_initialize', createNew: cluster.initialize === null, sysid: dd.sysid });
  }

  if (!pg.postmasterRunning) {
    if (input.config.pause) {
      // Ha._run_cycle: paused, a down PostgreSQL is `stopped` (nobody will start it), never `crashed`.
      const stopped: Action[] = pg.state === 'stopped' ? [] : [{ type: 'mark_stopped' }];
      return iHaveLock
        ? plan('removed leader lock because postgres is not running', ...stopped, { type: 'delete_leader' })
        : plan('postgres is not running', ...stopped);
    }
    return withActions(recover(input), ...extra);
  }

  // The postmaster is there but did not answer: judge nothing on a blind snapshot (a dying server
  // would look like a replica to promote). Keep the lock meanwhile.
  if (!pg.server) {
    const msg = 'Error communicating with PostgreSQL. Will try again later';
    return iHaveLock ? attempt('update_leader', plan(msg), plan(msg)) : plan(msg);
  }

  if (input.config.primary_race_backoff > 0) {
    const s = pg.server;
    extra.push(
      setMemory({
        prevWalLsn: s ? Math.max(s.receiveLsn ?? 0, s.replayLsn ?? 0, s.inRecovery ? 0 : s.walLsn) : null,
        ...(cluster.leader ? { raceBackoffAt: null } : {}),
      }),
    );
  }
  const d = cluster.leader ? withScheduledRestart(input, healthyCluster(input, iHaveLock)) : unhealthyCluster(input);
  const slots: Action[] = pg.server ? [{ type: 'sync_slots' }] : [];
  return withActions(withSlotCopy(input, appendActions(d, slots)), ...extra);
}

/** An async task is running (Patroni's `is_async_action_in_progress` branch of _run_cycle). */
function longActionInProgress(input: HaInput, iHaveLock: boolean): Decision {
  const { task, startedAt } = input.async!;
  const { name } = task;
  if (iHaveLock && isCrashRecoveryOfPrimary(task) && input.now - startedAt > input.config.primary_start_timeout * 1000 && failoverPossibleNow(input)) {
    // Crash recovery outlived primary_start_timeout while a replica could take over (Ha.handle_starting_instance).
    return attempt(
      'update_leader',
      plan('terminated crash recovery because of startup timeout', { type: 'stop_postgres', mode: 'immediate' }, setMemory({ role: 'demoted' }), {
        type: 'delete_leader',
      }),
      plan(`${name} in progress`),
    );
  }
  if (iHaveLock) {
    return attempt(
      'update_leader',
      plan(`updated leader lock during ${name}`),
      input.pg.server && !input.pg.server.inRecovery && !input.config.pause
        ? plan(`lost leader lock during ${name}`, { type: 'stop_postgres', mode: 'immediate' })
        : plan(`${name} in progress`),
    );
  }
  return plan(`${name} in progress`);
}

/** No leader key: Ha.process_unhealthy_cluster. */
function unhealthyCluster(input: HaInput): Decision {
  const { me } = input;
  const backoff = postponeRace(input);
  if (backoff) return backoff;
  const verdict = isHealthiestNode(input);
  if (verdict.healthiest) {
    const lead = isStandbyCluster(input.config)
      ? follow(input, 'cannot be a real primary in standby cluster', 'promoted self to a standby leader by acquiring session lock', true)
      : enforcePrimaryRole(input, 'acquired session lock as a leader', 'promoted self to leader by acquiring session lock');
    const won = input.cluster.failover ? withActions(lead, { type: 'clear_failover' }) : lead;
    const lost = follow(input, 'demoted self after trying and failing to obtain lock', 'following new leader after trying and failing to obtain lock');
    return withReasons(attempt('acquire_leader', won, lost), verdict.reasons);
  }
  const d =
    nofailover(me.tags) && !input.config.pause
      ? follow(input, 'demoting self because I am not allowed to become primary', 'following a different leader because I am not allowed to promote')
      : follow(input, 'demoting self because i am not the healthiest node', 'following a different leader because i am not the healthiest node');
  return withReasons(d, verdict.reasons);
}

/** primary_race_backoff: WAL still arrives from a primary that lost its key; give it time to return. */
function postponeRace(input: HaInput): Decision | null {
  const { config, memory, pg } = input;
  const applies = raceBackoffApplies({
    backoff: config.primary_race_backoff,
    paused: config.pause,
    standbyCluster: isStandbyCluster(config),
    failoverCandidate: !!input.cluster.failover?.candidate,
    prevWalLsn: memory.prevWalLsn,
  });
  const s = pg.server;
  if (!applies || !s || !s.inRecovery) return null;
  const r = raceBackoff({
    now: input.now,
    backoff: config.primary_race_backoff,
    loopWait: config.loop_wait,
    startedAt: memory.raceBackoffAt,
    prevWalLsn: memory.prevWalLsn,
    walLsn: Math.max(s.receiveLsn ?? 0, s.replayLsn ?? 0),
    streaming: s.replicationState === 'streaming',
  });
  return r.postpone ? plan(r.message(input.me.name), setMemory({ raceBackoffAt: r.startedAt })) : null;
}

/** A leader key exists: Ha.process_healthy_cluster. */
function healthyCluster(input: HaInput, iHaveLock: boolean): Decision {
  const { me, pg, cluster } = input;
  if (iHaveLock) {
    const standby = isStandbyCluster(input.config);
    if (input.config.pause && !standby && !(pg.server && !pg.server.inRecovery)) {
      return plan('removed leader lock because postgres is not running as primary', { type: 'delete_leader' });
    }
    // Ha.process_healthy_cluster: a standby leader hands over on a switchover/failover request too.
    const handover = manualFailoverFromLeader(input);
    const kept =
      handover.kind === 'demote'
        ? handover.decision
        : withReasons(
            withActions(
              standby
                ? follow(
                    input,
                    'cannot be a real primary in standby cluster',
                    input.memory.role === 'standby_leader'
                      ? `no action. I am (${me.name}), the standby leader with the lock`
                      : 'promoted self to a standby leader because i had the session lock',
                  )
                : enforcePrimaryRole(input, `no action. I am (${me.name}), the leader with the lock`, 'promoted self to leader because I had the session lock'),
              ...handover.actions,
            ),
            handover.reasons,
          );
    const lostWhilePrimary = pg.server && !pg.server.inRecovery;
    const lost = lostWhilePrimary
      ? input.config.pause
        ? plan('continue to run as primary after failing to update leader lock in DCS')
        : plan('demoted self because failed to update leader lock in DCS', setMemory({ role: 'demoted' }), {
            type: 'run_async',
            task: { kind: 'demote', name: 'demote', mode: 'immediate-nolock', ...stopTimeout(input.config) },
          })
      : plan('not promoting because failed to update leader lock in DCS');
    return attempt('update_leader', kept, lost);
  }
  if (isStandbyCluster(input.config)) {
    return follow(
      input,
      'cannot be a real primary in a standby cluster',
      `no action. I am (${me.name}), a secondary, and following a standby leader (${cluster.leader!.name})`,
    );
  }
  return follow(
    input,
    'demoting self because I do not have the lock and I was a leader',
    `no action. I am (${me.name}), a secondary, and following a leader (${cluster.leader!.name})`,
  );
}

/** Ha.enforce_primary_role */
function enforcePrimaryRole(input: HaInput, message: string, promoteMessage: string): Decision {
  return withWatchdogActivation(input, primaryRole(input, message, promoteMessage));
}

function primaryRole(input: HaInput, message: string, promoteMessage: string): Decision {
  const { pg } = input;
  if (!input.config.pause && input.lastAsync?.failure === 'pre_promote') {
    // Ha.enforce_primary_role: give the lock back and stay out of the next race for ttl seconds.
    return plan(
      'Promotion cancelled because the pre-promote script failed',
      { type: 'log', level: 'warning', message: 'Releasing the leader key voluntarily because the pre-promote script failed' },
      setMemory({ releasedLeaderKeyAt: input.now, role: 'replica' }),
      { type: 'delete_leader' },
    );
  }
  if (pg.server && !pg.server.inRecovery) {
    return plan(message, setMemory({ role: 'primary' }), { type: 'update_history' }, { type: 'sync_replication' });
  }
  // `promoted` until PostgreSQL leaves recovery, then `primary` (Patroni's transient role).
  const promote = plan(promoteMessage, setMemory({ role: 'promoted' }), { type: 'run_async', task: { kind: 'promote', name: 'promote' } });
  // Ha.enforce_primary_role / SyncHandler: name myself in `sync` (and protect my future commits) before promoting; lose the CAS, wait.
  const claim = syncBeforePromote(input.config, input.cluster.sync, input.me.name);
  if (!claim) return promote;
  return attempt(
    { kind: 'claim_sync', key: claim.key, standbyNames: claim.standbyNames },
    promote,
    plan('Postponing promotion because synchronous replication state was updated by somebody else'),
  );
}

/** A due scheduled restart's message replaces the healthy-cluster message (Ha.restart_scheduled in Ha._run_cycle). */
function withScheduledRestart(input: HaInput, d: Decision): Decision {
  const sr = scheduledRestart(input);
  if (!sr) return d;
  const apply = (x: Decision): Decision => ({
    ...x,
    actions: [...x.actions, ...sr.actions],
    message: sr.message || x.message,
    ...(x.branch ? { branch: { ...x.branch, onSuccess: apply(x.branch.onSuccess), onFailure: x.branch.onFailure } } : {}),
  });
  return apply(d);
}

function appendActions(d: Decision, after: Action[]): Decision {
  if (after.length === 0) return d;
  if (d.branch) {
    return { ...d, branch: { ...d.branch, onSuccess: appendActions(d.branch.onSuccess, after), onFailure: appendActions(d.branch.onFailure, after) } };
  }
  return { ...d, actions: [...d.actions, ...after] };
}

function pausePrefixed(d: Decision): Decision {
  const p = (x: Decision): Decision => ({
    ...x,
    message: x.message.startsWith('PAUSE: ') ? x.message : `PAUSE: ${x.message}`,
    ...(x.branch ? { branch: { ...x.branch, onSuccess: p(x.branch.onSuccess), onFailure: p(x.branch.onFailure) } } : {}),
  });
  return p(d);
}
