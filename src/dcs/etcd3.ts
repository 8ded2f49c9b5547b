// Dcs over etcd v3's JSON gateway with Patroni's key layout and lock protocol (Patroni's Etcd3 class).
import { log } from '../log/logger.js';
import type { JsonObject } from '../util/json.js';
import type { Cluster, Leader, MemberData } from './cluster.js';
import { DcsError, type Dcs, type LeaderStatusUpdate, type LeaseHold } from './dcs.js';
import { changeWakes, clusterOf, clusterPathFor, Etcd3Watcher, type CacheChange, type KvCache } from './etcd3-cache.js';
import { Etcd3Client } from './etcd3-client.js';
import { EtcdClientError, LeaseNotFound } from './etcd3-errors.js';
import {
  b64,
  createdNever,
  deleteBody,
  kvsOf,
  modIs,
  prefixRangeEnd,
  putBody,
  revisionOf,
  txnBody,
  txnSucceeded,
  valueIs,
  type Compare,
  type TxnOp,
} from './etcd3-kv.js';
import { LeaseKeeper } from './etcd3-lease.js';
import { LeaderStatusWriter } from './status-writer.js';
import { formatMember } from './format.js';
import { refusalAsFalse } from './refusals.js';
import { WakeSignal } from './wake-signal.js';
import type { Reseed } from './srv-discovery.js';

export { clusterPathFor };

export interface Etcd3Options {
  scope: string;
  namespace: string;
  name: string;
  hosts: string[];
  protocol: 'http' | 'https';
  username?: string;
  password?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  useProxies?: boolean;
  reseed?: Reseed;
  ttl: number;
  loopWait: number;
  retryTimeout: number;
  mode: 'daemon' | 'ctl';
}

export class Etcd3 implements Dcs {
  readonly backend = 'etcd3';
  readonly clusterPath: string;
  private readonly client: Etcd3Client;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly watcher: Etcd3Watcher | undefined;
  private readonly statusWriter: LeaderStatusWriter;
  private readonly name: string;
  private ttl: number;
  private ttlChanged = false;
  /** The cluster last parsed from the watch cache, and the cache state it was parsed from. */
  private parsed: { cache: KvCache; generation: number; cluster: Cluster } | undefined;
  private readonly signal = new WakeSignal();
  get lease(): LeaseHold {
    return this.leaseKeeper;
  }

