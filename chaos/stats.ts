// Summary of a run (pure): one row per fault kind, and the table printed at the end.

export interface FaultResult {
  fault: string;
  profile: string;
  outcome: 'ok' | 'violated' | 'skipped';
  violations: string[];
  /** From injection until a leader accepts writes again and n-1 replicas stream from it (ms). */
  recoveryMs: number | undefined;
  /** Longest gap between two acknowledged writes during the fault (ms). */
  writeGapMs: number | undefined;
  lostCommits: number;
  notes: string[];
}

export interface SummaryRow {
  fault: string;
  injected: number;
  skipped: number;
  violations: number;
  recovery: string;
  writeGap: string;
  lost: number;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const secs = (ms: number): string => (ms / 1000).toFixed(1);

export function minMedMax(values: readonly number[]): string {
  if (values.length === 0) return '-';
  return `${secs(Math.min(...values))} / ${secs(median(values))} / ${secs(Math.max(...values))}`;
}

export function summarize(results: readonly FaultResult[]): SummaryRow[] {
  const keys = [...new Set(results.map((r) => `${r.profile}:${r.fault}`))];
  return keys.map((key) => {
    const rs = results.filter((r) => `${r.profile}:${r.fault}` === key);
    const ran = rs.filter((r) => r.outcome !== 'skipped');
    const nums = (f: (r: FaultResult) => number | undefined): number[] => ran.map(f).filter((v): v is number => v !== undefined);
    return {
      fault: key,
      injected: ran.length,
      skipped: rs.length - ran.length,
      violations: ran.reduce((n, r) => n + r.violations.length, 0),
      recovery: minMedMax(nums((r) => r.recoveryMs)),
      writeGap: minMedMax(nums((r) => r.writeGapMs)),
      lost: ran.reduce((n, r) => n + r.lostCommits, 0),
    };
  });
}

export function formatTable(rows: readonly SummaryRow[]): string {
  const header = ['fault', 'injected', 'skipped', 'violations', 'recovery s (min/med/max)', 'write gap s (min/med/max)', 'lost commits'];
  const cells = rows.map((r) => [r.fault, String(r.injected), String(r.skipped), String(r.violations), r.recovery, r.writeGap, String(r.lost)]);
  const total = [
    'TOTAL',
    String(rows.reduce((n, r) => n + r.injected, 0)),
    String(rows.reduce((n, r) => n + r.skipped, 0)),
    String(rows.reduce((n, r) => n + r.violations, 0)),
    '',
    '',
    String(rows.reduce((n, r) => n + r.lost, 0)),
  ];
  const all = [header, ...cells, total];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const fmt = (row: string[]): string => `| ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line, fmt(header), line, ...cells.map(fmt), line, fmt(total), line].join('\n');
}
