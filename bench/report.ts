// The run's results as JSON (every sample and error) and as a Markdown table (pure rendering).
import type { Json, JsonObject } from '../src/util/json.js';
import type { Environment } from './environment.js';
import { IMPL_LABEL, IMPLS, METRICS, type MetricDef } from './metrics.js';
import type { BenchOptions, Profile } from './options.js';
import { errorsOf, valuesOf, type ResultStore } from './results.js';
import { checkGoal, ratio, summarize, type Summary } from './stats.js';

export interface RunInfo {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  env: Environment;
  /** 1/5/15-minute load averages when the run started and ended (other work on the machine shows here). */
  load?: { start: readonly number[]; end: readonly number[] };
}

const loadText = (l: readonly number[]): string => l.map((v) => v.toFixed(2)).join(' / ');

const round = (v: number): number => Math.round(v * 1000) / 1000;
const summaryJson = (s: Summary | undefined): Json => (s ? { n: s.n, min: round(s.min), median: round(s.median), max: round(s.max) } : null);

type Metric = (typeof METRICS)[number];

function row(store: ResultStore, profile: Profile, def: Metric) {
  const samples = { ts: store.get(profile.name, 'ts', def.id), debian: store.get(profile.name, 'debian', def.id) };
  const goalDef: MetricDef['goal'] = 'goal' in def ? def.goal : undefined;
  const ours = summarize(valuesOf(samples.ts));
  const theirs = summarize(valuesOf(samples.debian));
  const r = ratio(ours, theirs);
  return { samples, ours, theirs, ratio: r, goalDef, goal: goalDef ? checkGoal(goalDef, ours, r) : undefined };
}

export function reportJson(store: ResultStore, info: RunInfo): JsonObject {
  const profiles = info.options.profiles.map(
    (p): JsonObject => ({
      name: p.name,
      ttl: p.ttl,
      loop_wait: p.loopWait,
      retry_timeout: p.retryTimeout,
      metrics: METRICS.map((def): JsonObject => {
        const r = row(store, p, def);
        const side = (impl: 'ts' | 'debian', s: Summary | undefined): JsonObject => ({
          summary: summaryJson(s),
          samples: valuesOf(r.samples[impl]).map(round),
          errors: errorsOf(r.samples[impl]),
        });
        return {
          id: def.id,
          label: def.label,
          unit: def.unit,
          ours: side('ts', r.ours),
          theirs: side('debian', r.theirs),
          ratio_ours_theirs: r.ratio === undefined ? null : round(r.ratio),
          goal: r.goalDef ? { text: r.goalDef.text, verdict: r.goal ?? 'unknown' } : null,
        };
      }),
    }),
  );
  const { resultsDir: _dir, ...options } = info.options;
  return {
    started_at: info.startedAt,
    finished_at: info.finishedAt,
    options: {
      quick: options.quick,
      reps: options.reps,
      wrk_seconds: options.wrkSeconds,
      wrk_runs: options.wrkRuns,
      ctl_runs: options.ctlRuns,
      idle_seconds: options.idleSeconds,
    },
    machine: { ...info.env.machine },
    load_average: info.load ? { start: [...info.load.start], end: [...info.load.end] } : null,
    versions: { ...info.env.versions },
    implementations: { ours: IMPL_LABEL.ts, theirs: IMPL_LABEL.debian },
    profiles,
    details: store.details,
  };
}

function num(v: number): string {
  if (v >= 1000) return v.toFixed(0);
  if (v >= 100) return v.toFixed(1);
  if (v >= 10) return v.toFixed(2);
  return v.toFixed(3);
}

function cell(s: Summary | undefined, errors: string[]): string {
  const failed = errors.length > 0 ? ` (${errors.length} failed)` : '';
  if (!s) return errors.length > 0 ? `failed: ${errors[0]?.replace(/\|/g, '/').slice(0, 80) ?? ''}` : 'n/a';
  return `${num(s.min)} / **${num(s.median)}** / ${num(s.max)}${failed}`;
}

const VERDICT = { met: 'met', missed: '**missed**', unknown: '?' } as const;

export function reportMarkdown(store: ResultStore, info: RunInfo): string {
  const { machine, versions } = info.env;
  const lines = [
    `# patroni-ts benchmark, ${info.startedAt}${info.options.quick ? ' (--quick)' : ''}`,
    '',
    `Machine: ${machine.hostname}, ${machine.cpus} x ${machine.cpu}, ${machine.memoryGiB} GiB RAM, Linux ${machine.kernel}. All services on loopback, one etcd.` +
      (info.load ? ` Load average (1 / 5 / 15 min): ${loadText(info.load.start)} at the start, ${loadText(info.load.end)} at the end.` : ''),
    '',
    `Versions: ${Object.entries(versions)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}.`,
    '',
    info.options.scale
      ? `--scale: a ${info.options.scale.members}-member cluster (one switchover, one host crash, GET /cluster x 20, patronictl list x 5); ` +
        `one 3-member cluster's etcd traffic recorded for ${info.options.scale.recordSeconds} s and replayed as ${info.options.scale.clusters} clusters for ${info.options.scale.replaySeconds} s. ` +
        'Cells: min / **median** / max; ratio = ours / theirs of the medians.'
      : `Repetitions: ${info.options.reps} per HA measurement; wrk ${info.options.wrkRuns} x ${info.options.wrkSeconds} s per endpoint (2 threads, 16 connections); ` +
        `hyperfine ${info.options.ctlRuns} runs; idle window ${info.options.idleSeconds} s. Cells: min / **median** / max; ratio = ours / theirs of the medians.`,
  ];
  for (const p of info.options.profiles) {
    lines.push(
      '',
      `## Profile \`${p.name}\`: ttl ${p.ttl}, loop_wait ${p.loopWait}, retry_timeout ${p.retryTimeout}`,
      '',
      `| Measurement | Unit | ${IMPLS.map((i) => IMPL_LABEL[i]).join(' | ')} | Ours / theirs | Goal |`,
      '|---|---|---|---|---|---|',
    );
    for (const def of METRICS) {
      const r = row(store, p, def);
      // Rows no mode of this run measured (other backends, --health, --scale) are left out.
      if (r.samples.ts.length + r.samples.debian.length === 0) continue;
      const goal = r.goalDef ? `${r.goalDef.text}: ${VERDICT[r.goal ?? 'unknown']}` : '';
      lines.push(
        `| ${def.label} | ${def.unit} | ${cell(r.ours, errorsOf(r.samples.ts))} | ${cell(r.theirs, errorsOf(r.samples.debian))} | ` +
          `${r.ratio === undefined ? 'n/a' : r.ratio.toFixed(2)} | ${goal} |`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}
