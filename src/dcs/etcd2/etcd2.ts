// Dcs over etcd's v2 API with Patroni's key layout and lock protocol (patroni/dcs/etcd.py): the
// leader key carries a TTL refreshed by compare-and-swap on its value (`prevValue`), is taken with
// `prevExist=false`, members are TTL keys, CAS writes compare `prevIndex` (the key's modifiedIndex).
import { log } from '../../log/logger.js';
import type { Cluster, Leader, MemberData } from '../cluster.js';
import { DcsError, type Dcs, type LeaderStatusUpdate } from '../dcs.js';
import { changeWakes, clusterOf, clusterPathFor, type CacheChange } from '../etcd3-cache.js';
import { formatMember } from '../format.js';
import { parseCluster } from '../parse.js';
import { LeaderStatusWriter } from '../status-writer.js';
import { refusalAsFalse } from '../refusals.js';
import { WakeSignal } from '../wake-signal.js';
import type { Reseed } from '../srv-discovery.js';
import { Etcd2Client, type OkReply } from './client.js';
import { Etcd2Code, Etcd2Refusal, flattenNodes } from './errors.js';
import { entryOf, Etcd2Watcher } from './watcher.js';

export interface Etcd2Options {
  scope: string;
  namespace: string;
  name: string;
  /** Base URLs, scheme://host:port. */
  endpoints: string[];
  protocol: 'http' | 'https';
  username?: string;
  password?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  useProxies: boolean;
  reseed?: Reseed;
  ttl: number;
  loopWait: number;
  retryTimeout: number;
  mode: 'daemon' | 'ctl';
}

export class Etcd2 implements Dcs {
  readonly backend = 'etcd';
  readonly clusterPath: string;
  private readonly client: Etcd2Client;
  private readonly watcher: Etcd2Watcher | undefined;
  private readonly statusWriter: LeaderStatusWriter;
  private readonly name: string;
  private ttl: number;
  private readonly signal = new WakeSignal();

  constructor(opts: Etcd2Options) {
    this.name = opts.name;
    this.ttl = opts.ttl;
    this.clusterPath = clusterPathFor(opts.namespace, opts.scope);
    this.client = new Etcd2Client({
      endpoints: opts.endpoints,
      protocol: opts.protocol,
      username: opts.username,
      password: opts.password,
      tls: { cacert: opts.cacert, cert: opts.cert, key: opts.key },
      useProxies: opts.useProxies,
      retryTimeout: opts.retryTimeout,
      reseed: opts.reseed,
    });
    this.statusWriter = new LeaderStatusWriter(
      (k, v) => this.write(this.key(k), { value: v }),
      (k) => this.watcher?.cache.get(this.key(k))?.value,
    );
    if (opts.mode === 'daemon') {
      // A quiet long poll is renewed every ttl/2: a node that died silently is noticed in time.
      this.watcher = new Etcd2Watcher(
        this.client,
        this.clusterPath,
        (c) => this.onCacheChange(c),
        () => Math.max(2000, this.ttl * 500),
      );
      this.watcher.start();
    }
  }

  private key(rel: string): string {
    return `${this.clusterPath}/${rel}`;
  }

  private get leaderKey(): string {
    return this.key('leader');
  }

  private onCacheChange(c: CacheChange): void {
    if (changeWakes(this.clusterPath, this.name, this.watcher?.cache, c)) this.wakeup();
  }

  /** Refusals become `false` (logged unless `quiet`); see refusals.ts. */
  private op<T>(what: string, fn: () => Promise<T>, quiet: number[] = []): Promise<T | false> {
    return refusalAsFalse(what, fn, (e) => (e instanceof Etcd2Refusal ? (quiet.includes(e.code) ? 'quiet' : 'log') : null));
  }

  /** Mirror our own successful writes into the cache so the next cycle sees them without waiting. */
  private remember(reply: OkReply, deleted: boolean): void {
    const cache = this.watcher?.cache;
    if (!cache || !reply.node) return;
    if (deleted) cache.delete(reply.node.key, reply.node.modifiedIndex);
    else cache.put(entryOf(reply.node));
  }

  private async write(key: string, params: Record<string, string | number | boolean | undefined>): Promise<string> {
    const reply = await this.client.keys('PUT', key, params);
    this.remember(reply, false);
    return reply.node?.modifiedIndex ?? '0';
  }

  private async remove(key: string, params: Record<string, string | number | boolean | undefined>): Promise<boolean> {
    const reply = await this.client.keys('DELETE', key, params);
    this.remember(reply, true);
    return true;
  }

  /** A failed compare means our view was stale: re-read before the next decision. */
  private async cas(key: string, value: string, version: string | undefined): Promise<string | false> {
    try {
      return await this.write(key, { value, prevIndex: version });
    } catch (e) {
      if (e instanceof Etcd2Refusal && version) this.watcher?.restart();
      throw e;
    }
  }

