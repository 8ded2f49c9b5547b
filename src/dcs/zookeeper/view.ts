// The daemon's view of the cluster znodes: one full read, then one-shot watches re-armed on every
// re-read keep a map current, so each HA cycle reads memory and wakes as soon as the leader znode
// (or config, failover, a member list) changes. Watch events are applied one at a time, in order.
import type { Watcher, ZkEvent } from 'node-zookeeper-client';
import { log } from '../../log/logger.js';
import type { CacheChange } from '../etcd3-cache.js';
import { sessionIdOf, ZkCode, ZkRefusal } from './errors.js';
import type { ZkSession } from './session.js';

/** One znode as the parser needs it; `version` is stat.version (the CAS version). */
export interface ZNode {
  path: string;
  value: string;
  version: string;
  session?: string;
}

const EVENT_CREATED = 1;
const EVENT_DELETED = 2;
const EVENT_DATA = 3;
const EVENT_CHILDREN = 4;

export class ZkView {
  private readonly map = new Map<string, ZNode>();
  private chain: Promise<void> = Promise.resolve();
  private live = false;
  private stopped = false;
  private readonly watcher: Watcher = (e) => this.onEvent(e);

  constructor(
    private readonly session: ZkSession,
    /** Cluster path, no trailing slash. */
    private readonly root: string,
    private readonly onChange: (c: CacheChange) => void,
  ) {}

  get isLive(): boolean {
    return this.live && this.session.isConnected;
  }

  nodes(): ZNode[] {
    return [...this.map.values()];
  }

  get(path: string): ZNode | undefined {
    return this.map.get(path);
  }

  /** Mirror our own write at once (the watch event follows and re-reads it). */
  remember(node: ZNode | { path: string; deleted: true }): void {
    if ('deleted' in node) this.drop(node.path);
    else this.store(node);
  }

  /** Forget everything we watch and read it all again (new session, failed read). */
  invalidate(): void {
    this.live = false;
    this.enqueue(() => this.loadAll());
  }

  stop(): void {
    this.stopped = true;
    this.live = false;
  }

  /** Wait for queued re-reads: getCluster after a wake-up sees what woke it. */
  settled(): Promise<void> {
    return this.chain;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await task();
      } catch (e) {
        // Not connected or timed out: the next cycle reads directly and reports the DCS as down.
        this.live = false;
        if (!this.stopped) log.debug('ZooKeeper watch refresh failed: %s', e instanceof Error ? e.message : String(e));
      }
    });
  }

  private onEvent(e: ZkEvent): void {
    const path = e.path;
    const type = e.type;
    if (type === EVENT_CREATED && path === this.root) this.enqueue(() => this.loadAll());
    else if (type === EVENT_CHILDREN) this.enqueue(() => (path === this.root ? this.loadAll() : this.relist(path)));
    else if (type === EVENT_DATA) this.enqueue(() => this.read(path));
    else if (type === EVENT_DELETED) {
      if (path === this.root) this.enqueue(() => this.loadAll());
      else this.enqueue(async () => this.drop(path));
    }
  }

  private store(node: ZNode): void {
    const old = this.map.get(node.path);
    this.map.set(node.path, node);
    if (old?.value !== node.value || old === undefined) this.onChange({ key: node.path, oldValue: old?.value, newValue: node.value });
  }

  private drop(path: string): void {
    const old = this.map.get(path);
    if (!old) return;
    this.map.delete(path);
    this.onChange({ key: path, oldValue: old.value });
  }

  /** Read one znode and re-arm its data watch; a vanished znode is dropped. */
  private async read(path: string): Promise<void> {
    try {
      const { value, stat } = await this.session.get(path, this.watcher);
      const node: ZNode = { path, value, version: String(stat.version) };
      const owner = sessionIdOf(stat.ephemeralOwner);
      if (owner) node.session = owner;
      this.store(node);
    } catch (e) {
      if (!(e instanceof ZkRefusal) || e.code !== ZkCode.NoNode) throw e;
      this.drop(path);
    }
  }

  private async children(dir: string): Promise<string[]> {
    try {
      return await this.session.children(dir, this.watcher);
    } catch (e) {
      if (!(e instanceof ZkRefusal) || e.code !== ZkCode.NoNode) throw e;
      return [];
    }
  }

  /** A directory's children changed: read new ones, drop gone ones. */
  private async relist(dir: string): Promise<void> {
    const names = await this.children(dir);
    const present = new Set(names.map((n) => `${dir}/${n}`));
    for (const path of [...this.map.keys()]) {
      if (path.startsWith(`${dir}/`) && !path.slice(dir.length + 1).includes('/') && !present.has(path)) this.drop(path);
    }
    for (const path of present) if (!this.map.has(path)) await this.read(path);
  }

  private async loadAll(): Promise<void> {
    const seen = new Set<string>();
    const names = (await this.session.exists(this.root, this.watcher)) ? await this.children(this.root) : [];
    const readInto = async (path: string) => {
      await this.read(path);
      seen.add(path);
    };
    for (const name of names) {
      const path = `${this.root}/${name}`;
      if (name === 'members') {
        for (const m of await this.children(path)) await readInto(`${path}/${m}`);
      } else if (name === 'optime') {
        await this.children(path);
        await readInto(`${path}/leader`);
      } else {
        await readInto(path);
      }
    }
    for (const path of [...this.map.keys()]) if (!seen.has(path)) this.drop(path);
    this.live = true;
  }
}
