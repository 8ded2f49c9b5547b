// Ha.check_failsafe_topology's I/O: POST /failsafe to every other member of the failsafe key, in
// parallel, 2 s each with one retry, as Patroni does. The verdict itself is the core's.
import { log } from '../log/logger.js';
import { failsafeAccepted } from '../ha/core/failsafe.js';
import type { BasicAuth } from '../config/types.js';
import type { JsonObject } from '../util/json.js';

const TIMEOUT_MS = 2000;

/** PatroniRequest's basic auth: ctl.authentication, else restapi.authentication. */
export function failsafeAuthHeader(auth: BasicAuth | undefined): Record<string, string> {
  return auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
}

async function post(name: string, apiUrl: string, body: string, headers: Record<string, string>): Promise<boolean> {
  const url = new URL('/failsafe', apiUrl).toString();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(TIMEOUT_MS) });
      const text = await res.text();
      log.info('Got response from %s %s: %s', name, apiUrl, text);
      return failsafeAccepted(res.status, text);
    } catch (e) {
      if (attempt === 1) log.warning('Request failed to %s: POST %s (%s)', name, url, e instanceof Error ? e.message : String(e));
    }
  }
  return false;
}

/** One answer per member, in order: accepted or not. */
export function askFailsafeMembers(members: { name: string; url: string }[], heartbeat: JsonObject, auth?: BasicAuth): Promise<boolean[]> {
  const body = JSON.stringify(heartbeat);
  const headers = failsafeAuthHeader(auth);
  return Promise.all(members.map((m) => post(m.name, m.url, body, headers)));
}