  constructor(opts: Etcd3Options) {
    this.name = opts.name;
    this.ttl = opts.ttl;
    this.clusterPath = clusterPathFor(opts.namespace, opts.scope);
    this.client = new Etcd3Client({
      hosts: opts.hosts,
      protocol: opts.protocol,
      username: opts.username,
      password: opts.password,
      tls: { cacert: opts.cacert, cert: opts.cert, key: opts.key },
      useProxies: opts.useProxies,
      discoverMembers: opts.mode === 'daemon',
      retryTimeout: opts.retryTimeout,
      ttl: opts.ttl,
      reseed: opts.reseed,
    });
    this.leaseKeeper = new LeaseKeeper(this.client, opts.ttl, opts.loopWait, () => this.wakeup());
    this.statusWriter = new LeaderStatusWriter(
      (k, v) => this.put(this.key(k), v),
      (k) => this.watcher?.cache.get(this.key(k))?.value,
    );
    if (opts.mode === 'daemon') {
      this.watcher = new Etcd3Watcher(this.client, `${this.clusterPath}/`, (c) => this.onCacheChange(c));
      this.client.onEndpointSwitch = () => this.watcher?.restart();
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

  /** Refusals become `false`; see refusals.ts. */
  private op<T>(what: string, fn: (deadline: number) => Promise<T>): Promise<T | false> {
    return refusalAsFalse(
      what,
      () => fn(this.client.deadline()),
      (e) => (e instanceof EtcdClientError ? 'log' : null),
    );
  }

  /** Mirror our own successful writes into the cache so the next cycle sees them without waiting. */
  private remember(key: string, value: string | undefined, revision: string, lease?: string): void {
    const cache = this.watcher?.cache;
    if (!cache) return;
    if (value === undefined) cache.delete(key, revision);
    else cache.put({ key, value, modRevision: revision, createRevision: revision, ...(lease ? { lease } : {}) });
  }

  private async put(key: string, value: string, lease?: string, deadline?: number): Promise<string> {
    const reply = await this.client.call('/kv/put', putBody(key, value, lease), deadline);
    const rev = revisionOf(reply);
    this.remember(key, value, rev, lease);
    return rev;
  }

  private async txn(compare: Compare[], success: TxnOp[], failure: TxnOp[] = [], deadline?: number): Promise<JsonObject> {
    return this.client.call('/kv/txn', txnBody(compare, success, failure), deadline);
  }

  /** Compare-and-set on mod_revision when `version` is given; plain put otherwise. */
  private async casPut(key: string, value: string, version: string | undefined): Promise<string | false> {
    if (!version) return this.put(key, value);
    const reply = await this.txn([modIs(key, version)], [{ request_put: putBody(key, value) }]);
    if (!txnSucceeded(reply)) {
      this.watcher?.restart(); // our view was stale: re-read
      return false;
    }
    const rev = revisionOf(reply);
    this.remember(key, value, rev);
    return rev;
  }

  private ensureTime(deadline: number, what: string): void {
    if (deadline - Date.now() < 1000) throw new DcsError(`${what} timeout`);
  }

  async getCluster(opts: { fresh?: boolean } = {}): Promise<Cluster> {
    if (this.watcher?.isLive && !opts.fresh) {
      // Parsed once per change of the watch cache, not per cycle and per GET /cluster.
      const cache = this.watcher.cache;
      if (this.parsed?.cache !== cache || this.parsed.generation !== cache.generation) {
        this.parsed = { cache, generation: cache.generation, cluster: clusterOf(this.clusterPath, cache.entries()) };
      }
      return this.parsed.cluster;
    }
    const prefix = `${this.clusterPath}/`;
    const body = { key: b64(prefix), range_end: prefixRangeEnd(prefix), serializable: this.watcher !== undefined && !opts.fresh };
    try {
      return clusterOf(this.clusterPath, kvsOf(await this.client.call('/kv/range', body)));
    } catch (e) {
      if (e instanceof DcsError) throw e;
      throw new DcsError(`get_cluster: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async touchMember(data: MemberData): Promise<boolean> {
    const r = await this.op('touch_member', async (deadline) => {
      let lease: string;
      try {
        lease = await this.leaseKeeper.refresh(false, deadline);
      } catch (e) {
        log.error('touch_member: failed to keepalive/grant lease: %s', e instanceof Error ? e.message : String(e));
        return false;
      }
      const key = this.key(`members/${this.name}`);
      const value = formatMember(data);
      const cached = this.watcher?.cache.get(key);
      if (cached && cached.lease === lease && cached.value === value) return true;
      try {
        await this.put(key, value, lease, deadline);
      } catch (e) {
        if (!(e instanceof LeaseNotFound)) throw e;
        this.leaseKeeper.drop();
        log.error('Our lease disappeared from Etcd, can not "touch_member"');
        return false;
      }
      return true;
    });
    return r === true;
  }

  /** Put `leader` = my name bound to my lease under `compare`; one lease re-grant if etcd lost it. */
  private async leaderTxn(deadline: number, build: (put: TxnOp) => [Compare[], TxnOp[], TxnOp[]]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const lease = await this.leaseKeeper.refresh(attempt > 0, deadline);
      this.ensureTime(deadline, 'leader update');
      const [compare, success, failure] = build({ request_put: putBody(this.leaderKey, this.name, lease) });
      try {
        const reply = await this.txn(compare, success, failure, deadline);
        const ok = txnSucceeded(reply) || (failure.length > 0 && txnSucceeded(reply, true));
        if (ok) this.remember(this.leaderKey, this.name, revisionOf(reply), lease);
        return ok;
      } catch (e) {
        if (!(e instanceof LeaseNotFound) || attempt > 0) throw e;
        log.error('Our lease disappeared from Etcd. Will try to get a new one and retry attempt');
        this.leaseKeeper.drop();
      }
    }
  }

  async attemptToAcquireLeader(): Promise<boolean> {
    const ok = await this.op('attempt_to_acquire_leader', (deadline) => this.leaderTxn(deadline, (put) => [[createdNever(this.leaderKey)], [put], []]));
    if (!ok) log.info('Could not take out TTL lock');
    return ok === true;
  }

  async updateLeader(cluster: Cluster, status?: LeaderStatusUpdate): Promise<boolean> {
    const ok = await this.op('update_leader', async (deadline) => {
      // The keepalive timer renews the lease between cycles; the cycle only renews a stale one.
      const lease = await this.leaseKeeper.refresh(false, deadline);
      const held = cluster.leader?.name === this.name && cluster.leader.session === lease;
      if (held) return true; // the keepalive alone keeps the key
      return this.leaderTxn(deadline, (put) => [
        [valueIs(this.leaderKey, this.name)],
        [put],
        [{ request_txn: txnBody([createdNever(this.leaderKey)], [put]) }],
      ]);
    });
    if (ok === true && status) await this.statusWriter.write(cluster, status);
    return ok === true;
  }

  async takeLeader(): Promise<boolean> {
    return (await this.op('take_leader', (deadline) => this.leaderTxn(deadline, (put) => [[], [put], []]))) === true;
  }

  async deleteLeader(leader: Leader | null, lastLsn?: number): Promise<boolean> {
    if (lastLsn) await this.statusWriter.write(null, { optime: lastLsn });
    const r = await this.op('delete_leader', async () => {
      const reply = await this.txn([valueIs(this.leaderKey, this.name)], [{ request_delete_range: deleteBody(this.leaderKey) }]);
      const ok = txnSucceeded(reply);
      if (ok) this.remember(this.leaderKey, undefined, revisionOf(reply));
      return ok;
    });
    if (leader && leader.name !== this.name) log.debug('delete_leader called for a leader that is not me (%s)', leader.name);
    return r === true;
  }

  async initialize(createNew: boolean, sysid: string): Promise<boolean> {
    const key = this.key('initialize');
    return (
      (await this.op('initialize', async () => {
        if (!createNew) return (await this.put(key, sysid)) !== '';
        const reply = await this.txn([createdNever(key)], [{ request_put: putBody(key, sysid) }]);
        if (txnSucceeded(reply)) this.remember(key, sysid, revisionOf(reply));
        return txnSucceeded(reply);
      })) === true
    );
  }

  private async deleteKey(what: string, key: string, version?: string, prefix = false): Promise<boolean> {
    return (
      (await this.op(what, async () => {
        if (version) {
          const reply = await this.txn([modIs(key, version)], [{ request_delete_range: deleteBody(key) }]);
          if (txnSucceeded(reply)) this.remember(key, undefined, revisionOf(reply));
          return txnSucceeded(reply);
        }
        const reply = await this.client.call('/kv/deleterange', deleteBody(key, prefix));
        if (!prefix) this.remember(key, undefined, revisionOf(reply));
        return true;
      })) === true
    );
  }

  cancelInitialization(): Promise<boolean> {
    return this.deleteKey('cancel_initialization', this.key('initialize'));
  }

  async setConfigValue(value: string, version?: string): Promise<boolean> {
    return (await this.op('set_config_value', () => this.casPut(this.key('config'), value, version))) !== false;
  }

  async setFailoverValue(value: string, version?: string): Promise<boolean> {
    return (await this.op('set_failover_value', () => this.casPut(this.key('failover'), value, version))) !== false;
  }

  async setHistoryValue(value: string): Promise<boolean> {
    return (await this.op('set_history_value', () => this.put(this.key('history'), value))) !== false;
  }

  async setSyncStateValue(value: string, version?: string): Promise<string | false> {
    return this.op('set_sync_state_value', () => this.casPut(this.key('sync'), value, version));
  }

  deleteSyncState(version?: string): Promise<boolean> {
    return this.deleteKey('delete_sync_state', this.key('sync'), version);
  }

  deleteCluster(): Promise<boolean> {
    return this.deleteKey('delete_cluster', `${this.clusterPath}/`, undefined, true);
  }

  watch(timeoutMs: number): Promise<boolean> {
    // A new ttl means a new lease: run the next cycle right away to re-publish keys on it.
    if (this.ttlChanged) {
      this.ttlChanged = false;
      return Promise.resolve(true);
    }
    return this.signal.wait(timeoutMs);
  }

  wakeup(): void {
    this.signal.wakeup();
  }

  setTimeouts(t: { ttl: number; loopWait: number; retryTimeout: number }): void {
    if (t.ttl !== this.ttl) this.ttlChanged = true;
    this.ttl = t.ttl;
    this.leaseKeeper.setTimeouts(t.ttl, t.loopWait);
    this.client.setTimeouts(t.retryTimeout, t.ttl);
  }

  async close(): Promise<void> {
    this.leaseKeeper.stop();
    this.signal.wakeup();
    await this.watcher?.stop();
    this.client.close();
  }
}
