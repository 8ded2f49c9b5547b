// The DCS load of many clusters on one etcd (I/O): one recorded 3-member cluster's steady-state etcd
// traffic (recorder.ts) replayed as `clusters` simulated clusters, each under its own scope, with its
// own leases and its own watch streams, phase-shifted at random so they do not fire in step.
// Measured: etcd's gRPC calls/s, CPU and RSS of the etcd process, the watches etcd holds, and whether
// the generator itself kept up with its schedule (pacing.ts).
//
// Transport: etcd's JSON gateway, one HTTP request per watch, as the recorded clients (ours and Patroni's
// etcd3 module) talk to etcd: each real member holds its own watch connection, and the gateway turns it
// into a gRPC Watch stream, so etcd carries the cost production does. Multiplexing the simulated members'
// watches on one gRPC stream would spare etcd exactly that cost. 3,000 idle sockets are cheap for Node
// (the open-files limit is raised by reexec.ts and checked by run.ts).
import { readFileSync } from 'node:fs';
import { Agent, type ClientRequest, request } from 'node:http';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { parseJson, type Json } from '../../src/util/json.js';
import { sleep } from '../../test/support/tmp.js';
import { delta, grpcStarted, total } from '../dcs-requests.js';
import { pacing, schedule, type PacedRequest, type Pacing } from './pacing.js';
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
  progress?: (line: string) => void;
}

export interface ReplayResult {
  /** etcd's gRPC calls and streams started per second during the replay. */
  etcdGrpcPerSecond: number;
  etcdCpuPercent: number;
  etcdRssMiB: number;
  /** Watch requests the generator opened, etcd confirmed (`created`), and lost before the end. */
  watches: { opened: number; created: number; lost: number };
  /** etcd's own watcher gauge once all were opened and at the end (when exposed). */
  etcdWatchers: { start: number | undefined; end: number | undefined };
  leasesGranted: number;
  setupSeconds: number;
  pacing: Pacing;
}

