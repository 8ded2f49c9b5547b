// Dcs over ZooKeeper with Patroni's znodes (patroni/dcs/zookeeper.py): the leader and member znodes
// are ephemeral, owned by our session, whose timeout is `ttl`: keeping the lock is keeping the
// session alive. CAS writes compare stat.version; `initialize` is a create race.
import type { ZkAclEntry, ZkTlsConfig } from '../../config/types.js';
import { log } from '../../log/logger.js';
import type { Cluster, Leader, MemberData } from '../cluster.js';
import { DcsError, type Dcs, type LeaderStatusUpdate } from '../dcs.js';
import { clusterPathFor, shouldWake, type CacheChange } from '../etcd3-cache.js';
import { formatMember } from '../format.js';
import { parseCluster, type RawNode } from '../parse.js';
import { LeaderStatusWriter } from '../status-writer.js';
import { WakeSignal } from '../wake-signal.js';
import { sessionIdOf, ZkCode, ZkRefusal } from './errors.js';
import { ZkSession } from './session.js';
import { ZkView, type ZNode } from './view.js';

export interface ZooKeeperOptions {
  scope: string;
  namespace: string;
  name: string;
  hosts: string[];
  authData: [string, string][];
  tls?: ZkTlsConfig;
  acl?: ZkAclEntry[];
  ttl: number;
  loopWait: number;
  retryTimeout: number;
  mode: 'daemon' | 'ctl';
  backend?: string;
}

const isRefusal = (e: unknown, ...codes: number[]): e is ZkRefusal => e instanceof ZkRefusal && (codes.length === 0 || codes.includes(e.code));

export class ZooKeeper implements Dcs {
  readonly backend: string;
  readonly clusterPath: string;
  protected readonly session: ZkSession;
  private readonly view: ZkView | undefined;
  private readonly statusWriter: LeaderStatusWriter;
  private readonly name: string;
  private lastMemberValue: string | undefined;
  private readonly signal = new WakeSignal();

  constructor(opts: ZooKeeperOptions) {
    this.backend = opts.backend ?? 'zookeeper';
    this.name = opts.name;
    this.clusterPath = clusterPathFor(opts.namespace, opts.scope);
    this.session = new ZkSession({
      hosts: opts.hosts,
      authData: opts.authData,
      ttl: opts.ttl,
      loopWait: opts.loopWait,
      retryTimeout: opts.retryTimeout,
      ...(opts.tls ? { tls: opts.tls } : {}),
      ...(opts.acl ? { acl: opts.acl } : {}),
    });
    this.statusWriter = new LeaderStatusWriter(
      (k, v) => this.setOrCreate(this.key(k), v),
      (k) => this.view?.get(this.key(k))?.value,
    );
    if (opts.mode === 'daemon') {
      const view = new ZkView(this.session, this.clusterPath, (c) => this.onCacheChange(c));
      this.view = view;
      this.session.onNewSession = () => {
        // Our ephemeral znodes died with the old session: run a cycle now to publish them again.
        this.lastMemberValue = undefined;
        view.invalidate();
        this.wakeup();
      };
      this.session.onConnectionChange = (up) => {
        if (up) view.invalidate();
        else this.wakeup(); // Patroni's session_listener: SUSPENDED/LOST -> re-read now
      };
    }
    this.session.start();
  }

  private key(rel: string): string {
    return `${this.clusterPath}/${rel}`;
  }

  private get leaderPath(): string {
    return this.key('leader');
  }

  private get memberPath(): string {
    return this.key(`members/${this.name}`);
  }

  private onCacheChange(c: CacheChange): void {
    if (!c.key.startsWith(`${this.clusterPath}/`)) return;
    const iAmLeader = this.view?.get(this.leaderPath)?.value === this.name;
    if (shouldWake(c.key.slice(this.clusterPath.length + 1), c, iAmLeader)) this.wakeup();
  }

  private toCluster(nodes: ZNode[]): Cluster {
    const base = `${this.clusterPath}/`;
    return parseCluster(
      nodes
        .filter((n) => n.path.startsWith(base))
        .map((n) => {
          const raw: RawNode = { key: n.path.slice(base.length), value: n.value, version: n.version };
          if (n.session) raw.session = n.session;
          return raw;
        }),
    );
  }

