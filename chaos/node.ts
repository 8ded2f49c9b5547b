// One patroni-ts node in its own namespace (I/O): the daemon runs as postgres via setpriv, which (like
// `ip netns exec`) execs instead of forking, so the child's pid is the daemon's pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { isObject, type JsonObject } from '../src/util/json.js';
import { LogCapture } from '../test/support/cluster/logcapture.js';
import { livePostmasterPid } from '../test/support/cluster/postmaster.js';
import { sleep } from '../test/support/tmp.js';
import { netnsPids, signalPids } from './netns.js';
import { PG_PORT, REST_PORT, type Host } from './topology.js';

export const DAEMON = resolve(import.meta.dirname, '../dist/patroni.mjs');
export const PG_USER = { user: 'postgres', password: 'postgres' } as const;

/** What the writer and the split-brain probes need of a node: a LabNode, or a test cluster's node. */
export type WriteTarget = Pick<LabNode, 'name' | 'apiUrl' | 'pgClient'>;

export interface PostgresIds {
  uid: number;
  gid: number;
}

export class LabNode {
  readonly name: string;
  readonly dataDir: string;
  readonly apiUrl: string;
  private readonly configPath: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly log: LogCapture;

  constructor(
    readonly host: Host,
    readonly dir: string,
    config: JsonObject,
    private readonly ids: PostgresIds,
    private readonly daemon: string,
  ) {
    this.name = host.name;
    this.dataDir = join(dir, 'data');
    this.apiUrl = `http://${host.address}:${REST_PORT}`;
    this.configPath = join(dir, 'patroni.yml');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, ids.uid, ids.gid);
    writeFileSync(this.configPath, stringify(config), { mode: 0o600 });
    chownSync(this.configPath, ids.uid, ids.gid);
    this.log = new LogCapture(join(dir, 'patroni.log'));
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.host.netns,
        'setpriv',
        `--reuid=${this.ids.uid}`,
        `--regid=${this.ids.gid}`,
        '--init-groups',
        '--',
        process.execPath,
        this.daemon,
        this.configPath,
      ],
      { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, LANG: 'C.UTF-8' } },
    );
    this.log.note(`start daemon (pid ${child.pid ?? '?'})`);
    this.log.attach(child.stdout);
    this.log.attach(child.stderr);
    this.exited = new Promise((res) =>
      child.once('exit', (code, signal) => {
        this.log.note(`daemon exited (code ${code ?? '-'}, signal ${signal ?? '-'})`);
        res();
      }),
    );
    await new Promise<void>((res, rej) => {
      child.once('spawn', () => res());
      child.once('error', rej);
    });
    this.child = child;
  }

  /** SIGTERM, then SIGKILL of everything left in the namespace (orphaned postmaster included). */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.running) {
      this.note('stop (SIGTERM)');
      this.child?.kill('SIGTERM');
      await Promise.race([this.exited, sleep(timeoutMs)]);
    }
    const left = netnsPids(this.host.netns);
    signalPids(left, 'SIGCONT');
    signalPids(left, 'SIGKILL');
    if (this.running) await this.exited;
  }

  killDaemon(signal: NodeJS.Signals): void {
    this.note(`daemon ${signal}`);
    if (this.running) this.child?.kill(signal);
  }

  killPostmaster(signal: NodeJS.Signals): boolean {
    const pid = livePostmasterPid(this.dataDir);
    this.note(`postmaster ${pid ?? '(none)'} ${signal}`);
    if (pid === undefined) return false;
    signalPids([pid], signal);
    return true;
  }

  /** Signals every process of the node (daemon, postmaster, backends): a frozen or thawed host. */
  signalAll(signal: NodeJS.Signals): void {
    this.note(`every process ${signal}`);
    signalPids(netnsPids(this.host.netns), signal);
  }

  note(message: string): void {
    this.log.note(`chaos: ${message}`);
  }

  async status(): Promise<JsonObject | undefined> {
    try {
      const res = await fetch(`${this.apiUrl}/patroni`, { signal: AbortSignal.timeout(2_000) });
      const json: unknown = await res.json();
      return isObject(json) ? json : undefined;
    } catch {
      return undefined;
    }
  }

  async api(method: string, path: string, body?: JsonObject): Promise<{ status: number; text: string }> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      signal: AbortSignal.timeout(60_000),
      ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    return { status: res.status, text: await res.text() };
  }

  pgClient(timeoutMs: number): pg.Client {
    return new pg.Client({
      host: this.host.address,
      port: PG_PORT,
      database: 'postgres',
      ...PG_USER,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
  }

  async sql<R extends pg.QueryResultRow = pg.QueryResultRow>(query: string, params: unknown[] = []): Promise<R[]> {
    const client = this.pgClient(10_000);
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<R>(query, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  logTail(lines = 40): string {
    return this.log.tail(lines);
  }

  close(): void {
    this.log.close();
  }
}
