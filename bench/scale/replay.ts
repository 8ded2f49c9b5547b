// The DCS load of many clusters on one etcd (I/O): one recorded 3-member cluster's steady-state etcd
// traffic (recorder.ts) replayed as `clusters` simulated clusters, each under its own scope, with its
// own leases and its own watch streams, phase-shifted at random so they do not fire in step.
// Measured: requests/s sent and answered, etcd's gRPC calls/s, CPU and RSS of the etcd process, and
// the watches etcd holds.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parseJson, type Json } from '../../src/util/json.js';
import { sleep } from '../../test/support/tmp.js';
import { delta, grpcStarted, total } from '../dcs-requests.js';
import type { RecordedRequest } from './recorder.js';
import { leaseIds, rewriteJson, type Rewrite } from './rewrite.js';

export interface ReplayInput {
  etcd: { host: string; port: number; pid: number };
  recording: readonly RecordedRequest[];
  /** The steady-state part of the recording that is replayed (performance.now() bounds). */
  window: { from: number; to: number };
  recordedScope: string;
  label: string;
  clusters: number;
  seconds: number;
}

export interface ReplayResult {
  sent: number;
  failed: number;
  /** Requests sent per second by the generator (watch streams not counted). */
  requestsPerSecond: number;
  /** etcd's gRPC calls and streams started per second during the replay. */
  etcdGrpcPerSecond: number;
  etcdCpuPercent: number;
  etcdRssMiB: number;
  /** Watch streams opened by the generator, and etcd's own watcher gauge at the end (when exposed). */
  watchStreams: number;
  etcdWatchers: number | undefined;
}

const isWatch = (r: RecordedRequest): boolean => r.path.endsWith('/watch');

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** etcd's watcher gauge from /metrics (etcd 3.4: etcd_debugging_mvcc_watcher_total). */
async function etcdWatchers(base: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const m = /^etcd_debugging_mvcc_watcher_total\s+([0-9.eE+]+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

function parsed(body: string): Json {
  return parseJson(body) ?? {};
}

export async function replay(input: ReplayInput): Promise<ReplayResult> {
  const { etcd, window: w } = input;
  const base = `http://${etcd.host}:${etcd.port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const windowMs = Math.max(1, w.to - w.from);
  const unary = input.recording.filter((r) => !isWatch(r) && r.at >= w.from && r.at < w.to);
  // Watches are opened once (before the window) and stay open: one per member and distinct body.
  const watches = [
    ...new Map(
      input.recording
        .filter(isWatch)
        .map((r) => [`${r.member} ${JSON.stringify(rewriteJson(parsed(r.body), { fromPrefix: '', toPrefix: '', leases: new Map() }))}`, r]),
    ).values(),
  ];
  const ttlOf = new Map<string, number>();
  for (const r of input.recording.filter((x) => x.path.endsWith('/lease/grant') && x.answer)) {
    const id = (parseJson(r.answer ?? '') as { ID?: string } | undefined)?.ID;
    const ttl = (parseJson(r.body) as { TTL?: number | string } | undefined)?.TTL;
    if (id) ttlOf.set(`${r.member}/${id}`, Number(ttl ?? 30));
  }

  const post = (path: string, body: string): Promise<{ ok: boolean; text: string }> =>
    new Promise((res) => {
      const req = request({ host: etcd.host, port: etcd.port, method: 'POST', path, agent, headers: { 'content-type': 'application/json' } }, (a) => {
        const parts: Buffer[] = [];
        a.on('data', (c: Buffer) => parts.push(c));
        a.on('end', () => res({ ok: (a.statusCode ?? 500) < 300, text: Buffer.concat(parts).toString() }));
        a.on('error', () => res({ ok: false, text: '' }));
      });
      req.on('error', () => res({ ok: false, text: '' }));
      req.setTimeout(10_000, () => req.destroy());
      req.end(body);
    });

  // Per simulated cluster: its scope, and a fresh lease for every lease a recorded member used.
  const rewrites: Map<number, Rewrite>[] = [];
  for (let c = 0; c < input.clusters; c++) {
    const byMember = new Map<number, Rewrite>();
    for (const m of new Set(input.recording.map((r) => r.member))) {
      const leases = new Map<string, string>();
      const ids = new Set(unary.filter((r) => r.member === m).flatMap((r) => leaseIds(parsed(r.body))));
      for (const id of ids) {
        const g = await post('/v3/lease/grant', JSON.stringify({ TTL: ttlOf.get(`${m}/${id}`) ?? 30 }));
        const newId = (parseJson(g.text) as { ID?: string } | undefined)?.ID;
        if (newId) leases.set(id, newId);
      }
      byMember.set(m, { fromPrefix: `/service/${input.recordedScope}`, toPrefix: `/service/sim-${input.label}-${c}`, leases });
    }
    rewrites.push(byMember);
  }

  const streams: Array<{ destroy: () => void }> = [];
  for (const byMember of rewrites) {
    for (const r of watches) {
      const rw = byMember.get(r.member);
      if (!rw) continue;
      const req = request(
        { host: etcd.host, port: etcd.port, method: 'POST', path: r.path, agent: false, headers: { 'content-type': 'application/json' } },
        (a) => {
          a.on('data', () => undefined);
          a.on('error', () => undefined);
        },
      );
      req.on('error', () => undefined);
      req.end(JSON.stringify(rewriteJson(parsed(r.body), rw)));
      streams.push(req);
    }
  }

  // The schedule: each cluster replays the window in a loop, shifted by its own phase.
  const events: { t: number; c: number; r: RecordedRequest }[] = [];
  const horizon = input.seconds * 1000;
  for (let c = 0; c < input.clusters; c++) {
    const phase = Math.random() * windowMs;
    for (const r of unary) {
      for (let t = (r.at - w.from + phase) % windowMs; t < horizon; t += windowMs) events.push({ t, c, r });
    }
  }
  events.sort((a, b) => a.t - b.t);

  const grpcBefore = await grpcStarted(base);
  const ticksBefore = cpuTicks(etcd.pid);
  let rss = rssMiB(etcd.pid);
  let sent = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  for (const e of events) {
    const wait = start + e.t - performance.now();
    if (wait > 2) await sleep(wait);
    const rw = rewrites[e.c]?.get(e.r.member);
    if (!rw) continue;
    sent++;
    const p: Promise<void> = post(e.r.path, JSON.stringify(rewriteJson(parsed(e.r.body), rw))).then((a) => {
      if (!a.ok) failed++;
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (sent % 500 === 0) rss = Math.max(rss, rssMiB(etcd.pid));
  }
  const rest = horizon - (performance.now() - start);
  if (rest > 0) await sleep(rest);
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - start) / 1000;
  const ticks = cpuTicks(etcd.pid) - ticksBefore;
  rss = Math.max(rss, rssMiB(etcd.pid));
  const grpc = total(delta(grpcBefore, await grpcStarted(base)));
  const watchers = await etcdWatchers(base).catch(() => undefined);
  for (const s of streams) s.destroy();
  agent.destroy();
  return {
    sent,
    failed,
    requestsPerSecond: sent / elapsedS,
    etcdGrpcPerSecond: grpc / elapsedS,
    // /proc ticks are 1/100 s on Linux (USER_HZ).
    etcdCpuPercent: ticks / elapsedS,
    etcdRssMiB: rss,
    watchStreams: streams.length,
    etcdWatchers: watchers,
  };
}
