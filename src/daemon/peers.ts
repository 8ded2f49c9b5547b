// Probe other members' GET /patroni during a leader race (2 s timeout, in parallel), so
// decide() can compare WAL positions without doing I/O itself. Over Patroni's client settings
// (mutual TLS with ctl.certfile), see util/patroni-request.ts.
import { failoverPriority, nofailover } from '../config/tags.js';
import type { Cluster } from '../dcs/cluster.js';
import type { PeerStatus } from '../ha/core/input.js';
import { isObject, type JsonObject } from '../util/json.js';
import { getPeerJson } from '../util/patroni-request.js';

/** `alsoKnown`: the failsafe key's members (name -> api_url), raced against too (Ha.is_healthiest_node). */
export async function probePeers(cluster: Cluster, me: string, timeoutMs = 2000, alsoKnown: Record<string, string> = {}): Promise<PeerStatus[]> {
  const urls = new Map<string, string>();
  for (const m of cluster.members) if (m.data.api_url) urls.set(m.name, m.data.api_url);
  for (const [name, url] of Object.entries(alsoKnown)) if (!urls.has(name)) urls.set(name, url);
  urls.delete(me);
  return Promise.all([...urls].map(([name, url]) => probe(name, url, timeoutMs)));
}

async function probe(name: string, url: string, timeoutMs: number): Promise<PeerStatus> {
  try {
    const res = await getPeerJson(url, timeoutMs);
    if (!res) return { name, reachable: false, error: 'no answer' };
    const body = res.body;
    if (!isObject(body) || !isObject(body['xlog'])) return { name, reachable: false, error: 'no xlog in status' };
    return peerFromStatus(name, body);
  } catch (e) {
    return { name, reachable: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Read a peer's /patroni object the way Patroni's _is_healthiest_node does. */
export function peerFromStatus(name: string, body: JsonObject): PeerStatus {
  const xlog = isObject(body['xlog']) ? body['xlog'] : {};
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const location = num(xlog['location']);
  const walLsn = location || Math.max(num(xlog['received_location']), num(xlog['replayed_location']));
  const tags = isObject(body['tags']) ? body['tags'] : {};
  const role = typeof body['role'] === 'string' ? body['role'] : '';
  return {
    name,
    reachable: true,
    role,
    walLsn,
    isPrimary: location > 0 || role === 'primary' || role === 'master',
    nofailover: nofailover(tags),
    failoverPriority: failoverPriority(tags),
    watchdogFailed: body['watchdog_failed'] === true,
    timeline: typeof body['timeline'] === 'number' ? body['timeline'] : null,
  };
}