  /** Refusals become `false` (logged unless expected); lost connections are DCS failures. */
  private async op<T>(what: string, fn: () => Promise<T>, quiet: number[] = []): Promise<T | false> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof DcsError) throw e;
      if (e instanceof ZkRefusal) {
        if (!quiet.includes(e.code)) log.error('%s: %s', what, e.message);
        return false;
      }
      throw new DcsError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async readNode(path: string): Promise<ZNode | undefined> {
    try {
      const { value, stat } = await this.session.get(path, undefined);
      const node: ZNode = { path, value, version: String(stat.version) };
      const owner = sessionIdOf(stat.ephemeralOwner);
      if (owner) node.session = owner;
      return node;
    } catch (e) {
      if (isRefusal(e, ZkCode.NoNode)) return undefined;
      throw e;
    }
  }

  /** Direct read of every cluster znode (patronictl, or when the watch view is not live). */
  private async readAll(): Promise<ZNode[]> {
    const list = async (dir: string) => {
      try {
        return await this.session.children(dir, undefined);
      } catch (e) {
        if (isRefusal(e, ZkCode.NoNode)) return [];
        throw e;
      }
    };
    const paths: string[] = [];
    for (const name of await list(this.clusterPath)) {
      const path = this.key(name);
      if (name === 'members') paths.push(...(await list(path)).map((m) => `${path}/${m}`));
      else if (name === 'optime') paths.push(`${path}/leader`);
      else paths.push(path);
    }
    const nodes = await Promise.all(paths.map((p) => this.readNode(p)));
    return nodes.filter((n): n is ZNode => n !== undefined);
  }

  async getCluster(opts: { fresh?: boolean } = {}): Promise<Cluster> {
    if (this.view && !opts.fresh) {
      await this.view.settled();
      if (this.view.isLive) return this.toCluster(this.view.nodes());
      this.view.invalidate();
    }
    try {
      return this.toCluster(await this.readAll());
    } catch (e) {
      if (e instanceof DcsError) throw e;
      throw new DcsError(`get_cluster: ZooKeeper is not responding properly: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** set (CAS on `version` when given) or create when absent and unconditional; returns the new version. */
  private async setOrCreate(path: string, value: string, version?: string): Promise<string> {
    try {
      const stat = await this.session.set(path, value, version === undefined ? -1 : Number(version));
      this.view?.remember({ path, value, version: String(stat.version) });
      return String(stat.version);
    } catch (e) {
      if (!isRefusal(e, ZkCode.NoNode) || version !== undefined) throw e;
      await this.session.create(path, value, false);
      this.view?.remember({ path, value, version: '0' });
      return '0';
    }
  }

  async touchMember(data: MemberData): Promise<boolean> {
    const value = formatMember(data);
    const r = await this.op('touch_member', async () => {
      const mine = this.session.sessionId;
      const cached = this.view?.get(this.memberPath) ?? (await this.readNode(this.memberPath));
      if (cached && mine && cached.session !== mine) {
        // Left over from our previous session: replace it so it dies with the current one.
        await this.session.remove(this.memberPath, -1).catch((e: unknown) => {
          if (!isRefusal(e, ZkCode.NoNode)) throw e;
        });
      } else if (cached && (cached.value === value || this.lastMemberValue === value)) {
        return true;
      } else if (cached) {
        const stat = await this.session.set(this.memberPath, value, -1);
        this.view?.remember({ path: this.memberPath, value, version: String(stat.version), ...(mine ? { session: mine } : {}) });
        this.lastMemberValue = value;
        return true;
      }
      try {
        await this.session.create(this.memberPath, value, true);
      } catch (e) {
        if (!isRefusal(e, ZkCode.NodeExists)) throw e;
        await this.session.set(this.memberPath, value, -1);
      }
      this.view?.remember({ path: this.memberPath, value, version: '0', ...(mine ? { session: mine } : {}) });
      this.lastMemberValue = value;
      return true;
    });
    return r === true;
  }

  private async createLeader(): Promise<void> {
    await this.session.create(this.leaderPath, this.name, true);
    const mine = this.session.sessionId;
    this.view?.remember({ path: this.leaderPath, value: this.name, version: '0', ...(mine ? { session: mine } : {}) });
  }

  async attemptToAcquireLeader(): Promise<boolean> {
    const ok = await this.op('attempt_to_acquire_leader', async () => {
      await this.createLeader();
      return true;
    }, [ZkCode.NodeExists]);
    if (!ok) log.info('Could not take out TTL lock');
    return ok === true;
  }

  async updateLeader(cluster: Cluster, status?: LeaderStatusUpdate): Promise<boolean> {
    const ok = await this.op('update_leader', async () => {
      const mine = this.session.sessionId;
      // Holding the lock is holding the session: when we cannot prove it is alive, we do not hold it.
      if (!mine) throw new DcsError('update_leader: not connected to ZooKeeper');
      const leader = cluster.leader;
      if (leader && leader.name !== this.name) return false;
      if (leader && leader.session === mine) return true;
      if (leader) {
        log.warning('Recreating the leader ZNode due to ownership mismatch');
        await this.session.remove(this.leaderPath, -1).catch((e: unknown) => {
          if (!isRefusal(e, ZkCode.NoNode)) throw e;
        });
      }
      await this.createLeader();
      return true;
    }, [ZkCode.NodeExists]);
    if (ok === true && status) await this.statusWriter.write(cluster, status);
    return ok === true;
  }

  takeLeader(): Promise<boolean> {
    return this.attemptToAcquireLeader();
  }

  async deleteLeader(leader: Leader | null, lastLsn?: number): Promise<boolean> {
    if (lastLsn) await this.statusWriter.write(null, { optime: lastLsn });
    const r = await this.op('delete_leader', async () => {
      const node = await this.readNode(this.leaderPath);
      if (!node || node.value !== this.name) return false;
      await this.session.remove(this.leaderPath, Number(node.version));
      this.view?.remember({ path: this.leaderPath, deleted: true });
      return true;
    }, [ZkCode.NoNode, ZkCode.BadVersion]);
    if (leader && leader.name !== this.name) log.debug('delete_leader called for a leader that is not me (%s)', leader.name);
    return r === true;
  }

  async initialize(createNew: boolean, sysid: string): Promise<boolean> {
    const path = this.key('initialize');
    return (
      (await this.op('initialize', async () => {
        if (createNew) {
          await this.session.create(path, sysid, false);
          this.view?.remember({ path, value: sysid, version: '0' });
        } else {
          const stat = await this.session.set(path, sysid, -1);
          this.view?.remember({ path, value: sysid, version: String(stat.version) });
        }
        return true;
      }, [ZkCode.NodeExists])) === true
    );
  }

  async cancelInitialization(): Promise<boolean> {
    const path = this.key('initialize');
    return (
      (await this.op('cancel_initialization', async () => {
        const node = await this.readNode(path);
        if (node) await this.session.remove(path, Number(node.version));
        this.view?.remember({ path, deleted: true });
        return true;
      })) === true
    );
  }

  async setConfigValue(value: string, version?: string): Promise<boolean> {
    return (await this.op('set_config_value', () => this.setOrCreate(this.key('config'), value, version), [ZkCode.BadVersion])) !== false;
  }

  async setFailoverValue(value: string, version?: string): Promise<boolean> {
    return (await this.op('set_failover_value', () => this.setOrCreate(this.key('failover'), value, version), [ZkCode.BadVersion])) !== false;
  }

  async setHistoryValue(value: string): Promise<boolean> {
    return (await this.op('set_history_value', () => this.setOrCreate(this.key('history'), value))) !== false;
  }

  setSyncStateValue(value: string, version?: string): Promise<string | false> {
    return this.op('set_sync_state_value', () => this.setOrCreate(this.key('sync'), value, version), [ZkCode.BadVersion]);
  }

  /** Patroni writes `{}` rather than deleting the sync znode. */
  async deleteSyncState(version?: string): Promise<boolean> {
    return (await this.op('delete_sync_state', () => this.setOrCreate(this.key('sync'), '{}', version), [ZkCode.BadVersion, ZkCode.NoNode])) !== false;
  }

  async deleteCluster(): Promise<boolean> {
    const removeTree = async (path: string): Promise<void> => {
      let children: string[] = [];
      try {
        children = await this.session.children(path, undefined);
      } catch (e) {
        if (isRefusal(e, ZkCode.NoNode)) return;
        throw e;
      }
      for (const c of children) await removeTree(`${path}/${c}`);
      await this.session.remove(path, -1).catch((e: unknown) => {
        if (!isRefusal(e, ZkCode.NoNode)) throw e;
      });
    };
    return (
      (await this.op('delete_cluster', async () => {
        await removeTree(this.clusterPath);
        return true;
      })) === true
    );
  }

  watch(timeoutMs: number): Promise<boolean> {
    return this.signal.wait(timeoutMs);
  }

  wakeup(): void {
    this.signal.wakeup();
  }

  setTimeouts(t: { ttl: number; loopWait: number; retryTimeout: number }): void {
    this.session.setTimeouts(t.ttl, t.loopWait, t.retryTimeout);
  }

  async close(): Promise<void> {
    this.signal.wakeup();
    this.view?.stop();
    this.session.close();
  }
}