  async getCluster(opts: { fresh?: boolean } = {}): Promise<Cluster> {
    if (this.watcher?.isLive && !opts.fresh) return clusterOf(this.clusterPath, this.watcher.cache.entries());
    try {
      // `quorum=true` is etcd v2's linearizable read (patronictl); the daemon may read any member.
      const reply = await this.client.keys('GET', `${this.clusterPath}/`, { recursive: true, quorum: this.watcher === undefined || opts.fresh === true });
      return clusterOf(this.clusterPath, flattenNodes(reply.node).map(entryOf));
    } catch (e) {
      if (e instanceof Etcd2Refusal && e.code === Etcd2Code.KeyNotFound) return parseCluster([]);
      if (e instanceof DcsError) throw e;
      throw new DcsError(`get_cluster: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * An unchanged member value only needs its TTL renewed: `refresh=true` does that without notifying
   * watchers (every node's long poll would otherwise return on every cycle of every member).
   */
  async touchMember(data: MemberData): Promise<boolean> {
    const key = this.key(`members/${this.name}`);
    const value = formatMember(data);
    return (
      (await this.op('touch_member', async () => {
        if (this.watcher?.cache.get(key)?.value === value) {
          try {
            return await this.write(key, { refresh: true, ttl: this.ttl, prevExist: true });
          } catch (e) {
            if (!(e instanceof Etcd2Refusal) || e.code !== Etcd2Code.KeyNotFound) throw e;
          }
        }
        return this.write(key, { value, ttl: this.ttl });
      })) !== false
    );
  }

  async attemptToAcquireLeader(): Promise<boolean> {
    const ok = await this.op('attempt_to_acquire_leader', () => this.write(this.leaderKey, { value: this.name, ttl: this.ttl, prevExist: false }), [
      Etcd2Code.NodeExist,
    ]);
    if (ok === false) log.info('Could not take out TTL lock');
    return ok !== false;
  }

  async updateLeader(cluster: Cluster, status?: LeaderStatusUpdate): Promise<boolean> {
    const ok = await this.op('update_leader', async () => {
      try {
        // Compare-and-swap on our name, renewing only the TTL (no watch event for an unchanged leader).
        return await this.write(this.leaderKey, { refresh: true, ttl: this.ttl, prevValue: this.name });
      } catch (e) {
        // The key expired under us: take it again, but only if nobody else did meanwhile.
        if (!(e instanceof Etcd2Refusal) || e.code !== Etcd2Code.KeyNotFound) throw e;
        return this.write(this.leaderKey, { value: this.name, ttl: this.ttl, prevExist: false });
      }
    });
    if (ok !== false && status) await this.statusWriter.write(cluster, status);
    return ok !== false;
  }

  async takeLeader(): Promise<boolean> {
    return (await this.op('take_leader', () => this.write(this.leaderKey, { value: this.name, ttl: this.ttl }))) !== false;
  }

  async deleteLeader(leader: Leader | null, lastLsn?: number): Promise<boolean> {
    if (lastLsn) await this.statusWriter.write(null, { optime: lastLsn });
    const r = await this.op('delete_leader', () => this.remove(this.leaderKey, { prevValue: this.name }), [Etcd2Code.KeyNotFound, Etcd2Code.TestFailed]);
    if (leader && leader.name !== this.name) log.debug('delete_leader called for a leader that is not me (%s)', leader.name);
    return r === true;
  }

  async initialize(createNew: boolean, sysid: string): Promise<boolean> {
    return (await this.op('initialize', () => this.write(this.key('initialize'), { value: sysid, prevExist: !createNew }), [Etcd2Code.NodeExist])) !== false;
  }

  async cancelInitialization(): Promise<boolean> {
    return (await this.op('cancel_initialization', () => this.remove(this.key('initialize'), {}), [Etcd2Code.KeyNotFound])) === true;
  }

  async setConfigValue(value: string, version?: string): Promise<boolean> {
    return (await this.op('set_config_value', () => this.cas(this.key('config'), value, version))) !== false;
  }

  async setFailoverValue(value: string, version?: string): Promise<boolean> {
    return (await this.op('set_failover_value', () => this.cas(this.key('failover'), value, version))) !== false;
  }

  async setHistoryValue(value: string): Promise<boolean> {
    return (await this.op('set_history_value', () => this.write(this.key('history'), { value }))) !== false;
  }

  setSyncStateValue(value: string, version?: string): Promise<string | false> {
    return this.op('set_sync_state_value', () => this.cas(this.key('sync'), value, version));
  }

  async deleteSyncState(version?: string): Promise<boolean> {
    return (await this.op('delete_sync_state', () => this.remove(this.key('sync'), { prevIndex: version }))) === true;
  }

  async deleteCluster(): Promise<boolean> {
    return (await this.op('delete_cluster', () => this.remove(`${this.clusterPath}/`, { recursive: true }), [Etcd2Code.KeyNotFound])) === true;
  }

  watch(timeoutMs: number): Promise<boolean> {
    return this.signal.wait(timeoutMs);
  }

  wakeup(): void {
    this.signal.wakeup();
  }

  setTimeouts(t: { ttl: number; loopWait: number; retryTimeout: number }): void {
    this.ttl = t.ttl;
    this.client.setRetryTimeout(t.retryTimeout);
  }

  async close(): Promise<void> {
    this.signal.wakeup();
    await this.watcher?.stop();
    this.client.close();
  }
}
