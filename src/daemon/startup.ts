// Start-up checks before the first cycle (Patroni.ensure_dcs_access and Patroni.ensure_unique_name).
import { DcsError, type Dcs } from '../dcs/dcs.js';
import { log } from '../log/logger.js';
import { getPeerJson } from '../util/patroni-request.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait for the DCS, then refuse to run a second node under a name whose owner still answers. */
export async function refuseDuplicateName(dcs: Dcs, name: string): Promise<void> {
  for (;;) {
    try {
      const cluster = await dcs.getCluster();
      const me = cluster.members.find((m) => m.name === name);
      const apiUrl = me?.data.api_url;
      if (apiUrl) {
        const alive = (await getPeerJson(apiUrl.replace(/\/patroni$/, '/liveness'), 2000))?.status === 200;
        if (alive) {
          log.critical("Can't start; there is already a node named '%s' running", name);
          process.exit(1);
        }
      }
      return;
    } catch (e) {
      if (!(e instanceof DcsError)) throw e;
      log.info('waiting on DCS: Can not get cluster from dcs');
      await sleep(5000);
    }
  }
}
