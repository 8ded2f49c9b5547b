// Asking another member's REST API for its status (switchover feasibility: Patroni's
// RestApiHandler.is_failover_possible -> Ha.fetch_nodes_statuses).
import { isObject, type JsonObject } from '../util/json.js';
import { getPeerJson } from '../util/patroni-request.js';

/** The member's status object, or null when unreachable / not JSON. Never throws. */
export type MemberProbe = (apiUrl: string) => Promise<JsonObject | null>;

const PROBE_TIMEOUT_MS = 2000;

export const fetchMemberStatus: MemberProbe = async (apiUrl) => {
  try {
    const res = await getPeerJson(apiUrl, PROBE_TIMEOUT_MS);
    return res && isObject(res.body) ? res.body : null;
  } catch {
    return null;
  }
};
