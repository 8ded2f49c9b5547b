// One ZooKeeper session at a time, as promises with a deadline. The session is the lease: the
// leader and member znodes are ephemeral and vanish when it expires (`ttl` after we stop being
// heard). An expired session, or a new ttl, is replaced by a new session; callers learn it from
// `onNewSession` and re-publish their znodes.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import zk, { type Client, type Stat, type Watcher, type ZkException } from 'node-zookeeper-client';
import type { ZkAclEntry, ZkTlsConfig } from '../../config/types.js';
import { log } from '../../log/logger.js';
import { DcsError } from '../dcs.js';
import { classifyZkError, sessionIdOf, ZkRefusal } from './errors.js';
import { sessionTimeoutMs, zkTimeouts } from './timeouts.js';
import { zkTlsOptions } from './tls.js';
import { installTransport, refreshTimeouts } from './transport.js';

export interface ZkNodeData {
  value: string;
  stat: Stat;
}

/** The parts of node-zookeeper-client's private ConnectionManager that shutdown has to reach. */
interface ConnectionInternals {
  socket?: { destroy(): void };
  connect(): void;
  onSocketConnected(): void;
}

/**
 * Close a client in any state. node-zookeeper-client's close() only works on a live connection: before
 * one exists it throws, and a pending reconnect would open a new session later. Then we stop its
 * reconnect loop and drop the socket instead (no session is open on the server to close).
 */
function shutdownClient(client: Client, connected: boolean): void {
  if (!connected) {
    const cm = (client as unknown as { connectionManager?: ConnectionInternals }).connectionManager;
    if (cm) {
      cm.connect = () => {};
      cm.onSocketConnected = function (this: ConnectionInternals) {
        this.socket?.destroy();
      };
    }
    try {
      client.close();
    } catch {
      // no socket yet: nothing to tell the server
    }
    cm?.socket?.destroy();
    return;
  }
  client.close();
}

export interface ZkSessionOptions {
  hosts: string[];
  authData: [string, string][];
  ttl: number;
  loopWait: number;
  retryTimeout: number;
  tls?: ZkTlsConfig;
  /** set_acls: the ACL of every znode created (parents included, as kazoo's makepath); default world:anyone ALL. */
  acl?: ZkAclEntry[];
}

const readPem = (path: string): string => readFileSync(path, 'utf8');

/** set_acls entries as the library's ACL objects. */
function libraryAcl(acl: ZkAclEntry[] | undefined): unknown[] {
  return acl ? acl.map((a) => new zk.ACL(a.perms, new zk.Id(a.scheme, a.id))) : zk.ACL.OPEN_ACL_UNSAFE;
}

export class ZkSession {
  private client: Client | undefined;
  private connected = false;
  private closed = false;
  private hosts: string;
  private readonly waiters = new Set<() => void>();
  /** Since when the current client has had no connection (undefined while connected). */
  private disconnectedSince: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private ttl: number;
  private loopWait: number;
  private retryTimeout: number;
  private readonly acl: unknown[];
  /** The TLS options last read successfully (files are re-read for each connection, as kazoo does). */
  private tlsOptions: ConnectionOptions | undefined;
  /** The new session may not hold what the old one did (watches, ephemeral znodes). */
  onNewSession: () => void = () => {};
  /** Connection lost or regained: the cache must not be trusted until re-read. */
  onConnectionChange: (connected: boolean) => void = () => {};

  constructor(private readonly opts: ZkSessionOptions) {
    this.hosts = opts.hosts.join(',');
    this.ttl = opts.ttl;
    this.loopWait = opts.loopWait;
    this.retryTimeout = opts.retryTimeout;
    this.acl = libraryAcl(opts.acl);
    // Unreadable certificate files are a configuration error at start, not an endless reconnect loop.
    if (opts.tls) this.tlsOptions = zkTlsOptions(opts.tls, readPem);
  }

