// The long-running work behind each AsyncTask, run on the AsyncRunner.
import type { Dcs } from '../../dcs/dcs.js';
import { log } from '../../log/logger.js';
import type { PostgresController, Upstream } from '../../postgresql/controller.js';
import type { AsyncTask } from '../core/decision.js';
import { copyLogicalSlots, type SlotCopyPostgres } from './slots-copy-task.js';

/** The controller plus the pieces tasks need beyond the HA-facing interface. */
export interface TaskPostgres extends PostgresController {
  setState(state: string): void;
  rewind(from: { host: string; port: number; name: string }): Promise<boolean>;
  /** Remove the data directory: only ever called for an explicit reinitialize request. */
  removeDataDirectory(): Promise<void>;
  /** Terminate the WAL senders serving these members (application_name = member name). */
  detachStandbys(members: string[]): Promise<void>;
  /** Latest checkpoint location from pg_controldata after a stop (status.optime on release). */
  lastCheckpointLsn(): Promise<number | undefined>;
  readonly dataDir: string;
  /** Copying logical slots from the primary (copy_logical_slots). */
  readonly slots: SlotCopyPostgres;
}

/** pg_basebackup into the (empty) data directory; false, logged, when it failed. */
async function cloneFrom(pg: TaskPostgres, from: Upstream): Promise<boolean> {
  pg.setState('creating replica');
  try {
    await pg.basebackup(from);
  } catch (e) {
    pg.setState('stopped');
    log.error('Error creating replica using method basebackup: %s', e instanceof Error ? e.message : String(e));
    return false;
  }
  log.info('replica has been created using basebackup');
  return true;
}

export async function runTask(task: AsyncTask, pg: TaskPostgres, dcs: Dcs): Promise<boolean> {
  switch (task.kind) {
    case 'bootstrap':
      pg.setState('initializing new cluster');
      try {
        await pg.initdb();
      } catch (e) {
        pg.setState('initdb failed');
        log.error('Exception during execution of bootstrap: %s', e instanceof Error ? e.message : String(e));
        return false;
      }
      return pg.start('primary', null);
    case 'bootstrap_standby_leader':
      return (await cloneFrom(pg, task.from)) && pg.start('standby_leader', task.from);
    case 'post_bootstrap':
      await pg.postBootstrap();
      return true;
    case 'clone':
      return (await cloneFrom(pg, task.from)) && pg.start('replica', task.from);
    case 'promote': {
      if (!(await pg.promote())) return false;
      // pg_rewind on a former primary reads the timeline from our control file, which only a
      // checkpoint updates: take it now instead of waiting for the next scheduled one.
      await pg.checkpoint().catch((e: unknown) => log.warning('CHECKPOINT after promote failed: %s', String(e)));
      return true;
    }
    case 'restart': {
      pg.setState('restarting');
      if (!(await pg.stop('fast'))) return false;
      return pg.start(task.role, task.upstream);
    }
    case 'reinitialize': {
      await pg.stop('immediate');
      await pg.removeDataDirectory();
      return (await cloneFrom(pg, task.from)) && pg.start('replica', task.from);
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
      if (task.detach?.length) await pg.detachStandbys(task.detach).catch((e: unknown) => log.warning('Could not detach standbys: %s', String(e)));
      const stopped = await pg.stop(task.mode === 'graceful' || task.mode === 'offline' ? 'fast' : 'immediate',
        { checkpoint: task.mode === 'graceful' });
      if (!stopped) return false;
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
