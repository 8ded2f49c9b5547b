// The daemon's view of the cluster prefix: one range read, then a watch stream keeps an in-memory
// map current, so each HA cycle reads memory instead of etcd and learns about changes immediately.
import { log } from '../log/logger.js';
import { isObject, parseJson } from '../util/json.js';
import type { Etcd3Client } from './etcd3-client.js';
import { b64, deleteBody, kvFromJson, kvsOf, prefixRangeEnd, revisionOf, type KvEntry } from './etcd3-kv.js';
import type { StreamHandle } from './etcd3-http.js';

export interface CacheChange { key: string; oldValue?: string; newValue?: string }

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
    case 'leader': return c.oldValue !== c.newValue;
    case 'config': return c.oldValue !== undefined && c.newValue !== undefined && c.oldValue !== c.newValue;
    case 'failover': return c.newValue !== undefined;
    case 'status':
    case 'optime/leader': return !iAmLeader && c.newValue !== undefined && c.oldValue !== c.newValue;
    // A new member: the leader creates its replication slot now, not a loop_wait later (the
    // replica's WAL receiver retries only every wal_retrieve_retry_interval).
    default: return iAmLeader && relKey.startsWith('members/') && c.oldValue === undefined && c.newValue !== undefined;
  }
}

const newer = (a: string, b: string): boolean => BigInt(a) > BigInt(b);

export class KvCache {
  private readonly map = new Map<string, KvEntry>();

  /** Replace everything (after a re-read); returns what differs from before. */
  reset(entries: KvEntry[]): CacheChange[] {
    const changes: CacheChange[] = [];
    const next = new Map(entries.map((e) => [e.key, e]));
    for (const [key, old] of this.map) {
      const now = next.get(key);
      if (!now) changes.push({ key, oldValue: old.value });
      else if (now.value !== old.value) changes.push({ key, oldValue: old.value, newValue: now.value });
    }
    for (const [key, now] of next) if (!this.map.has(key)) changes.push({ key, newValue: now.value });
    this.map.clear();
    for (const [k, v] of next) this.map.set(k, v);
    return changes;
  }

  /** Apply a put; events older than what we hold (e.g. our own write-through) are ignored. */
  put(entry: KvEntry): CacheChange | undefined {
    const old = this.map.get(entry.key);
    if (old && !newer(entry.modRevision, old.modRevision)) return undefined;
    this.map.set(entry.key, entry);
    return { key: entry.key, oldValue: old?.value, newValue: entry.value };
  }

  delete(key: string, revision: string): CacheChange | undefined {
    const old = this.map.get(key);
    if (!old || !newer(revision, old.modRevision)) return undefined;
    this.map.delete(key);
    return { key, oldValue: old.value };
  }

  get(key: string): KvEntry | undefined {
    return this.map.get(key);
  }

  entries(): KvEntry[] {
    return [...this.map.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}


export class Etcd3Watcher {
  readonly cache = new KvCache();
  private live = false;
  private stopped = true;
  private stream: StreamHandle | undefined;
  private loop: Promise<void> | undefined;
  private wakeBackoff: () => void = () => {};

  constructor(
    private readonly client: Etcd3Client,
    private readonly prefix: string,
    private readonly onChange: (c: CacheChange) => void,
  ) {}

  get isLive(): boolean {
    return this.live;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Drop the stream; the loop re-reads the prefix and watches again (endpoint switch, failed txn). */
  restart(): void {
    this.live = false;
    this.stream?.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    this.stream?.abort();
    this.wakeBackoff();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      try {
        await this.watchOnce(() => { backoff = 500; });
      } catch (e) {
        if (!this.stopped) log.error('watchprefix failed: %s', e instanceof Error ? e.message : String(e));
      } finally {
        this.live = false;
        this.stream = undefined;
      }
      if (this.stopped) break;
      // etcd down: retry calmly instead of spinning.
      await new Promise<void>((r) => {
        const t = setTimeout(r, backoff);
        this.wakeBackoff = () => { clearTimeout(t); r(); };
      });
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  private async watchOnce(onLive: () => void): Promise<void> {
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
