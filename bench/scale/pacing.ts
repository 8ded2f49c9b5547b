// Did the load generator keep up with its schedule (pure)? A saturated generator must show in the
// results as such, not as a low request rate that looks like a property of the replayed traffic.
// Lag = when a request was sent minus when the schedule wanted it sent (the generator's own delay);
// latency = its answer minus its sending (etcd's, and the socket pool's, delay).

/** One scheduled request; times in ms from the start of the replay. */
export interface PacedRequest {
  scheduledAt: number;
  sentAt: number;
  /** Undefined: no answer by the end of the replay. */
  answeredAt: number | undefined;
  ok: boolean;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface Pacing {
  scheduled: number;
  sent: number;
  answered: number;
  failed: number;
  /** Scheduled and answered requests per second over the replay's planned duration. */
  scheduledPerSecond: number;
  achievedPerSecond: number;
  lagMs: Percentiles;
  latencyMs: Percentiles;
  /** The generator's CPU over the replay, % of one core (Node runs the schedule on one thread). */
  generatorCpuPercent: number;
  /** Worst lag in each `LAG_SLICE_MS` of the schedule: one stall shows as one bad slice, a slow generator as all. */
  worstLagBySliceMs: number[];
  keptUp: boolean;
  /** Why not, in words, when it did not. */
  verdict: string;
}

export const LAG_SLICE_MS = 5_000;

/** Limits of a generator that kept up: a request late by more than this at p99 is the generator's doing. */
export const KEPT_UP = { lagP99Ms: 100, answeredShare: 0.99, cpuPercent: 90 } as const;

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

function percentiles(values: number[]): Percentiles {
  const sorted = values.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 };
}

export function pacing(requests: readonly PacedRequest[], scheduled: number, seconds: number, generatorCpuPercent: number): Pacing {
  const answered = requests.filter((r) => r.answeredAt !== undefined);
  const failed = requests.filter((r) => !r.ok).length;
  const lagMs = percentiles(requests.map((r) => Math.max(0, r.sentAt - r.scheduledAt)));
  const latencyMs = percentiles(answered.map((r) => (r.answeredAt ?? r.sentAt) - r.sentAt));
  const problems: string[] = [];
  if (requests.length < scheduled) problems.push(`sent ${requests.length} of ${scheduled} scheduled requests`);
  if (lagMs.p99 > KEPT_UP.lagP99Ms) problems.push(`p99 lag behind the schedule ${lagMs.p99.toFixed(0)} ms > ${KEPT_UP.lagP99Ms} ms`);
  if (scheduled > 0 && answered.length < scheduled * KEPT_UP.answeredShare) problems.push(`${answered.length} of ${scheduled} answered`);
  if (generatorCpuPercent > KEPT_UP.cpuPercent) problems.push(`generator CPU ${generatorCpuPercent.toFixed(0)} % of a core`);
  // Late while mostly idle: the process waited for a CPU the machine's other work held, not for its own work.
  else if (lagMs.p99 > KEPT_UP.lagP99Ms) problems.push(`late at ${generatorCpuPercent.toFixed(0)} % of a core: starved by other load, not saturated`);
  const worstLagBySliceMs: number[] = [];
  for (const r of requests) {
    const slice = Math.floor(r.scheduledAt / LAG_SLICE_MS);
    worstLagBySliceMs[slice] = Math.max(worstLagBySliceMs[slice] ?? 0, r.sentAt - r.scheduledAt);
  }
  return {
    scheduled,
    sent: requests.length,
    answered: answered.length,
    failed,
    scheduledPerSecond: seconds > 0 ? scheduled / seconds : 0,
    achievedPerSecond: seconds > 0 ? answered.length / seconds : 0,
    lagMs,
    latencyMs,
    generatorCpuPercent,
    worstLagBySliceMs: Array.from(worstLagBySliceMs, (v) => Math.round(Math.max(0, v ?? 0))),
    keptUp: problems.length === 0,
    verdict: problems.length === 0 ? 'kept up' : problems.join('; '),
  };
}

/**
 * The replay's schedule: every simulated cluster plays the recorded window in a loop, shifted by its own
 * phase in [0, window), for `horizonMs`. `at` are the recorded requests' offsets into the window.
 */
export function schedule(
  at: readonly number[],
  windowMs: number,
  phases: readonly number[],
  horizonMs: number,
): { t: number; cluster: number; request: number }[] {
  const out: { t: number; cluster: number; request: number }[] = [];
  phases.forEach((phase, cluster) => {
    at.forEach((offset, request) => {
      for (let t = (offset + phase) % windowMs; t < horizonMs; t += windowMs) out.push({ t, cluster, request });
    });
  });
  return out.sort((a, b) => a.t - b.t);
}
