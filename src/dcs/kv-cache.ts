// The in-memory copy of the cluster's keys the etcd watchers keep current (Patroni's KVCache): each
// put and delete reports what changed, so the DCS can decide whether the change is worth a cycle.
import type { KvEntry } from './etcd3-kv.js';

export interface CacheChange {
  key: string;
  oldValue?: string;
  newValue?: string;
}

const newer = (a: string, b: string): boolean => BigInt(a) > BigInt(b);

export class KvCache {
  private readonly map = new Map<string, KvEntry>();
  private gen = 0;

  /** Changes with every put, delete and reset: what was derived from the entries at one value still holds. */
  get generation(): number {
    return this.gen;
  }

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
    this.gen++;
    return changes;
  }

  /** Apply a put; events older than what we hold (e.g. our own write-through) are ignored. */
  put(entry: KvEntry): CacheChange | undefined {
    const old = this.map.get(entry.key);
    if (old && !newer(entry.modRevision, old.modRevision)) return undefined;
    this.map.set(entry.key, entry);
    this.gen++;
    return { key: entry.key, oldValue: old?.value, newValue: entry.value };
  }

  delete(key: string, revision: string): CacheChange | undefined {
    const old = this.map.get(key);
    if (!old || !newer(revision, old.modRevision)) return undefined;
    this.map.delete(key);
    this.gen++;
    return { key, oldValue: old.value };
  }

  get(key: string): KvEntry | undefined {
    return this.map.get(key);
  }

  entries(): KvEntry[] {
    return [...this.map.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
