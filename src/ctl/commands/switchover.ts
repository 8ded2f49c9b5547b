// `switchover` and `failover` (ctl._do_failover_or_switchover): validate leader/candidate, confirm, POST
// to the leader's API; fall back to writing the DCS failover key when no member answers.
import type { Command } from 'commander';
import { log } from '../../log/logger.js';
import { memberByName, type Cluster } from '../../dcs/cluster.js';
import { parseBool } from '../../util/json.js';
import { checkExtraArgs, defineCommand, integer } from '../cli.js';
import { clusterConfig } from '../cluster-config.js';
import { clusterName, type CtlContext } from '../context.js';
import { CtlError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { eventTimestamp, nextHourExample, parseScheduled, type Scheduled } from '../timestamps.js';
import { printMembers } from './list.js';
import { trace } from '../../util/trace.js';

type Action = 'switchover' | 'failover';

interface Request {
  action: Action;
  name: string;
  candidate?: string;
  force: boolean;
  leader?: string;
  scheduled?: string;
}

/** nofailover tag, or failover_priority <= 0 without an explicit nofailover. */
export function isNofailover(tags: Record<string, unknown> | undefined): boolean {
  const nofailover = parseBool(tags?.nofailover);
  if (nofailover !== undefined) return nofailover;
  const priority = tags?.failover_priority;
  return priority !== undefined && Number(priority) <= 0;
}

/** Sorted names a switchover/failover may target. */
export function failoverCandidates(cluster: Cluster): string[] {
  const leader = cluster.leader?.name;
  return cluster.members
    .filter((m) => m.name !== leader && !isNofailover(m.data.tags))
    .map((m) => m.name)
    .sort();
}

const pyList = (names: string[]): string => `[${names.map((n) => `'${n}'`).join(', ')}]`;

async function chooseLeader(ctx: CtlContext, cluster: Cluster, req: Request): Promise<string> {
  const current = cluster.leader?.name;
  if (!current) throw new CtlError('This cluster has no leader');
  let leader = req.leader;
  if (leader === undefined) {
    const label = clusterConfig(cluster).standby_cluster ? 'Standby Leader' : 'Primary';
    leader = req.force ? current : await ctx.prompts.prompt(label, { default: current });
  }
  if (leader !== current) throw new CtlError(`Member ${leader} is not the leader of cluster ${req.name}`);
  return leader;
}

async function chooseCandidate(ctx: CtlContext, cluster: Cluster, req: Request): Promise<string | null> {
  const names = failoverCandidates(cluster);
  if (names.length === 0) throw new CtlError(`No candidates found to ${req.action} to`);
  let candidate: string | null = req.candidate ?? null;
  if (candidate === null && !req.force) candidate = await ctx.prompts.prompt(`Candidate ${pyList(names)}`, { default: '' });
  if (req.action === 'failover' && !candidate) throw new CtlError('Failover could be performed only to a specific candidate');
  if (candidate && !names.includes(candidate)) {
    if (candidate === cluster.leader?.name) throw new CtlError(`Member ${candidate} is already the leader of cluster ${req.name}`);
    throw new CtlError(`Member ${candidate} does not exist in cluster ${req.name} or is tagged as nofailover`);
  }
  return candidate;
}

async function chooseSchedule(ctx: CtlContext, cluster: Cluster, req: Request): Promise<Scheduled | null> {
  let text = req.scheduled;
  if (text === undefined && !req.force) {
    text = await ctx.prompts.prompt(`When should the switchover take place (e.g. ${nextHourExample()} ) `, { default: 'now' });
  }
  const scheduled = parseScheduled(text);
  if (scheduled && clusterConfig(cluster).pause) throw new CtlError("Can't schedule switchover in the paused state");
  return scheduled;
}

async function confirmAction(ctx: CtlContext, req: Request, leader: string | undefined, scheduled: Scheduled | null): Promise<void> {
  if (req.force) return;
  const demote = leader ? `, demoting current leader ${leader}` : '';
  if (scheduled) {
    if (!(await ctx.prompts.confirm(`Are you sure you want to schedule switchover of cluster ${req.name} at ${scheduled.iso}${demote}?`))) {
      throw new CtlError(`Aborting scheduled ${req.action}`);
    }
  } else if (!(await ctx.prompts.confirm(`Are you sure you want to ${req.action} cluster ${req.name}${demote}?`))) {
    throw new CtlError(`Aborting ${req.action}`);
  }
}

async function failoverOrSwitchover(ctx: CtlContext, req: Request): Promise<void> {
  const dcs = await ctx.dcs(req.name);
  let cluster = await ctx.getCluster(req.name);
  trace('cluster read');
  ctx.out('Current cluster topology\n');
  printMembers(ctx, cluster, req.name);

  const leader = req.action === 'switchover' ? await chooseLeader(ctx, cluster, req) : undefined;
  const candidate = await chooseCandidate(ctx, cluster, req);
  const cfg = clusterConfig(cluster);
  const sync = cluster.sync;
  if (
    !req.force &&
    req.action === 'failover' &&
    cfg.synchronous_mode !== 'off' &&
    sync.members.length > 0 &&
    candidate !== null &&
    !sync.members.includes(candidate) &&
    sync.leader !== candidate
  ) {
    if (!(await ctx.prompts.confirm(`Are you sure you want to failover to the asynchronous node ${candidate}?`))) {
      throw new CtlError(`Aborting ${req.action}`);
    }
  }
  const scheduled = req.action === 'switchover' ? await chooseSchedule(ctx, cluster, req) : null;
  const body: Record<string, string | null> = { candidate };
  if (req.action === 'switchover') body.leader = leader ?? null;
  if (scheduled) body.scheduled_at = scheduled.iso;
  await confirmAction(ctx, req, cluster.leader?.name, scheduled);

  const target =
    cluster.leader?.member ?? (cluster.leader ? memberByName(cluster, cluster.leader.name) : candidate ? memberByName(cluster, candidate) : undefined);
  try {
    if (!target) throw new Error('no member to send the request to');
    trace(`POST /${req.action} to ${target.name}`);
    let r = await ctx.request(target, 'POST', req.action, body);
    trace(`answer ${r.status}`);
    // Probably an old Patroni without /switchover.
    if (r.status === 501 && req.action === 'switchover' && r.body.includes('Server does not support this operation')) {
      r = await ctx.request(target, 'POST', 'failover', body);
    }
    if (r.status !== 200 && r.status !== 202) {
      const word = /status unknown/i.test(r.body) ? 'result unknown' : 'failed';
      ctx.out(`${req.action[0]?.toUpperCase()}${req.action.slice(1)} ${word}, details: ${r.status}, ${r.body}\n`);
      return;
    }
    cluster = await ctx.getCluster(req.name);
    ctx.out(`${eventTimestamp()} ${r.body}\n`);
  } catch (e) {
    log.warning('%s', e instanceof Error ? e.message : String(e));
    log.warning('Failing over to DCS');
    ctx.out(`${eventTimestamp()} Could not ${req.action} using Patroni api, falling back to DCS\n`);
    const value: Record<string, string> = {};
    if (leader) value.leader = leader;
    if (candidate) value.member = candidate;
    if (scheduled) value.scheduled_at = scheduled.iso;
    await dcs.setFailoverValue(JSON.stringify(value));
  }
  printMembers(ctx, cluster, req.name);
}

interface Opts {
  group?: number;
  candidate?: string;
  force?: boolean;
  leader?: string;
  primary?: string;
  master?: string;
  scheduled?: string;
}

export function registerSwitchover(program: Command, rt: Runtime): void {
  const sw = defineCommand(program, 'switchover', '[OPTIONS] [CLUSTER_NAME]', 'Switchover to a replica')
    .argument('[cluster_name]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('--leader <name>', 'The name of the current leader')
    .option('--primary <name>', 'The name of the current leader')
    .option('--master <name>', 'The name of the current leader (Patroni 3 spelling)')
    .option('--candidate <name>', 'The name of the candidate')
    .option('--scheduled <ts>', 'Timestamp of a scheduled switchover in unambiguous format (e.g. ISO 8601)')
    .option('--force', 'Do not ask for confirmation at any point')
    .allowExcessArguments(true);
  sw.action(async (name: string | undefined, o: Opts) => {
    checkExtraArgs(sw.args, 1);
    await rt.run((ctx) =>
      failoverOrSwitchover(ctx, {
        action: 'switchover',
        name: clusterName(ctx, name),
        force: o.force === true,
        ...(o.candidate !== undefined ? { candidate: o.candidate } : {}),
        ...((o.leader ?? o.primary ?? o.master) !== undefined ? { leader: o.leader ?? o.primary ?? o.master } : {}),
        ...(o.scheduled !== undefined ? { scheduled: o.scheduled } : {}),
      }),
    );
  });
  const fo = defineCommand(program, 'failover', '[OPTIONS] [CLUSTER_NAME]', 'Failover to a replica')
    .argument('[cluster_name]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('--candidate <name>', 'The name of the candidate')
    .option('--force', 'Do not ask for confirmation at any point')
    .allowExcessArguments(true);
  fo.action(async (name: string | undefined, o: Opts) => {
    checkExtraArgs(fo.args, 1);
    await rt.run((ctx) =>
      failoverOrSwitchover(ctx, {
        action: 'failover',
        name: clusterName(ctx, name),
        force: o.force === true,
        ...(o.candidate !== undefined ? { candidate: o.candidate } : {}),
      }),
    );
  });
}
