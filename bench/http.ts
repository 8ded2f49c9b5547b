// REST API throughput and tail latency with wrk, against the leader's /primary, /patroni and /cluster.
import type { ClusterNode } from '../test/support/cluster/index.js';
import { record, step, type SuiteContext } from './context.js';
import type { MetricId } from './metrics.js';
import { run } from './proc.js';

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx answers: a fast server that answers 503 is not fast. */
  non2xx: number;
  /**
   * connect/read/write/timeout errors. Patroni's HTTP/1.0 server closes the connection after every
   * answer, which wrk counts as a read error per request: informative, not a failure.
   */
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Parses `wrk --latency` output (pure). */
export function parseWrk(out: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m.exec(out);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)\b/m.exec(out);
  if (!rps || !p99 || !p50) throw new Error(`cannot read wrk output: ${out.slice(0, 300)}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const [connect, read, write, timeout] = [1, 2, 3, 4].map((i) => Number(sock?.[i] ?? 0)) as [number, number, number, number];
  return {
    rps: Number(rps[1]),
    p50Ms: Number(p50[1]) * (UNIT_MS[p50[2] ?? 'ms'] ?? 1),
    p99Ms: Number(p99[1]) * (UNIT_MS[p99[2] ?? 'ms'] ?? 1),
    non2xx,
    socketErrors: { connect, read, write, timeout },
  };
}

/** One wrk run (2 threads, 16 keep-alive connections: the same load for both servers), parsed. */
export async function runWrk(url: string, seconds: number): Promise<WrkResult> {
  const r = await run('wrk', ['-t2', '-c16', `-d${seconds}s`, '--latency', url], { timeoutMs: (seconds + 30) * 1000 });
  if (r.code !== 0) throw new Error(`wrk exited ${r.code}: ${r.stderr.trim()}`);
  return parseWrk(r.stdout);
}

const ENDPOINTS: readonly { path: string; rps: MetricId; p99: MetricId }[] = [
  { path: '/primary', rps: 'rps_primary', p99: 'p99_primary' },
  { path: '/patroni', rps: 'rps_patroni', p99: 'p99_patroni' },
  { path: '/cluster', rps: 'rps_cluster', p99: 'p99_cluster' },
];

export async function measureHttp(ctx: SuiteContext, leader: ClusterNode): Promise<void> {
  const { wrkSeconds, wrkRuns } = ctx.options;
  for (const ep of ENDPOINTS) {
    for (let i = 1; i <= wrkRuns; i++) {
      await step(ctx, `wrk GET ${ep.path} ${i}/${wrkRuns}`, [ep.rps, ep.p99], async () => {
        const url = `${leader.apiUrl}${ep.path}`;
        const check = await leader.api(ep.path);
        if (check.status !== 200) throw new Error(`GET ${ep.path} answered ${check.status} before the run`);
        const res = await runWrk(url, wrkSeconds);
        ctx.store.detail(ctx.profile.name, ctx.impl, `wrk ${ep.path}`, {
          rps: res.rps,
          p99_ms: res.p99Ms,
          non_2xx: res.non2xx,
          socket_errors: { ...res.socketErrors },
        });
        if (res.non2xx > 0) throw new Error(`${res.non2xx} non-2xx answers out of ${Math.round(res.rps * wrkSeconds)} requests`);
        if (res.socketErrors.timeout > 0) throw new Error(`${res.socketErrors.timeout} requests timed out`);
        record(ctx, ep.rps, res.rps);
        record(ctx, ep.p99, res.p99Ms);
      });
    }
  }
}
