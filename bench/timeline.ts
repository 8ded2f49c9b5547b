// `npm run bench -- --trace`: where the time of one switchover and one bootstrap goes, as one
// timeline from the daemons' log lines, patronictl's PATRONICTL_TRACE lines and the harness's own
// observations (writable, streaming). Pure: parsing and formatting only.

export interface TimelineEvent {
  /** Epoch ms. */
  at: number;
  who: string;
  what: string;
}

/** `2026-11-28 23:09:20,509 INFO: message` (Patroni's asctime, local time) -> epoch ms and the rest. */
export function parseLogLine(line: string): { at: number; text: string } | null {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) (.*)$/.exec(line);
  if (!m) return null;
  const [y, mo, d, h, mi, s, ms] = m.slice(1, 8).map((x) => Number.parseInt(x ?? '', 10)) as [number, number, number, number, number, number, number];
  return { at: new Date(y, mo - 1, d, h, mi, s, ms).getTime(), text: m[8] ?? '' };
}

/** `2026-11-28 23:09:27.092 UTC [14347] LOG:  message` (PostgreSQL's default log_line_prefix '%m [%p] '). */
export function parsePgLogLine(line: string): { at: number; text: string } | null {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) UTC \[\d+\] (?:LOG|FATAL|PANIC):\s+(.*)$/.exec(line);
  if (!m) return null;
  const at = Date.parse(`${m[1] ?? ''}T${m[2] ?? ''}Z`);
  return Number.isNaN(at) ? null : { at, text: m[3] ?? '' };
}

/** PostgreSQL's own milestones of a shutdown, start, promotion or base backup. */
const PG_STEP =
  /checkpoint starting|checkpoint complete|shutdown request|database system is shut down|ready to accept|received promote request|selected new timeline|archive recovery complete|started streaming|entering standby mode|redo done|terminating connection due to administrator/;

export function collectPgLog(who: string, lines: readonly string[], from: number, to: number): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const line of lines) {
    const p = parsePgLogLine(line);
    if (p && p.at >= from && p.at <= to && PG_STEP.test(p.text)) out.push({ at: p.at, who, what: `postgres: ${p.text.slice(0, 90)}` });
  }
  return out;
}

/** `trace <epoch ms> +<since start>ms <step>` from patronictl with PATRONICTL_TRACE=1. */
export function parseTraceLine(line: string): { at: number; text: string } | null {
  const m = /^trace (\d+(?:\.\d+)?) \+\S+ (.*)$/.exec(line);
  return m ? { at: Number(m[1]), text: m[2] ?? '' } : null;
}

/** Log lines that mark a step of a switchover or a bootstrap; routine "no action" lines are noise. */
const STEP =
  /bootstrap|initdb|initialized|post_bootstrap|basebackup|replica has been created|Demoting|demot|switchover|Detached|promot|Changing upstream|following a different leader|Cleaning up failover key|lock|starting|start|stopp|leader key|streaming|Lease|fence|rewind/i;

export function interestingLogLine(text: string): boolean {
  return STEP.test(text) && !/^INFO: no action\./.test(text);
}

export function collectLog(who: string, lines: readonly string[], from: number, to: number): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const line of lines) {
    const p = parseLogLine(line);
    if (p && p.at >= from - 5 && p.at <= to && interestingLogLine(p.text)) out.push({ at: p.at, who, what: p.text });
  }
  return out;
}

export function collectTrace(who: string, stderr: string): TimelineEvent[] {
  return stderr.split('\n').flatMap((l) => {
    const p = parseTraceLine(l);
    return p ? [{ at: p.at, who, what: p.text }] : [];
  });
}

/**
 * A replica's data dir starts as a copy of the leader's, postgresql.log included: the same line at
 * the same time in several nodes' files is one event (named after all of them).
 */
export function mergeSameEvents(events: readonly TimelineEvent[]): TimelineEvent[] {
  const byKey = new Map<string, TimelineEvent>();
  for (const e of events) {
    const key = `${e.at} ${e.what}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, who: `${seen.who},${e.who}` } : e);
  }
  return [...byKey.values()];
}

/** One line per event: seconds since t0, the step's own duration since the previous event, who, what. */
export function formatTimeline(title: string, t0: number, events: readonly TimelineEvent[]): string {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const width = Math.max(8, ...sorted.map((e) => e.who.length));
  let prev = t0;
  const rows = sorted.map((e) => {
    const row = `${((e.at - t0) / 1000).toFixed(3).padStart(8)} s  (+${String(Math.round(e.at - prev)).padStart(5)} ms)  ${e.who.padEnd(width)}  ${e.what}`;
    prev = e.at;
    return row;
  });
  return [`## ${title}`, '', '```', ...rows, '```', ''].join('\n');
}

/**
 * When the leader received the switchover/failover POST: the time of the first `received switchover
 * request ...` line (logged by Patroni's `do_POST_failover` and by ours at the same point, after the
 * body is read and before any check) at or after `notBefore` (epoch ms), or undefined.
 */
export function requestReceivedAt(lines: readonly string[], action: 'switchover' | 'failover', notBefore: number): number | undefined {
  const marker = `received ${action} request`;
  for (const line of lines) {
    const p = parseLogLine(line);
    if (p && p.at >= notBefore && p.text.includes(marker)) return p.at;
  }
  return undefined;
}
