// Real DCS servers for the backend-parameterised tests, on free loopback ports in temp dirs:
// etcd 3.4 with the v2 API (--enable-v2), Debian's ZooKeeper 3.8 started by hand from its jar with a
// generated zoo.cfg, and a small Exhibitor HTTP server answering /exhibitor/v1/cluster/list for that
// ZooKeeper. Each can be stopped and started again on the same ports and data (the "DCS down" tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import type { JsonObject } from '../../src/util/json.js';
import { trackChild } from './cluster/reaper.js';
import type { TestCerts } from './certs.js';
import { etcdArgs, type EtcdServer } from './etcd.js';
import { freePorts } from './ports.js';
import { stopProcess } from './process.js';
import { makeTempDir, waitFor } from './tmp.js';

export type BackendName = 'etcd2' | 'zookeeper' | 'exhibitor';
export const ALL_BACKENDS: readonly BackendName[] = ['etcd2', 'zookeeper', 'exhibitor'];

export interface DcsServer {
  backend: BackendName;
  /** The Patroni config section naming this DCS, e.g. `{ zookeeper: { hosts: [...] } }`. */
  section: JsonObject;
  /** patronictl --dcs-url for it. */
  dcsUrl: string;
  /** The shape test/support/cluster expects (its `process` is tracked by the reaper). */
  asEtcd: EtcdServer;
  /** Stop the server process, keeping its data (the DCS goes away). */
  pause(): Promise<void>;
  /** Start it again on the same ports and data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** A child process that can be stopped and started again with the same command line. */
class Service {
  child: ChildProcess | undefined;
  private stderr = '';

  constructor(
    private readonly what: string,
    private readonly cmd: string,
    private readonly args: string[],
    private readonly ready: () => Promise<boolean>,
    private readonly logFile?: string,
  ) {}

  async start(): Promise<void> {
    const out = this.logFile ? openSync(this.logFile, 'a') : 'ignore';
    const child = spawn(this.cmd, this.args, {
      stdio: ['ignore', out, 'pipe'],
      env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch },
    });
    if (typeof out === 'number') closeSync(out);
    this.child = child;
    trackChild(child);
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    try {
      await waitFor(`${this.what} to answer`, async () => child.exitCode === null && (await this.ready()), 60_000, 200);
    } catch (e) {
      await this.kill();
      throw new Error(`${String(e)}\n${this.stderr}`);
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child) await stopProcess(child);
  }
}

function placeholderEtcd(service: Service, hostPort: string, stop: () => Promise<void>): EtcdServer {
  return {
    endpoint: `http://${hostPort}`,
    hostPort,
    stop,
    get process(): ChildProcess {
      if (!service.child) throw new Error('service not started');
      return service.child;
    },
  };
}

/** etcd with the v2 API; with `tls`, client URLs are https and client certificates are required. */
export async function startEtcd2(opts: { tls?: TestCerts } = {}): Promise<DcsServer> {
  const [client, peer] = (await freePorts(2)) as [number, number];
  const dir = makeTempDir('etcd2');
  const tls = opts.tls;
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${client}`;
  const tlsArgs = tls ? ['--cert-file', tls.cert, '--key-file', tls.key, '--client-cert-auth', '--trusted-ca-file', tls.ca] : [];
  const ready = tls
    ? () =>
        new Promise<boolean>((resolve) => {
          const req = httpsGet(
            `${endpoint}/version`,
            { ca: readFileSync(tls.ca), cert: readFileSync(tls.clientCert), key: readFileSync(tls.clientKey) },
            (res) => {
              res.resume();
              resolve(res.statusCode === 200);
            },
          );
          req.on('error', () => resolve(false));
        })
    : async () => (await fetch(`${endpoint}/v2/keys/`)).ok;
  const service = new Service('etcd', 'etcd', etcdArgs({ dataDir: dir.path, clientUrl: endpoint, peerPort: peer, extra: ['--enable-v2', ...tlsArgs] }), ready);
  await service.start();
  const stop = async () => {
    await service.kill();
    dir.remove();
  };
  const hostPort = `127.0.0.1:${client}`;
  const section: JsonObject = tls
    ? { etcd: { hosts: [hostPort], protocol: 'https', cacert: tls.ca, cert: tls.clientCert, key: tls.clientKey } }
    : { etcd: { hosts: [hostPort] } };
  return {
    backend: 'etcd2',
    section,
    dcsUrl: `etcd://${hostPort}`,
    asEtcd: placeholderEtcd(service, hostPort, stop),
    pause: () => service.kill(),
    resume: () => service.start(),
    stop,
  };
}

/** One of ZooKeeper's four-letter words (`ruok`, `mntr`...): its whole answer, '' when unreachable. */
export function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    s.setTimeout(2000, () => s.destroy());
    s.on('connect', () => s.write(word));
    s.on('data', (d: Buffer) => {
      data += d.toString();
    });
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(''));
  });
}

/** ZooKeeper answers `imok` to `ruok` once it serves. */
const ruok = async (port: number): Promise<boolean> => (await fourLetterWord(port, 'ruok')) === 'imok';

const ZK_CLASSPATH = '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar';
/** Netty's codec and resolver, which Debian's zookeeper.jar manifest leaves out of its Class-Path (TLS needs Netty). */
const ZK_NETTY_CLASSPATH = ':/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar';

