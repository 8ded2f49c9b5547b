// The daemon's view of the cluster directory over etcd v2: one recursive read, then long polls with
// `wait=true&recursive=true&waitIndex` keep an in-memory map current, so each HA cycle reads memory
// and wakes as soon as the leader key changes (like Patroni's Etcd.watch). Same shape as the etcd v3
// watcher.
import type { CacheChange } from '../etcd3-cache.js';
import type { KvEntry } from '../etcd3-kv.js';
import { WatchLoop } from '../watch-loop.js';
import type { Etcd2Client } from './client.js';
import { Etcd2Code, Etcd2Refusal, flattenNodes, type Etcd2Node } from './errors.js';

export function entryOf(node: Etcd2Node): KvEntry {
  return { key: node.key, value: node.value ?? '', modRevision: node.modifiedIndex, createRevision: node.modifiedIndex };
}

export class Etcd2Watcher extends WatchLoop {
  constructor(
    private readonly client: Etcd2Client,
    /** Cluster directory, no trailing slash. */
    private readonly dir: string,
    private readonly onChange: (c: CacheChange) => void,
    /** Long-poll timeout (ms): a silently dead node is noticed within it. */
    private readonly pollTimeout: () => number,
  ) {
    super('etcd watch failed');
  }

  /** A failed CAS: read everything again at once, even in the middle of a backoff. */
  override restart(): void {
    super.restart();
    this.skipBackoff();
  }

  protected interrupt(): void {
    this.client.abortWatch();
  }

  /** Read the directory, then follow its changes until the history is cleared or the node fails. */
  protected async watchOnce(onLive: () => void): Promise<void> {
    let index: bigint;
    try {
      const reply = await this.client.keys('GET', `${this.dir}/`, { recursive: true });
      for (const c of this.cache.reset(flattenNodes(reply.node).map(entryOf))) this.onChange(c);
      index = BigInt(reply.etcdIndex ?? reply.node?.modifiedIndex ?? '0');
    } catch (e) {
      if (!(e instanceof Etcd2Refusal) || e.code !== Etcd2Code.KeyNotFound || e.index === undefined) throw e;
      // No cluster directory yet: everything we held is gone. Watch from the index of the refusal
      // itself, so a key created right after it is not missed.
      for (const c of this.cache.reset([])) this.onChange(c);
      index = BigInt(e.index);
    }
    this.live = true;
    onLive();
    while (!this.stopped && this.live) {
      const reply = await this.client.waitOnce(this.dir, (index + 1n).toString(), this.pollTimeout());
      if (!this.live || this.stopped) return;
      if (!reply) continue; // quiet period: poll again from the same index
      if (reply.kind === 'cleared') return; // history moved past us: re-read
      if (reply.kind !== 'ok') throw new Error(reply.kind === 'refused' ? reply.error.message : reply.reason);
      onLive();
      const node = reply.node;
      if (!node) continue;
      index = BigInt(node.modifiedIndex) > index ? BigInt(node.modifiedIndex) : index + 1n;
      this.apply(reply.action, node);
    }
  }

  private apply(action: string, node: Etcd2Node): void {
    const gone = action === 'delete' || action === 'expire' || action === 'compareAndDelete';
    if (!gone) {
      for (const n of node.dir ? [] : [node]) {
        const change = this.cache.put(entryOf(n));
        if (change) this.onChange(change);
      }
      return;
    }
    // A deleted directory takes every key below it.
    const victims = node.dir
      ? this.cache
          .entries()
          .filter((e) => e.key.startsWith(`${node.key}/`))
          .map((e) => e.key)
      : [node.key];
    for (const key of victims) {
      const change = this.cache.delete(key, node.modifiedIndex);
      if (change) this.onChange(change);
    }
  }
}
