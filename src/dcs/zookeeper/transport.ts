// The socket under node-zookeeper-client: TLS when `use_ssl` is set, and Patroni's connect and read
// timeouts (timeouts.ts). The library (pinned at 1.1.3) opens a plain `net` socket in its private
// ConnectionManager.connect() and derives its timeouts from the session timeout; this adapter replaces
// those two methods, and the idle-ping handler, on the client's own ConnectionManager instance. The
// replacement connect() is the library's, with the socket made by `tls.connect` (wired on
// `secureConnect`, so nothing is written before the handshake) instead of `net.connect`; everything
// else (framing, sessions, watches, auth) stays the library's. docs/decisions.md says why.
import net from 'node:net';
import tls from 'node:tls';
import type { Client } from 'node-zookeeper-client';
import { log } from '../../log/logger.js';
import type { ZkTimeouts } from './timeouts.js';

interface Server {
  host: string;
  port: number | string;
}

/** The private ConnectionManager members this adapter relies on (node-zookeeper-client 1.1.3). */
interface ConnectionManager {
  socket?: net.Socket;
  state: number;
  sessionTimeout: number;
  connectTimeout: number;
  pingTimeout: number;
  connectTimeoutHandler: NodeJS.Timeout | null;
  setState(state: number): void;
  findNextServer(cb: (server: Server) => void): void;
  updateTimeout(sessionTimeout: number): void;
  connect(): void;
  onSocketConnected(): void;
  onSocketData(data: Buffer): void;
  onSocketDrain(): void;
  onSocketClosed(hadError: boolean): void;
  onSocketError(error: Error): void;
  onSocketConnectTimeout(): void;
  onSocketTimeout(): void;
}

const METHODS = [
  'setState',
  'findNextServer',
  'updateTimeout',
  'connect',
  'onSocketConnected',
  'onSocketData',
  'onSocketDrain',
  'onSocketClosed',
  'onSocketError',
  'onSocketConnectTimeout',
  'onSocketTimeout',
] as const;

/** ConnectionManager states (its STATES table). */
const CONNECTING = 1;
const CONNECTED = 2;
const CONNECTED_READ_ONLY = 3;

export interface ZkTransportOptions {
  /** TLS options for the next connection (read each time, as kazoo builds a new SSLContext per connect). */
  tls?: () => tls.ConnectionOptions;
  timeouts: () => ZkTimeouts;
}

function connectionManagerOf(client: Client): ConnectionManager {
  const cm = (client as unknown as { connectionManager?: Partial<ConnectionManager> }).connectionManager;
  const missing = cm ? METHODS.filter((m) => typeof cm[m] !== 'function') : ['connectionManager'];
  if (!cm || missing.length > 0) {
    throw new Error(`node-zookeeper-client internals changed (missing ${missing.join(', ')}): the ZooKeeper transport adapter needs version 1.1.3`);
  }
  return cm as ConnectionManager;
}

/** Install TLS and Patroni's timeouts on a client that has not connected yet. */
export function installTransport(client: Client, opts: ZkTransportOptions): void {
  const cm = connectionManagerOf(client);
  const idlePing = cm.onSocketTimeout;
  let pingOutstanding = false;
  let lastError = '';

  cm.updateTimeout = function (this: ConnectionManager, sessionTimeout: number) {
    const t = opts.timeouts();
    this.sessionTimeout = sessionTimeout;
    this.connectTimeout = t.connectMs;
    this.pingTimeout = t.pingMs;
  };
  cm.updateTimeout(cm.sessionTimeout);

  cm.connect = function (this: ConnectionManager) {
    this.setState(CONNECTING);
    this.findNextServer((server) => {
      const port = Number(server.port);
      let secure: tls.ConnectionOptions | undefined;
      try {
        secure = opts.tls?.();
      } catch (e) {
        log.error('ZooKeeper TLS settings: %s', e instanceof Error ? e.message : String(e));
      }
      if (opts.tls && !secure) {
        // No usable TLS settings this time: fail this attempt (the library retries), never fall back to plain.
        setTimeout(() => this.onSocketClosed(true), 1000);
        return;
      }
      const socket = secure ? tls.connect({ ...secure, host: server.host, port }) : net.connect({ host: server.host, port });
      this.socket = socket;
      pingOutstanding = false;
      this.connectTimeoutHandler = setTimeout(() => this.onSocketConnectTimeout(), this.connectTimeout);
      socket.setNoDelay();
      socket.on(secure ? 'secureConnect' : 'connect', () => {
        lastError = '';
        this.onSocketConnected();
      });
      socket.on('data', (data: Buffer) => {
        pingOutstanding = false;
        this.onSocketData(data);
      });
      socket.on('drain', () => this.onSocketDrain());
      socket.on('close', (hadError: boolean) => this.onSocketClosed(hadError));
      socket.on('error', (error: Error) => {
        const line = `${server.host}:${port}: ${error.message}`;
        if (line !== lastError) log.warning('ZooKeeper connection to %s', line);
        lastError = line;
        this.onSocketError(error);
      });
    });
  };

  // kazoo's connection loop: a ping after read_timeout/2 of silence; still silent for the next half,
  // the connection is dropped ("outstanding heartbeat ping not received") and the next server tried.
  cm.onSocketTimeout = function (this: ConnectionManager) {
    const connected = this.state === CONNECTED || this.state === CONNECTED_READ_ONLY;
    if (connected && pingOutstanding && this.socket) {
      log.warning('ZooKeeper: no answer to a ping within %s ms, dropping the connection', opts.timeouts().readMs);
      pingOutstanding = false;
      this.socket.destroy();
      return;
    }
    if (connected) pingOutstanding = true;
    idlePing.call(this);
  };
}

/** Apply changed timeouts (loop_wait) to the live connection from its next ping on. */
export function refreshTimeouts(client: Client): void {
  const cm = connectionManagerOf(client);
  cm.updateTimeout(cm.sessionTimeout);
}
