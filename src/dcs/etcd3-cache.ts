// The daemon's view of the cluster prefix: one range read, then a watch stream keeps an in-memory
// map current, so each HA cycle reads memory instead of etcd and learns about changes immediately.
import { isObject, parseJson } from '../util/json.js';
import type { Cluster } from './cluster.js';
import type { CacheChange, KvCache } from './kv-cache.js';
import { parseCluster, type RawNode } from './parse.js';
import type { Etcd3Client } from './etcd3-client.js';
import { b64, deleteBody, kvFromJson, kvsOf, prefixRangeEnd, revisionOf, type KvEntry } from './etcd3-kv.js';
import type { StreamHandle } from './etcd3-http.js';
import { WatchLoop } from './watch-loop.js';

export { KvCache, type CacheChange } from './kv-cache.js';

/** `/<namespace>/<scope>` with runs of slashes collapsed and no trailing slash. */
export function clusterPathFor(namespace: string, scope: string): string {
  return `/${namespace}/${scope}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

/**
 * Which cache changes are worth an immediate HA cycle (Patroni's KVCache._process_event); keys
 * relative to the cluster.
 */
export function shouldWake(relKey: string, c: CacheChange, iAmLeader: boolean): boolean {
  switch (relKey) {
    case 'leader':
      return c.oldValue !== c.newValue;
    case 'config':
      return c.oldValue !== undefined && c.newValue !== undefined && c.oldValue !== c.newValue;
    case 'failover':
      return c.newValue !== undefined;
    case 'status':
    case 'optime/leader':
      return !iAmLeader && c.newValue !== undefined && c.oldValue !== c.newValue;
    // A new member: the leader creates its replication slot now, not a loop_wait later (the
    // replica's WAL receiver retries only every wal_retrieve_retry_interval).
    default:
      return iAmLeader && relKey.startsWith('members/') && c.oldValue === undefined && c.newValue !== undefined;
  }
}

/** shouldWake for a change of the cache of `clusterPath` seen by member `name`; other keys never wake. */
export function changeWakes(clusterPath: string, name: string, cache: KvCache | undefined, c: CacheChange): boolean {
  if (!c.key.startsWith(`${clusterPath}/`)) return false;
  const iAmLeader = cache?.get(`${clusterPath}/leader`)?.value === name;
  return shouldWake(c.key.slice(clusterPath.length + 1), c, iAmLeader);
}

/** The cluster from the entries under `clusterPath/` (cached, or read at once); a lease is the key's session. */
export function clusterOf(clusterPath: string, entries: KvEntry[]): Cluster {
  const base = `${clusterPath}/`;
  const nodes: RawNode[] = entries
    .filter((e) => e.key.startsWith(base))
    .map((e) => {
      const node: RawNode = { key: e.key.slice(base.length), value: e.value, version: e.modRevision };
      if (e.lease !== undefined) node.session = e.lease;
      return node;
    });
  return parseCluster(nodes);
}

export class Etcd3Watcher extends WatchLoop {
  private stream: StreamHandle | undefined;

  constructor(
    private readonly client: Etcd3Client,
    private readonly prefix: string,
    private readonly onChange: (c: CacheChange) => void,
  ) {
    super('watchprefix failed');
  }

  /** Drop the stream; the loop re-reads the prefix and watches again. */
  protected interrupt(): void {
    this.stream?.abort();
  }

  protected override roundOver(): void {
    this.stream = undefined;
  }

  protected async watchOnce(onLive: () => void): Promise<void> {
    const reply = await this.client.call('/kv/range', { key: b64(this.prefix), range_end: prefixRangeEnd(this.prefix), serializable: true });
    if (this.stopped) return;
    for (const c of this.cache.reset(kvsOf(reply))) this.onChange(c);
    const startRevision = (BigInt(revisionOf(reply)) + 1n).toString();
    const body = { create_request: { ...deleteBody(this.prefix, true), start_revision: startRevision } };
    const stream = this.client.openStream('/watch', body, (text) => this.onMessage(text, onLive));
    this.stream = stream;
    this.live = true;
    await stream.done;
  }

  private onMessage(text: string, onLive: () => void): void {
    const msg = parseJson(text);
    if (!isObject(msg)) return;
    if (msg.error !== undefined) throw new Error(`watch error: ${JSON.stringify(msg.error)}`);
    const result = isObject(msg.result) ? msg.result : undefined;
    if (!result) return;
    if (result.canceled === true) throw new Error(`watch canceled: ${String(result.cancel_reason ?? result.compact_revision ?? '')}`);
    onLive();
    const events = Array.isArray(result.events) ? result.events : [];
    for (const ev of events) {
      if (!isObject(ev)) continue;
      const kv = kvFromJson(ev.kv);
      if (!kv) continue;
      const change = ev.type === 'DELETE' ? this.cache.delete(kv.key, kv.modRevision) : this.cache.put(kv);
      if (change) this.onChange(change);
    }
  }
}
