// One Patroni node of a test cluster: its files, its daemon process and ways to talk to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { stringify } from 'yaml';
import { isObject, parseJson, type Json, type JsonObject } from '../../../src/util/json.js';
import { dataDirOf, SUPERUSER, type NodeLayout } from './config.js';
import { LogCapture } from './logcapture.js';
import { livePostmasterPid } from './postmaster.js';
import { signalQuietly, trackChild, trackDataDir } from './reaper.js';
import { sleep } from '../tmp.js';
import { queryOnce } from '../pg-query.js';
import type { ClientTls } from '../tls.js';

/** One HTTPS request with a client certificate (fetch cannot present one). */
function httpsApi(url: string, tls: ClientTls, init: RequestInit): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: init.method ?? 'GET',
        ca: readFileSync(tls.ca),
        cert: readFileSync(tls.cert),
        key: readFileSync(tls.key),
        headers: init.headers as Record<string, string> | undefined,
        timeout: 10_000,
        signal: init.signal ?? undefined,
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, json: parseJson(text) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
}

export type Impl = 'ts' | 'debian';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TS_DAEMON = join(REPO_ROOT, 'dist/patroni.mjs');
export const TS_CTL = join(REPO_ROOT, 'dist/patronictl.mjs');

export interface ApiResponse {
  status: number;
  text: string;
  json: Json | undefined;
}

/** [command, args] that starts a daemon of the given implementation on a config file. */
export function daemonCommand(impl: Impl, configPath: string): [string, string[]] {
  if (impl === 'debian') return ['/usr/bin/patroni', [configPath]];
  if (!existsSync(TS_DAEMON)) throw new Error(`${TS_DAEMON} is missing: run \`npm run build\` first`);
  // For A/B runs and profiles (docs/decisions.md, idle cost): node flags for every daemon
  // (TS_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof") and another build (TS_DAEMON_FILE).
  const extra = process.env.TS_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return [process.execPath, [...extra, process.env.TS_DAEMON_FILE ?? TS_DAEMON, configPath]];
}

export class ClusterNode {
  readonly name: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly configPath: string;
  readonly logPath: string;
  readonly restPort: number;
  readonly pgPort: number;
  /** http://, or https:// once useTls() was called. */
  apiUrl: string;
  private tls: ClientTls | undefined;
  private child: ChildProcess | undefined;
  /** Extra environment for the daemon (PATRONI_* overrides; the test's own PATRONI_* are never passed). */
  env: Record<string, string> = {};
  private exited: Promise<void> = Promise.resolve();
  /** SIGKILL sent to the current daemon: it exits for sure, start() waits for that. */
  private killed = false;
  private readonly log: LogCapture;
  private readonly untrackDataDir: () => void;

  constructor(
    readonly impl: Impl,
    layout: NodeLayout,
    private configDoc: JsonObject,
  ) {
    this.name = layout.name;
    this.dir = layout.dir;
    this.dataDir = dataDirOf(layout.dir);
    this.configPath = join(layout.dir, 'patroni.yml');
    this.logPath = join(layout.dir, 'patroni.log');
    this.restPort = layout.restPort;
    this.pgPort = layout.pgPort;
    const tls = isObject(configDoc.restapi) && typeof configDoc.restapi.certfile === 'string';
    this.apiUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${layout.restPort}`;
    this.log = new LogCapture(this.logPath);
    this.writeConfig(configDoc);
    // The postmaster is detached from the daemon; make sure it dies with the test process.
    this.untrackDataDir = trackDataDir(this.dataDir);
  }

  get config(): JsonObject {
    return this.configDoc;
  }

  /** Rewrites the YAML (takes effect on the next start or reload). */
  writeConfig(doc: JsonObject): void {
    this.configDoc = doc;
    writeFileSync(this.configPath, stringify(doc), { mode: 0o600 });
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the daemon; does not wait for it to become healthy. */
  async start(): Promise<void> {
    // Killed a moment ago (crash(), kill('SIGKILL')) but not reaped yet: it is no running daemon to keep.
    if (this.killed) await this.exited;
    if (this.running) return;
    const [cmd, args] = daemonCommand(this.impl, this.configPath);
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PATRONI_'))), ...this.env };
    const child = spawn(cmd, args, { cwd: this.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.log.note(`start ${cmd} ${args.join(' ')} (pid ${child.pid ?? '?'})`);
    const drained = Promise.all([this.log.attach(child.stdout), this.log.attach(child.stderr)]);
    trackChild(child);
    this.exited = new Promise((res) =>
      child.once('exit', (code, signal) => {
        // 'exit' can come before the last lines through the pipes: a test reading the log after waitExit()
        // must see them. Bounded, because a script the daemon started may still hold the pipe open.
        let timer: NodeJS.Timeout | undefined;
        void Promise.race([
          drained,
          new Promise<void>((r) => {
            timer = setTimeout(r, 2000);
          }),
        ]).then(() => {
          clearTimeout(timer);
          this.log.note(`daemon exited (code ${code ?? '-'}, signal ${signal ?? '-'})`);
          res();
        });
      }),
    );
    await new Promise<void>((res, rej) => {
      child.once('spawn', () => res());
      child.once('error', rej);
    });
    this.child = child;
    this.killed = false;
  }

  /** SIGTERM and wait for the daemon to exit (SIGKILL after the timeout); no postmaster is left afterwards. */
  async stop(timeoutMs = 60_000): Promise<void> {
    if (this.running) {
      this.log.note('stop (SIGTERM)');
      this.child?.kill('SIGTERM');
      if (!(await this.waitExit(timeoutMs))) {
        this.log.note(`daemon still running after ${timeoutMs} ms: SIGKILL`);
        this.child?.kill('SIGKILL');
        await this.exited;
      }
    }
    await this.stopOrphanPostmaster();
  }

  /** Signals the daemon only (SIGKILL leaves its postmaster running, as a crash would). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.log.note(`kill daemon ${signal}`);
    if (!this.running) return;
    this.child?.kill(signal);
    if (signal === 'SIGKILL') this.killed = true;
  }

  async waitExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((res) => {
      timer = setTimeout(() => res(false), timeoutMs);
    });
    try {
      return await Promise.race([this.exited.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A host crash: kill -9 of the daemon and of its postmaster. */
  crash(): void {
    this.kill('SIGKILL');
    this.killPostmaster('SIGKILL');
  }

  postmasterPid(): number | undefined {
    return livePostmasterPid(this.dataDir);
  }

  /** Signals the postmaster found in postmaster.pid; false when none is running. */
  killPostmaster(signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const pid = this.postmasterPid();
    this.log.note(`kill postmaster ${pid ?? '(none)'} ${signal}`);
    return pid !== undefined && signalQuietly(pid, signal);
  }

  /** REST over HTTPS presenting `tls.cert`, and SQL over TLS (verify-ca) with it, as a client of a TLS-everywhere node. */
  useTls(tls: ClientTls): void {
    this.tls = tls;
    this.apiUrl = `https://127.0.0.1:${this.restPort}`;
  }