  /** TLS options for the next connection: the files as they are now, or the last good ones. */
  private currentTls(): ConnectionOptions | undefined {
    const cfg = this.opts.tls;
    if (!cfg) return undefined;
    try {
      this.tlsOptions = zkTlsOptions(cfg, readPem);
    } catch (e) {
      log.error('ZooKeeper TLS: %s (using the certificates read before)', e instanceof Error ? e.message : String(e));
    }
    return this.tlsOptions;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Our session id (hex), as ephemeral znodes show it in ephemeralOwner. */
  get sessionId(): string | undefined {
    return this.connected && this.client ? sessionIdOf(this.client.getSessionId()) : undefined;
  }

  /** The session timeout the server granted (ms), while connected. */
  get negotiatedTimeoutMs(): number | undefined {
    return this.connected && this.client ? this.client.getSessionTimeout() : undefined;
  }

  /** Session id and password of the live session (tests force its expiry with them). */
  credentials(): { id: Buffer; password: Buffer } | undefined {
    if (!this.connected || !this.client) return undefined;
    return { id: this.client.getSessionId(), password: this.client.getSessionPassword() };
  }

  deadline(): number {
    return Date.now() + this.retryTimeout * 1000;
  }

  start(): void {
    if (this.client || this.closed || this.hosts === '') return;
    this.disconnectedSince = Date.now();
    this.startWatchdog();
    const client = zk.createClient(this.hosts, { sessionTimeout: sessionTimeoutMs(this.ttl), spinDelay: 500, retries: 0 });
    installTransport(client, {
      ...(this.opts.tls ? { tls: () => this.currentTls() ?? {} } : {}),
      timeouts: () => zkTimeouts({ ttl: this.ttl, loopWait: this.loopWait }),
    });
    this.client = client;
    client.on('state', (state: { name: string }) => {
      if (this.client !== client) return;
      // An exception here would unwind into the client's socket handling: log it, never throw.
      try {
        this.onState(state.name);
      } catch (e) {
        log.error('ZooKeeper state %s handling failed: %s', state.name, e instanceof Error ? e.message : String(e));
      }
    });
    for (const [scheme, cred] of this.opts.authData) client.addAuthInfo(scheme, Buffer.from(cred));
    client.connect();
  }

  /**
   * A session not heard from for its timeout is gone on the server, whatever the client says. The
   * client does not always report that (it may keep reconnecting with the dead session id): after
   * `ttl` without a connection we give up on the session and open a new one, as kazoo would after
   * SESSION_EXPIRED.
   */
  private startWatchdog(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(() => {
      const since = this.disconnectedSince;
      if (this.closed || !this.client || since === undefined) return;
      const down = Date.now() - since;
      if (down <= sessionTimeoutMs(this.ttl) + 1000) return;
      log.warning('ZooKeeper: no connection for %s s (session timeout %s s), starting a new session', Math.round(down / 1000), this.ttl);
      this.replace();
    }, 1000);
    this.watchdog.unref();
  }

  private onState(name: string): void {
    if (name === 'SYNC_CONNECTED' || name === 'CONNECTED_READ_ONLY') {
      const fresh = !this.connected;
      this.connected = true;
      this.disconnectedSince = undefined;
      for (const w of this.waiters) w();
      if (fresh) this.onConnectionChange(true);
    } else if (name === 'DISCONNECTED') {
      if (this.connected || this.disconnectedSince === undefined) this.disconnectedSince = Date.now();
      this.connected = false;
      this.onConnectionChange(false);
    } else if (name === 'EXPIRED' || name === 'AUTH_FAILED') {
      log.warning('ZooKeeper session %s, starting a new one', name === 'EXPIRED' ? 'expired' : 'authentication failed');
      this.replace();
    }
  }

  /** Drop the current session (its ephemeral znodes go with it) and open a new one. */
  replace(): void {
    const old = this.client;
    const wasConnected = this.connected;
    this.client = undefined;
    this.connected = false;
    try {
      if (old) shutdownClient(old, wasConnected);
    } catch (e) {
      log.debug('closing the old ZooKeeper client: %s', e instanceof Error ? e.message : String(e));
    }
    if (this.closed) return;
    // Whatever the old client did, a new session is opened: never leave the node without one.
    this.start();
    this.onConnectionChange(false);
    this.onNewSession();
  }

  /**
   * ZooKeeper.reload_config: a new ttl needs a new session (set_ttl: ZooKeeper cannot change a
   * session's timeout); a new loop_wait changes the connect and read timeouts (Patroni reconnects for
   * that, the adapter applies them to the live connection); retry_timeout is the next request's deadline.
   */
  setTimeouts(ttl: number, loopWait: number, retryTimeout: number): boolean {
    const ttlChanged = ttl !== this.ttl;
    const loopWaitChanged = loopWait !== this.loopWait;
    this.ttl = ttl;
    this.loopWait = loopWait;
    this.retryTimeout = retryTimeout;
    if (ttlChanged && this.client) this.replace();
    else if (loopWaitChanged && this.client) refreshTimeouts(this.client);
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
      const timer = setTimeout(
        () => {
          done();
          reject(new DcsError('ZooKeeper is not responding properly (not connected)'));
        },
        Math.max(0, deadline - Date.now()),
      );
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Run one request on a connected session before the deadline; see classifyZkError for outcomes. */
  private async run<T>(
    what: string,
    path: string,
    deadline: number,
    send: (c: Client, cb: (e: ZkException | null | undefined, r?: T) => void) => void,
  ): Promise<T> {
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
    return this.run<ZkNodeData>('get', path, deadline, (c, cb) =>
      c.getData(path, watcher, (e, data, stat) => cb(e, { value: data ? data.toString('utf8') : '', stat })),
    );
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
    const attempt = () => this.run<string>('create', path, deadline, (c, cb) => c.create(path, Buffer.from(value, 'utf8'), this.acl, mode, cb));
    try {
      await attempt();
    } catch (e) {
      if (!(e instanceof ZkRefusal) || e.code !== -101 || !parent) throw e;
      await this.run<string>('create', parent, deadline, (c, cb) => c.mkdirp(parent, null, this.acl, zk.CreateMode.PERSISTENT, cb));
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
    clearInterval(this.watchdog);
    const wasConnected = this.connected;
    this.connected = false;
    const c = this.client;
    this.client = undefined;
    if (c) shutdownClient(c, wasConnected);
    for (const w of this.waiters) w();
  }
}
