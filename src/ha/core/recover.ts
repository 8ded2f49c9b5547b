// PostgreSQL is not running although the data directory is there (Ha.recover).
import { attempt, plan, setMemory, type AsyncTask, type Decision } from './decision.js';
import { rewindIfDiverged } from './follow.js';
import { isFailoverPossible } from './healthiest.js';
import type { HaInput } from './input.js';
import { followTarget, isStandbyCluster } from './standby.js';

/** The only primary start after a failure: a crashed primary's crash recovery (Ha.handle_starting_instance watches it). */
export const isCrashRecoveryOfPrimary = (task: AsyncTask): boolean => task.kind === 'start' && task.role === 'primary';

const CRASHED_PRIMARY_STATES = new Set(['in production', 'in crash recovery', 'shutting down', 'shut down']);

export function recover(input: HaInput): Decision {
  const { cluster, me, pg, memory } = input;
  const iHaveLock = cluster.leader?.name === me.name;

  if (iHaveLock && isStandbyCluster(input.config)) {
    const { upstream } = followTarget(input);
    return attempt(
      'update_leader',
      plan('starting as a standby leader because i had the session lock', setMemory({ recovering: true, role: 'standby_leader' }), {
        type: 'run_async',
        task: { kind: 'start', name: 'starting as a standby leader', role: 'standby_leader', upstream },
      }),
      startAsSecondary(input),
    );
  }
  if (iHaveLock && input.config.primary_start_timeout === 0 && failoverPossibleNow(input)) {
    // primary_start_timeout 0: do not restart a crashed primary in place when a replica can take over.
    return attempt(
      'update_leader',
      plan('stopped PostgreSQL to fail over after a crash', setMemory({ role: 'demoted' }), { type: 'delete_leader' }),
      startAsSecondary(input),
    );
  }
  if (iHaveLock) {
    const controlState = pg.dataDir.kind === 'present' ? (pg.dataDir.controlData?.clusterState ?? '') : '';
    const startPrimary =
      pg.state === 'crashed' && memory.role === 'primary' && CRASHED_PRIMARY_STATES.has(controlState)
        ? plan('starting primary after failure', setMemory({ recovering: true }), {
            type: 'run_async',
            task: { kind: 'start', name: 'starting primary after failure', role: 'primary', upstream: null },
          })
        : plan('starting as readonly because i had the session lock', setMemory({ recovering: true }), {
            type: 'run_async',
            task: { kind: 'start', name: 'restarting after failure', role: 'replica', upstream: null },
          });
    return attempt('update_leader', startPrimary, startAsSecondary(input));
  }
  return rewindIfDiverged(input) ?? startAsSecondary(input);
}

/** A healthy replica could take over (Ha.is_failover_possible), judged from the probed peers. */
export function failoverPossibleNow(input: HaInput): boolean {
  return isFailoverPossible(input, input.cluster.members).possible;
}

function startAsSecondary(input: HaInput): Decision {
  const { upstream } = followTarget(input);
  const remote = isStandbyCluster(input.config) && !input.cluster.leader;
  return plan(
    remote ? 'trying to follow a remote member because standby cluster is unhealthy' : 'starting as a secondary',
    setMemory({ recovering: true, role: 'replica' }),
    { type: 'run_async', task: { kind: 'start', name: 'restarting after failure', role: 'replica', upstream } },
  );
}

/** The cycle after a start attempt (Ha.post_recover). Null when PostgreSQL came up: continue normally. */
export function checkStartResult(input: HaInput): Decision | null {
  const { cluster, me, pg } = input;
  if (pg.postmasterRunning) return null;
  if (cluster.leader?.name === me.name) {
    return plan('removed leader key after trying and failing to start postgres', setMemory({ recovering: false, role: 'demoted' }), { type: 'delete_leader' });
  }
  return plan('failed to start postgres', setMemory({ recovering: false }));
}
