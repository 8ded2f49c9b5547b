// Ha.shutdown on SIGTERM: stop PostgreSQL (unless paused), release the leader key once it is down,
// publish the member key a last time, close the connections.
import type { DynamicConfig } from '../config/types.js';
import type { Dcs } from '../dcs/dcs.js';
import { stopTimeout } from '../ha/core/stop-timeout.js';
import type { TaskPostgres } from '../ha/shell/tasks.js';
import { log } from '../log/logger.js';
import type { PostgresSnapshot } from '../postgresql/snapshot.js';

export interface ShutdownHost {
  readonly dcs: Dcs;
  readonly pg: TaskPostgres;
  readonly watchdog: { disable(): void };
  name(): string;
  dynamic(): DynamicConfig;
  snapshot(): PostgresSnapshot | null;
  /** Read the local PostgreSQL again and publish members/<name>. */
  republish(): Promise<void>;
}

export async function shutdownNode(host: ShutdownHost): Promise<void> {
  const { dcs, pg, watchdog } = host;
  const dynamic = host.dynamic();
  if (dynamic.pause) {
    watchdog.disable();
    log.info('Leaving PostgreSQL running because the cluster is paused');
  } else {
    pg.setState('stopping');
    // Ha.shutdown: a primary's stop gets primary_stop_timeout (synchronous mode only).
    const before = host.snapshot();
    const primary = !!before?.server && !before.server.inRecovery;
    const stopped = await pg.stop('fast', primary ? stopTimeout(dynamic) : {});
    if (stopped) watchdog.disable();
    else log.warning('Leaving watchdog running: PostgreSQL did not stop');
    pg.setState(stopped ? 'stopped' : 'stop failed');
    try {
      const cluster = await dcs.getCluster();
      if (cluster.leader?.name === host.name()) {
        if (stopped) await dcs.deleteLeader(cluster.leader, host.snapshot()?.server?.walLsn);
        else log.error('PostgreSQL shutdown failed, leader key not removed.');
      }
      await host.republish();
    } catch (e) {
      log.warning('Could not update the DCS on shutdown: %s', e instanceof Error ? e.message : String(e));
    }
  }
  await pg.close();
  await dcs.close();
}
