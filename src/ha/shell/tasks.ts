// The long-running work behind each AsyncTask, run on the AsyncRunner.
import type { Dcs } from '../../dcs/dcs.js';
import { log } from '../../log/logger.js';
import type { PostgresController, Upstream } from '../../postgresql/controller.js';
import type { AsyncTask } from '../core/decision.js';
import type { TaskResult } from './async-runner.js';
import type { PgRole } from '../../postgresql/callback-state.js';
import { copyLogicalSlots, type SlotCopyPostgres } from './slots-copy-task.js';

/** The controller plus the pieces tasks need beyond the HA-facing interface. */
export interface TaskPostgres extends PostgresController {
  rewind(from: { host: string; port: number; name: string }): Promise<boolean>;
  /** Remove the data directory: only ever called for an explicit reinitialize request. */
  removeDataDirectory(): Promise<void>;
  /** Terminate the WAL senders serving these members (application_name = member name). */
  detachStandbys(members: string[]): Promise<void>;
  /** Latest checkpoint location from pg_controldata after a stop (status.optime on release). */
  lastCheckpointLsn(): Promise<number | undefined>;
  readonly dataDir: string;
  /** The role the next callback reports (Ha.demote sets `demoted`). */
  setCallbackRole(role: PgRole): void;
  /** Copying logical slots from the primary (copy_logical_slots). */
  readonly slots: SlotCopyPostgres;
}

/** The replica creation methods into the (empty) data directory; false, logged, when none worked. */
async function cloneFrom(pg: TaskPostgres, from: Upstream | null, methods: string[], signal?: AbortSignal): Promise<boolean> {
  pg.setState('creating replica');
  if (await pg.createReplica(from, methods, signal)) return true;
  log.error('failed to bootstrap %s', from ? `from ${from.name}` : '(without leader)');
  // Ha.clone: what a failed method left behind is not a usable data directory.
  await pg.removeDataDirectory();
  return false;
}

/** SlotsHandler.on_promote: copies that may not decode (a Python set in Patroni's message), and why. */
function warnNotReadySlots(notReady: ReadonlyMap<string, string>): void {
  if (notReady.size === 0) return;
  log.warning('Logical replication slots that might be unsafe to use after promote: {%s}', [...notReady.keys()].map((n) => `'${n}'`).join(', '));
  for (const [name, why] of notReady) log.warning("Logical replication slot '%s': %s", name, why);
}

export async function runTask(task: AsyncTask, pg: TaskPostgres, dcs: Dcs, signal?: AbortSignal): Promise<TaskResult> {
  switch (task.kind) {
    case 'bootstrap':
      try {
        await pg.bootstrap();
      } catch (e) {
        log.error('Exception during execution of bootstrap: %s', e instanceof Error ? e.message : String(e));
        return false;
      }
      return pg.start('primary', null);
    case 'bootstrap_standby_leader':
      return (await cloneFrom(pg, task.from, task.methods, signal)) && pg.start('standby_leader', task.from);
    case 'post_bootstrap':
      await pg.postBootstrap();
      return true;
    case 'clone':
      return (await cloneFrom(pg, task.from, task.methods, signal)) && pg.start('replica', task.follow);
    case 'promote': {
      // Postgresql.promote: pre_promote first; its refusal is an outcome the HA core acts on.
      if (!(await pg.prePromote())) return 'pre_promote_failed';
      warnNotReadySlots(pg.slots.notReady);
      if (!(await pg.promote())) return false;
      pg.slots.notReady.clear();
      // pg_rewind on a former primary reads the timeline from our control file, which only a
      // checkpoint updates: take it now instead of waiting for the next scheduled one.
      await pg.checkpoint().catch((e: unknown) => log.warning('CHECKPOINT after promote failed: %s', String(e)));
      return true;
    }
    case 'restart':
      return pg.restart(task.role, task.upstream);
    case 'reinitialize': {
      // Never remove the files of a server that is still running.
      if (!(await pg.stop('immediate'))) {
        log.error('Could not stop PostgreSQL: not removing the data directory');
        return false;
      }
      await pg.removeDataDirectory();
      return (await cloneFrom(pg, task.from, task.methods ?? ['basebackup'], signal)) && pg.start('replica', task.from);
    }
    case 'start':
      return pg.start(task.role, task.upstream);
    case 'copy_logical_slots':
      return copyLogicalSlots(pg, task);
    case 'rewind':
      // A running replica that forked off is stopped cleanly first: pg_rewind needs that.
      if (!(await pg.stop('fast'))) return false;
      if (!(await pg.rewind(task.from))) return false;
      return pg.start(task.then.role, task.then.upstream);
    case 'demote': {
      log.info('Demoting self (%s)', task.mode);
      if (task.mode === 'demote-cluster') {
        // The leader key stays: this node becomes the standby leader of the new standby cluster.
        if (!(await pg.stop('fast'))) return false;
        return pg.start('standby_leader', task.follow ?? null);
      }
      // The graceful CHECKPOINT (its own session) runs while the standbys that will not lead are
      // detached: neither waits for the other's round trips.
      await Promise.all([
        task.detach?.length ? pg.detachStandbys(task.detach).catch((e: unknown) => log.warning('Could not detach standbys: %s', String(e))) : undefined,
        task.mode === 'graceful' ? pg.checkpoint().catch((e: unknown) => log.error('Exception during CHECKPOINT: %s', String(e))) : undefined,
      ]);
      // Ha.demote: a graceful stop hands the lock over at the shutdown checkpoint, so on_stop already says `demoted`.
      if (task.mode === 'graceful') pg.setCallbackRole('demoted');
      const stopped = await pg.stop(
        task.mode === 'graceful' || task.mode === 'offline' ? 'fast' : 'immediate',
        task.stopTimeout ? { stopTimeout: task.stopTimeout } : {},
      );
      if (!stopped) return false;
      pg.setCallbackRole('demoted');
      if (task.mode === 'graceful' || task.mode === 'immediate') {
        const cluster = await dcs.getCluster();
        await dcs.deleteLeader(cluster.leader, await pg.lastCheckpointLsn());
      }
      // A graceful stop leaves nothing to rewind: follow the candidate straight away.
      if (task.follow !== undefined) return pg.start('replica', task.follow);
      return true;
    }
  }
}
