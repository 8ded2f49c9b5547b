// Ha.check_failsafe_topology's I/O: POST /failsafe to every other member of the failsafe key, in
// parallel, 2 s each with one retry, through the shared PatroniRequest (Ha.call_failsafe_member uses
// self.patroni.request): basic auth from ctl, else restapi; ctl's client certificate; ctl.cacert, else
// restapi.cafile. The verdict itself is the core's.
import { log } from '../log/logger.js';
import { failsafeAccepted } from '../ha/core/failsafe.js';
import type { JsonObject } from '../util/json.js';
import { postPeer, type RestResponse } from '../util/patroni-request.js';

const TIMEOUT_MS = 2000;

/** How one POST is sent; the daemon's peer request unless a test gives another. */
export type FailsafePost = (apiUrl: string, endpoint: string, data: JsonObject, timeoutMs: number) => Promise<RestResponse>;

async function ask(name: string, apiUrl: string, heartbeat: JsonObject, post: FailsafePost): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const res = await post(apiUrl, 'failsafe', heartbeat, TIMEOUT_MS);
      log.info('Got response from %s %s: %s', name, apiUrl, res.body);
      return failsafeAccepted(res.status, res.body);
    } catch (e) {
      if (attempt === 1) log.warning('Request failed to %s: POST %s (%s)', name, apiUrl, e instanceof Error ? e.message : String(e));
    }
  }
  return false;
}

/** One answer per member, in order: accepted or not. */
export function askFailsafeMembers(members: { name: string; url: string }[], heartbeat: JsonObject, post: FailsafePost = postPeer): Promise<boolean[]> {
  return Promise.all(members.map((m) => ask(m.name, m.url, heartbeat, post)));
}
