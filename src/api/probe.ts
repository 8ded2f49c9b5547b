// Asking another member's REST API for its status (switchover feasibility, rest-api.md §11).
import { isObject, parseJson, type JsonObject } from '../util/json.js';

/** The member's status object, or null when unreachable / not JSON. Never throws. */
export type MemberProbe = (apiUrl: string) => Promise<JsonObject | null>;

const PROBE_TIMEOUT_MS = 2000;

export const fetchMemberStatus: MemberProbe = async (apiUrl) => {
  try {
    const res = await fetch(apiUrl, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = parseJson(await res.text());
    return isObject(body) ? body : null;
  } catch {
    return null;
  }
};