/**
 * ZooKeeper 3.8 from Debian's jar. With `tls`, clients are served on a second, TLS-only port (Netty,
 * PEM key and trust stores, client certificates required, x509 identities for ACLs) and `section`
 * names that port with Patroni's use_ssl keys; the plain port stays for the four-letter words.
 */
export async function startZooKeeper(opts: { tls?: TestCerts } = {}): Promise<DcsServer & { port: number; securePort?: number }> {
  const tls = opts.tls;
  const [port, securePort] = (await freePorts(tls ? 2 : 1)) as [number, number | undefined];
  const dir = makeTempDir('zookeeper');
  mkdirSync(join(dir.path, 'data'));
  const cfg = join(dir.path, 'zoo.cfg');
  const tlsLines: string[] = [];
  if (tls && securePort) {
    const keyStore = join(dir.path, 'server-keystore.pem');
    writeFileSync(keyStore, readFileSync(tls.key, 'utf8') + readFileSync(tls.cert, 'utf8'));
    tlsLines.push(
      `secureClientPort=${securePort}`,
      'secureClientPortAddress=127.0.0.1',
      'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
      `ssl.keyStore.location=${keyStore}`,
      'ssl.keyStore.type=PEM',
      `ssl.trustStore.location=${tls.ca}`,
      'ssl.trustStore.type=PEM',
      'ssl.clientAuth=need',
      'authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider',
    );
  }
  // tickTime 500 ms: sessions from 1 s to 60 s, so a test ttl of a few seconds is honoured as is.
  writeFileSync(
    cfg,
    [
      'tickTime=500',
      `dataDir=${join(dir.path, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'minSessionTimeout=1000',
      'maxSessionTimeout=60000',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr,mntr',
      'maxClientCnxns=0',
      ...tlsLines,
    ].join('\n') + '\n',
  );
  const service = new Service(
    'zookeeper',
    'java',
    [
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Dzookeeper.log.dir=${dir.path}`,
      '-cp',
      ZK_CLASSPATH + (tls ? ZK_NETTY_CLASSPATH : ''),
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      cfg,
    ],
    () => ruok(port),
    join(dir.path, 'zookeeper.log'),
  );
  await service.start();
  const stop = async () => {
    await service.kill();
    dir.remove();
  };
  const hostPort = `127.0.0.1:${securePort ?? port}`;
  const section: JsonObject = tls
    ? { zookeeper: { hosts: [hostPort], use_ssl: true, cacert: tls.ca, cert: tls.clientCert, key: tls.clientKey } }
    : { zookeeper: { hosts: [hostPort] } };
  return {
    backend: 'zookeeper',
    port,
    ...(securePort ? { securePort } : {}),
    section,
    dcsUrl: `zookeeper://${hostPort}`,
    asEtcd: placeholderEtcd(service, hostPort, stop),
    pause: () => service.kill(),
    resume: () => service.start(),
    stop,
  };
}

/** Exhibitor's REST answer for one ZooKeeper, served by a plain HTTP server (what Exhibitor returns). */
export async function startExhibitor(): Promise<DcsServer & { http: Server; servedHosts: string[]; port: number; polls: () => number }> {
  const zk = await startZooKeeper();
  const served = { hosts: ['127.0.0.1'], polls: 0 };
  const server = createServer((req, res) => {
    served.polls++;
    if (req.url !== '/exhibitor/v1/cluster/list') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ servers: served.hosts, port: zk.port }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const stop = async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await zk.stop();
  };
  return {
    backend: 'exhibitor',
    http: server,
    servedHosts: served.hosts,
    port: zk.port,
    polls: () => served.polls,
    section: { exhibitor: { hosts: ['127.0.0.1'], port, poll_interval: 10 } },
    dcsUrl: `exhibitor://127.0.0.1:${port}`,
    asEtcd: {
      ...zk.asEtcd,
      get process() {
        return zk.asEtcd.process;
      },
      stop,
    },
    pause: zk.pause,
    resume: zk.resume,
    stop,
  };
}

/**
 * Requests the server has received so far: etcd's v2 store reads, writes and watches, ZooKeeper's packets
 * (plus, for Exhibitor, the HTTP polls of its cluster list).
 */
export async function dcsRequestCount(server: DcsServer): Promise<number> {
  if (server.backend === 'etcd2') {
    const text = await (await fetch(`${server.asEtcd.endpoint}/metrics`)).text();
    let sum = 0;
    for (const m of text.matchAll(/^etcd_debugging_store_(?:reads_total|writes_total|watch_requests_total)(?:\{[^}]*\})?\s+([0-9.eE+-]+)$/gm))
      sum += Number(m[1]);
    return sum;
  }
  const { port, polls } = server as DcsServer & { port?: number; polls?: () => number };
  const m = /^zk_packets_received\s+(\d+)/m.exec(port ? await fourLetterWord(port, 'mntr') : '');
  if (!m) throw new Error('ZooKeeper mntr: no zk_packets_received');
  return Number(m[1]) + (polls?.() ?? 0);
}

export function startDcsServer(backend: BackendName): Promise<DcsServer> {
  switch (backend) {
    case 'etcd2':
      return startEtcd2();
    case 'zookeeper':
      return startZooKeeper();
    case 'exhibitor':
      return startExhibitor();
  }
}

/** Backends the shared scenario files run: all, or the ones named in DCS_BACKENDS (comma separated). */
export function selectedBackends(): BackendName[] {
  const wanted = (process.env.DCS_BACKENDS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return wanted.length ? ALL_BACKENDS.filter((b) => wanted.includes(b)) : [...ALL_BACKENDS];
}
