// `explain [CLUSTER_NAME] [-f FORMAT]` (a patroni-ts addition): for every member, would it be allowed to
// lead if the leader were lost now, and why; plus the last decision each node made and when. The
// verdicts come from ha/core/leader-lost.ts (Patroni's own failover rules), the table from the same view the
// dashboard shows (api/dashboard/view.ts).
import type { Command } from 'commander';
import { buildClusterView, lastDecisionOf, type ClusterView, type MemberProbeResult, type MemberView } from '../../api/dashboard/view.js';
import { buildDynamicConfig } from '../../config/dynamic.js';
import type { Member } from '../../dcs/cluster.js';
import { isObject, parseJson } from '../../util/json.js';
import { pyJson } from '../../util/py-json.js';
import { roundHalfEven } from '../../api/size.js';
import { checkExtraArgs, choice, defineCommand } from '../cli.js';
import { clusterName, type CtlContext } from '../context.js';
import { blockYaml } from '../py-yaml.js';
import type { Runtime } from '../runtime.js';
import { renderTable, type Cell } from '../table.js';

export const EXPLAIN_FORMATS = ['pretty', 'json', 'yaml', 'yml'] as const;
type ExplainFormat = (typeof EXPLAIN_FORMATS)[number];

/** A member silent this long is reported unreachable (the HA loop's probe waits 2 s); nothing is left pending. */
const PROBE_TIMEOUT_MS = 3_000;

const OUTLOOK_TEXT: Record<MemberView['outlook'], string> = {
  leader: 'leader',
  would_lead: 'yes, would lead',
  eligible: 'yes',
  ineligible: 'no',
};

/** GET /patroni and GET /explain of one member (Patroni's own members answer 404 to /explain). */
async function probeMember(ctx: CtlContext, m: Member): Promise<MemberProbeResult> {
  const get = async (endpoint: string) => {
    const r = await ctx.request(m, 'GET', endpoint, undefined, PROBE_TIMEOUT_MS);
    return { status: r.status, json: parseJson(r.body) };
  };
  const [status, explain] = await Promise.allSettled([get('patroni'), get('explain')]);
  const body: MemberProbeResult['status'] =
    status.status === 'rejected'
      ? { ok: false, error: status.reason instanceof Error ? status.reason.message : String(status.reason) }
      : isObject(status.value.json)
        ? { ok: true, body: status.value.json }
        : { ok: false, error: `HTTP ${status.value.status}` };
  const expl = explain.status === 'fulfilled' && explain.value.status === 200 ? lastDecisionOf(explain.value.json) : null;
  return { status: body, explain: expl };
}

export async function gatherView(ctx: CtlContext, name: string): Promise<ClusterView> {
  const cluster = await ctx.getCluster(name);
  const asked = cluster.members.filter((m) => m.data.api_url);
  const results = await Promise.all(asked.map(async (m) => [m.name, await probeMember(ctx, m)] as const));
  const config = buildDynamicConfig(cluster.config?.modifyVersion ? cluster.config.data : {});
  return buildClusterView(name, cluster, config, new Map(results));
}

/** `2026-11-28 23:20:45 UTC`: the cycle's time, to the second. */
const decidedAt = (iso: string): string => (Number.isNaN(Date.parse(iso)) ? iso : `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`);

const mb = (bytes: number | null): Cell => (bytes === null ? '' : roundHalfEven(bytes / 1024 / 1024));

/** The pretty table, shaped like `patronictl list`: one row per member, reasons one per line. */
export function explainTable(view: ClusterView): string {
  const columns = ['Cluster', 'Member', 'Host', 'Role', 'State', 'TL', 'Lag in MB', 'Leads if leader lost', 'Why', 'Last decision', 'Decided at'];
  const rows: Cell[][] = view.members.map((m) => {
    return [
      view.scope,
      m.name,
      m.host ?? '',
      titleCase(m.role),
      m.state,
      m.timeline ?? '',
      mb(m.lagBytes),
      OUTLOOK_TEXT[m.outlook],
      m.why.join('\n'),
      m.lastDecision?.message ?? (m.reachable ? 'n/a (no GET /explain)' : 'unreachable'),
      m.lastDecision ? decidedAt(m.lastDecision.at) : '',
    ];
  });
  const title = ` Cluster: ${view.scope} (${view.systemId ?? 'uninitialized'}) `;
  let text = renderTable(columns, rows, { fmt: 'pretty', align: { TL: 'r', 'Lag in MB': 'r' }, title });
  const footer = [`Failover possible now: ${view.failoverPossible ? 'yes' : 'no'} (maximum_lag_on_failover ${view.maximumLagOnFailover} bytes)`];
  if (view.synchronousMode !== 'off')
    footer.push(
      `Synchronous mode: ${view.synchronousMode}, sync set: ${view.syncSet.join(', ') || '(empty)'}${view.synchronousMode === 'quorum' ? `, quorum ${view.quorum}` : ''}`,
    );
  if (view.paused) footer.push('Maintenance mode: on (no automatic failover)');
  text += ' ' + footer.join('\n ') + '\n';
  return text;
}

const titleCase = (s: string): string => s.replace(/_/g, ' ').replace(/\w+/g, (w) => w[0]?.toUpperCase() + w.slice(1).toLowerCase());

export function renderExplain(view: ClusterView, fmt: ExplainFormat): string {
  if (fmt === 'pretty') return explainTable(view);
  return fmt === 'json' ? pyJson(view) + '\n' : blockYaml(parseJson(JSON.stringify(view)) ?? null) + '\n';
}

export function registerExplain(program: Command, rt: Runtime): void {
  const cmd = defineCommand(program, 'explain', '[OPTIONS] [CLUSTER_NAME]', 'Show which members could lead if the leader were lost now, and why')
    .argument('[cluster_name]')
    .option('-f, --format <format>', 'Output format', choice("'--format' / '-f'", EXPLAIN_FORMATS), 'pretty')
    .allowExcessArguments(true);
  cmd.action(async (name: string | undefined, opts: { format?: ExplainFormat }) => {
    checkExtraArgs(cmd.args, 1);
    await rt.run(async (ctx) => ctx.out(renderExplain(await gatherView(ctx, clusterName(ctx, name)), opts.format ?? 'pretty')));
  });
}
