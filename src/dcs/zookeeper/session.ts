// One ZooKeeper session at a time, as promises with a deadline. The session is the lease: the
// leader and member znodes are ephemeral and vanish when it expires (`ttl` after we stop being
// heard). An expired session, or a new ttl, is replaced by a new session; callers learn it from
// `onNewSession` and re-publish their znodes.
import zk, { type Client, type Stat, type Watcher, type ZkException } from 'node-zookeeper-client';
import { log } from '../../log/logger.js';
import { DcsError } from '../dcs.js';
import { classifyZkError, sessionIdOf, sessionTimings, ZkRefusal } from './errors.js';

export interface ZkNodeData { value: string; stat: Stat }

export interface ZkSessionOptions {
  hosts: string[];
  authData: [string, string][];
  ttl: number;
  loopWait: number;
  retryTimeout: number;
}

export class ZkSession {
  private client: Client | undefined;
  private connected = false;
  private closed = false;
  private hosts: string;
  private readonly waiters = new Set<() => void>();
  private ttl: number;
  private loopWait: number;
  private retryTimeout: number;
  /** The new session may not hold what the old one did (watches, ephemeral znodes). */
  onNewSession: () => void = () => {};
  /** Connection lost or regained: the cache must not be trusted until re-read. */
  onConnectionChange: (connected: boolean) => void = () => {};

  constructor(private readonly opts: ZkSessionOptions) {
    this.hosts = opts.hosts.join(',');
    this.ttl = opts.ttl;
    this.loopWait = opts.loopWait;
    this.retryTimeout = opts.retryTimeout;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Our session id (hex), as ephemeral znodes show it in ephemeralOwner. */
  get sessionId(): string | undefined {
    return this.connected && this.client ? sessionIdOf(this.client.getSessionId()) : undefined;
  }

  deadline(): number {
    return Date.now() + this.retryTimeout * 1000;
  }

  start(): void {
    if (this.client || this.closed || this.hosts === '') return;
    const { sessionMs } = sessionTimings(this.ttl, this.loopWait, this.retryTimeout);
    const client = zk.createClient(this.hosts, { sessionTimeout: sessionMs, spinDelay: 500, retries: 0 });
    this.client = client;
    client.on('state', (state: { name: string }) => {
      if (this.client !== client) return;
      if (state.name === 'SYNC_CONNECTED' || state.name === 'CONNECTED_READ_ONLY') {
        const fresh = !this.connected;
        this.connected = true;
        for (const w of this.waiters) w();
        if (fresh) this.onConnectionChange(true);
      } else if (state.name === 'DISCONNECTED') {
        this.connected = false;
        this.onConnectionChange(false);
      } else if (state.name === 'EXPIRED' || state.name === 'AUTH_FAILED') {
        log.warning('ZooKeeper session %s, starting a new one', state.name === 'EXPIRED' ? 'expired' : 'authentication failed');
        this.replace();
      }
    });
    for (const [scheme, cred] of this.opts.authData) client.addAuthInfo(scheme, Buffer.from(cred));
    client.connect();
  }

  /** Drop the current session (its ephemeral znodes go with it) and open a new one. */
  replace(): void {
    const old = this.client;
    this.client = undefined;
    this.connected = false;
    old?.close();
    this.onConnectionChange(false);
    if (this.closed) return;
    this.start();
    this.onNewSession();
  }

  /** A new ttl needs a new session (ZooKeeper cannot change a session's timeout). */
  setTimeouts(ttl: number, loopWait: number, retryTimeout: number): boolean {
    const ttlChanged = ttl !== this.ttl;
    this.ttl = ttl;
    this.loopWait = loopWait;
    this.retryTimeout = retryTimeout;
    if (ttlChanged && this.client) this.replace();
    return ttlChanged;
  }

  /** Exhibitor: a changed ensemble is used from the next connection. */
  setHosts(hosts: string[]): void {
    const joined = hosts.join(',');
    if (joined === this.hosts) return;
    this.hosts = joined;
    if (this.client) this.replace();
    else this.start();
  }

  private waitConnected(deadline: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.closed) {
          done();
          reject(new DcsError('ZooKeeper client closed'));
        } else if (this.connected && this.client) {
          done();
          resolve(this.client);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new DcsError('ZooKeeper is not responding properly (not connected)'));
      }, Math.max(0, deadline - Date.now()));
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Run one request on a connected session before the deadline; see classifyZkError for outcomes. */
  private async run<T>(what: string, path: string, deadline: number, send: (c: Client, cb: (e: ZkException | null | undefined, r?: T) => void) => void): Promise<T> {
    const client = await this.waitConnected(deadline);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DcsError(`ZooKeeper ${what} ${path} timed out`)), Math.max(1, deadline - Date.now()));
      send(client, (e, r) => {
        clearTimeout(timer);
        if (!e) {
          resolve(r as T);
          return;
        }
        const c = classifyZkError(typeof e.code === 'number' ? e.code : undefined, e.message, path);
        reject(c.kind === 'refused' ? c.error : new DcsError(`ZooKeeper ${what}: ${c.reason}`));
      });
    });
  }

  get(path: string, watcher: Watcher | undefined, deadline = this.deadline()): Promise<ZkNodeData> {
    return this.run<ZkNodeData>('get', path, deadline, (c, cb) => c.getData(path, watcher, (e, data, stat) => cb(e, { value: data ? data.toString('utf8') : '', stat })));
  }

  children(path: string, watcher: Watcher | undefined, deadline = this.deadline()): Promise<string[]> {
    return this.run<string[]>('get_children', path, deadline, (c, cb) => c.getChildren(path, watcher, (e, list) => cb(e, list)));
  }

  set(path: string, value: string, version: number, deadline = this.deadline()): Promise<Stat> {
    return this.run<Stat>('set', path, deadline, (c, cb) => c.setData(path, Buffer.from(value, 'utf8'), version, (e, stat) => cb(e, stat)));
  }

  /** Create with parents (persistent parents, like kazoo's makepath). */
  async create(path: string, value: string, ephemeral: boolean, deadline = this.deadline()): Promise<void> {
    const parent = path.slice(0, path.lastIndexOf('/'));
    const mode = ephemeral ? zk.CreateMode.EPHEMERAL : zk.CreateMode.PERSISTENT;
    const attempt = () => this.run<string>('create', path, deadline, (c, cb) => c.create(path, Buffer.from(value, 'utf8'), zk.ACL.OPEN_ACL_UNSAFE, mode, cb));
    try {
      await attempt();
    } catch (e) {
      if (!(e instanceof ZkRefusal) || e.code !== -101 || !parent) throw e;
      await this.run<string>('create', parent, deadline, (c, cb) => c.mkdirp(parent, null, zk.ACL.OPEN_ACL_UNSAFE, zk.CreateMode.PERSISTENT, cb));
      await attempt();
    }
  }

  /** Existence check that arms a watch either way (fires on creation of an absent node). */
  exists(path: string, watcher: Watcher, deadline = this.deadline()): Promise<boolean> {
    return this.run<boolean>('exists', path, deadline, (c, cb) => c.exists(path, watcher, (e, stat) => cb(e, stat !== null && stat !== undefined)));
  }

  remove(path: string, version: number, deadline = this.deadline()): Promise<void> {
    return this.run<void>('delete', path, deadline, (c, cb) => c.remove(path, version, (e) => cb(e)));
  }

  close(): void {
    this.closed = true;
    this.connected = false;
    const c = this.client;
    this.client = undefined;
    c?.close();
    for (const w of this.waiters) w();
  }
}