  async api(path: string, init: RequestInit = {}): Promise<ApiResponse> {
    if (this.tls) return httpsApi(`${this.apiUrl}${path}`, this.tls, init);
    const res = await fetch(`${this.apiUrl}${path}`, { signal: AbortSignal.timeout(10_000), ...init });
    const text = await res.text();
    return { status: res.status, text, json: parseJson(text) };
  }

  /** GET /patroni as an object, or undefined when the API is down or says something else. */
  async status(): Promise<JsonObject | undefined> {
    try {
      const { json } = await this.api('/patroni', { signal: AbortSignal.timeout(3_000) });
      return isObject(json) ? json : undefined;
    } catch {
      return undefined;
    }
  }

  /** The superuser password of this node's YAML (test configs may set their own). */
  private superuserPassword(): string {
    const pg = this.configDoc.postgresql;
    const auth = isObject(pg) && isObject(pg.authentication) ? pg.authentication.superuser : undefined;
    return isObject(auth) && typeof auth.password === 'string' ? auth.password : SUPERUSER.password;
  }

  /** One query on a fresh connection; a connection that breaks only rejects (see pg-query.ts). */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(query: string, params: unknown[] = []): Promise<R[]> {
    const ssl = this.tls
      ? { ca: readFileSync(this.tls.ca), cert: readFileSync(this.tls.cert), key: readFileSync(this.tls.key), checkServerIdentity: () => undefined }
      : undefined;
    return queryOnce<R>({ port: this.pgPort, user: SUPERUSER.username, password: this.superuserPassword(), ...(ssl ? { ssl } : {}) }, query, params);
  }

  /** Lines of this daemon's log that say "please report it as a BUG". */
  get bugLines(): readonly string[] {
    return this.log.bugLines;
  }

  logTail(lines = 60): string {
    return this.log.tail(lines);
  }

  /**
   * Waits until one of the last `lines` log lines matches: a line travels through the daemon's
   * asynchronous sink and a pipe, so it can arrive after the state it explains is already visible.
   */
  async waitForLog(pattern: RegExp, lines = 400, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.log.tail(lines))) {
      if (Date.now() > deadline) throw new Error(`${this.name}: no log line matching ${pattern} within ${timeoutMs} ms:\n${this.log.tail(40)}`);
      await sleep(100);
    }
  }

  /** After stop(): releases the log file and the exit-time postmaster watch. */
  async close(): Promise<void> {
    this.untrackDataDir();
    await this.log.close();
  }

  private async stopOrphanPostmaster(): Promise<void> {
    // The daemon stops Postgres before exiting; anything left is an orphan: fast, immediate, then kill.
    for (const [signal, waitMs] of [
      ['SIGINT', 15_000],
      ['SIGQUIT', 10_000],
      ['SIGKILL', 5_000],
    ] as const) {
      const pid = this.postmasterPid();
      if (pid === undefined) return;
      this.log.note(`postmaster ${pid} outlived the daemon: ${signal}`);
      signalQuietly(pid, signal);
      const deadline = Date.now() + waitMs;
      while (this.postmasterPid() !== undefined && Date.now() < deadline) await sleep(100);
    }
  }
}