/** Sockets for the unary requests: far above what etcd answers in flight, so a slow etcd shows as latency. */
const MAX_SOCKETS = 1024;
const WATCH_BATCH = 250;
const GRANT_CONCURRENCY = 32;
const REQUEST_TIMEOUT_MS = 10_000;

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
  try {
    const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const m = /^etcd_debugging_mvcc_watcher_total\s+([0-9.eE+]+)$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const parsed = (body: string): Json => parseJson(body) ?? {};

/** Runs fn over items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await sleep(50);
  return cond();
}

export async function replay(input: ReplayInput): Promise<ReplayResult> {
  const { etcd, window: w } = input;
  const say = input.progress ?? (() => undefined);
  const base = `http://${etcd.host}:${etcd.port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const windowMs = Math.max(1, w.to - w.from);
  const unary = input.recording.filter((r) => !isWatch(r) && r.at >= w.from && r.at < w.to);
  const members = [...new Set(input.recording.map((r) => r.member))];
  // Watches are opened once (before the window) and stay open: one per member and distinct body.
  const noRewrite: Rewrite = { fromPrefix: '', toPrefix: '', leases: new Map() };
  const watches = [
    ...new Map(input.recording.filter(isWatch).map((r) => [`${r.member} ${JSON.stringify(rewriteJson(parsed(r.body), noRewrite))}`, r])).values(),
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
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy());
      req.end(body);
    });

  const setupStart = performance.now();
  // Per simulated cluster and member: its scope; leases are filled in below, after the watches, so that
  // no lease ages while thousands of watches are being opened.
  const rewrites: Map<number, Rewrite & { leases: Map<string, string> }>[] = [];
  for (let c = 0; c < input.clusters; c++) {
    rewrites.push(
      new Map(
        members.map((m) => [
          m,
          { fromPrefix: `/service/${input.recordedScope}`, toPrefix: `/service/sim-${input.label}-${c}`, leases: new Map<string, string>() },
        ]),
      ),
    );
  }

  // 1. Watches, in batches, each batch confirmed by etcd before the next.
  const streams: ClientRequest[] = [];
  const watchState = { created: 0, lost: 0, closing: false };
  const openWatch = (path: string, body: string): void => {
    let created = false;
    const req = request({ host: etcd.host, port: etcd.port, method: 'POST', path, agent: false, headers: { 'content-type': 'application/json' } }, (a) => {
      a.on('data', (chunk: Buffer) => {
        if (!created && chunk.toString().includes('"created":true')) {
          created = true;
          watchState.created++;
        }
      });
      a.on('error', () => undefined);
    });
    req.on('close', () => {
      if (!watchState.closing) watchState.lost++;
    });
    req.on('error', () => undefined);
    req.end(body);
    streams.push(req);
  };
  const watchJobs = rewrites.flatMap((byMember) =>
    watches.flatMap((r) => {
      const rw = byMember.get(r.member);
      return rw ? [{ path: r.path, body: JSON.stringify(rewriteJson(parsed(r.body), rw)) }] : [];
    }),
  );
  let confirm = true;
  for (let i = 0; i < watchJobs.length; i += WATCH_BATCH) {
    for (const job of watchJobs.slice(i, i + WATCH_BATCH)) openWatch(job.path, job.body);
    const want = Math.min(watchJobs.length, i + WATCH_BATCH);
    if (confirm && !(await until(() => watchState.created + watchState.lost >= want, 30_000))) {
      say(`  only ${watchState.created} of ${want} watches confirmed by etcd after 30 s; opening the rest unconfirmed`);
      confirm = false; // the result names the shortfall (watches.created)
    }
  }
  const watchersAtStart = await etcdWatchers(base);
  say(`  ${watchState.created} of ${watchJobs.length} watches open (etcd watchers: ${watchersAtStart ?? '?'})`);

  // 2. A fresh lease for every lease a recorded member used, per simulated member.
  const grants = rewrites.flatMap((byMember) =>
    members.flatMap((m) => {
      const rw = byMember.get(m);
      const ids = new Set(unary.filter((r) => r.member === m).flatMap((r) => leaseIds(parsed(r.body))));
      return rw ? [...ids].map((id) => ({ rw, id, ttl: ttlOf.get(`${m}/${id}`) ?? 30 })) : [];
    }),
  );
  let leasesGranted = 0;
  await pool(grants, GRANT_CONCURRENCY, async ({ rw, id, ttl }) => {
    const g = await post('/v3/lease/grant', JSON.stringify({ TTL: ttl }));
    const newId = (parseJson(g.text) as { ID?: string } | undefined)?.ID;
    if (newId) {
      rw.leases.set(id, newId);
      leasesGranted++;
    }
  });

  // 3. The schedule, with every body rewritten beforehand so the hot loop only sends.
  const bodies = rewrites.map((byMember) => unary.map((r) => JSON.stringify(rewriteJson(parsed(r.body), byMember.get(r.member) ?? noRewrite))));
  const horizon = input.seconds * 1000;
  const events = schedule(
    unary.map((r) => r.at - w.from),
    windowMs,
    rewrites.map(() => Math.random() * windowMs),
    horizon,
  );
  const setupSeconds = (performance.now() - setupStart) / 1000;
  say(`  set up in ${setupSeconds.toFixed(1)} s (${leasesGranted} leases); sending ${events.length} requests over ${input.seconds} s`);

  const grpcBefore = await grpcStarted(base);
  const ticksBefore = cpuTicks(etcd.pid);
  let rss = rssMiB(etcd.pid);
  const rssTimer = setInterval(() => {
    rss = Math.max(rss, rssMiB(etcd.pid));
  }, 1_000);
  const paced: PacedRequest[] = [];
  const inFlight = new Set<Promise<void>>();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let sinceYield = 0;
  for (const e of events) {
    const wait = start + e.t - performance.now();
    if (wait > 1) {
      await sleep(wait);
      sinceYield = 0;
    } else if (++sinceYield >= 64) {
      await yieldToIo(); // behind the schedule: still let answers in, so latency is not the loop's
      sinceYield = 0;
    }
    const r = unary[e.request];
    const body = bodies[e.cluster]?.[e.request];
    if (!r || body === undefined) continue;
    const p: PacedRequest = { scheduledAt: e.t, sentAt: performance.now() - start, answeredAt: undefined, ok: false };
    paced.push(p);
    const done: Promise<void> = post(r.path, body).then((a) => {
      p.answeredAt = performance.now() - start;
      p.ok = a.ok;
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  }
  const rest = horizon - (performance.now() - start);
  if (rest > 0) await sleep(rest);
  await Promise.race([Promise.all(inFlight), sleep(REQUEST_TIMEOUT_MS + 1_000)]);
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(rssTimer);
  const ticks = cpuTicks(etcd.pid) - ticksBefore;
  rss = Math.max(rss, rssMiB(etcd.pid));
  const grpc = total(delta(grpcBefore, await grpcStarted(base)));
  const watchersAtEnd = await etcdWatchers(base);
  const lost = watchState.lost;
  watchState.closing = true;
  for (const s of streams) s.destroy();
  agent.destroy();
  return {
    etcdGrpcPerSecond: grpc / elapsedS,
    // /proc ticks are 1/100 s on Linux (USER_HZ).
    etcdCpuPercent: ticks / elapsedS,
    etcdRssMiB: rss,
    watches: { opened: streams.length, created: watchState.created, lost },
    etcdWatchers: { start: watchersAtStart, end: watchersAtEnd },
    leasesGranted,
    setupSeconds,
    pacing: pacing(paced, events.length, input.seconds, ((cpu.user + cpu.system) / 1000 / (elapsedS * 1000)) * 100),
  };
}
