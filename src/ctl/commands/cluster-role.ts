// `demote-cluster` / `promote-cluster` (ctl.demote_cluster, ctl.promote_cluster): turn a cluster into a
// standby cluster (PATCH standby_cluster) or back, then follow the leader key until the change is
// complete.
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../../dcs/cluster.js';
import type { JsonObject } from '../../util/json.js';
import { checkExtraArgs, defineCommand, integer } from '../cli.js';
import { clusterName, type CtlContext } from '../context.js';
import { CtlError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { timestampSeconds } from '../watch.js';
import { printMembers } from './list.js';

type Change = { kind: 'demote'; standby: JsonObject } | { kind: 'promote' };

const noun = (c: Change) => (c.kind === 'demote' ? 'demotion' : 'promotion');
const done = (c: Change) => (c.kind === 'demote' ? 'demoted' : 'promoted');
const pyBool = (b: boolean) => (b ? 'True' : 'False');

function leaderOf(cluster: Cluster) {
  const name = cluster.leader?.name;
  return name ? (cluster.members.find((m) => m.name === name) ?? cluster.leader?.member) : undefined;
}

async function followChange(ctx: CtlContext, name: string, change: Change, oldLeader: string): Promise<void> {
  const target = change.kind === 'demote' ? 'standby_leader' : 'primary';
  for (;;) {
    const cluster = await ctx.getCluster(name);
    const leader = leaderOf(cluster);
    const unlocked = !cluster.leader?.name;
    const role = leader?.data.role ?? 'None';
    const state = leader?.data.state ?? 'None';
    let line = `${timestampSeconds()} cluster is unlocked: ${pyBool(unlocked)}, leader role: ${role}, leader state: ${state}`;
    const previous = cluster.members.find((m) => m.name === oldLeader);
    const leaderChanged = change.kind === 'demote' && leader?.name !== oldLeader;
    if (leaderChanged) line += `, previous leader state: '${previous?.data.state ?? 'None'}'`;
    ctx.out(line + '\n');
    const oldOk = change.kind === 'promote' || !leaderChanged || previous?.data.state === 'running';
    if (!unlocked && role === target && state === 'running' && oldOk) {
      ctx.out(`${timestampSeconds()} cluster is successfully ${done(change)}\n`);
      printMembers(ctx, cluster, name);
      return;
    }
    await sleep(1000);
  }
}

async function changeClusterRole(ctx: CtlContext, name: string, change: Change, force: boolean): Promise<void> {
  const cluster = await ctx.getCluster(name);
  const leader = leaderOf(cluster);
  if (!cluster.leader?.name || !leader) throw new CtlError(`Cluster has no leader, ${noun(change)} is not possible`);
  const role = leader.data.role;
  if (change.kind === 'demote' ? role === 'standby_leader' : role === 'primary') throw new CtlError('Cluster is already in the required state');
  ctx.out('Current cluster topology\n');
  printMembers(ctx, cluster, name);
  if (!force && !(await ctx.prompts.confirm(`Are you sure you want to ${change.kind} ${name} cluster?`))) {
    throw new CtlError(`Aborted cluster ${noun(change)}`);
  }
  const failed = (detail: string) => new CtlError(`Failed to ${change.kind} ${name} cluster: ${detail}`);
  try {
    const r = await ctx.request(leader, 'PATCH', 'config', { standby_cluster: change.kind === 'demote' ? change.standby : null });
    if (r.status !== 200) throw failed(`/config PATCH status code=${r.status}, (${r.body})`);
  } catch (e) {
    throw failed(e instanceof Error ? e.message : String(e));
  }
  await followChange(ctx, name, change, leader.name);
}

interface DemoteOpts {
  host?: string;
  port?: number;
  restoreCommand?: string;
  primarySlotName?: string;
  force?: boolean;
}

export function registerClusterRole(program: Command, rt: Runtime): void {
  const demote = defineCommand(program, 'demote-cluster', '[OPTIONS] [CLUSTER_NAME]', 'Demote cluster to a standby cluster')
    .argument('[cluster_name]')
    .option('--host <host>', 'Address of the remote node')
    .option('--port <port>', 'Port of the remote node', integer("'--port'"))
    .option('--restore-command <cmd>', 'Command to restore WAL records from the remote primary')
    .option('--primary-slot-name <name>', 'Name of the slot on the remote node to use for replication')
    .option('--force', 'Do not ask for confirmation at any point')
    .allowExcessArguments(true);
  demote.action(async (name: string | undefined, o: DemoteOpts) => {
    checkExtraArgs(demote.args, 1);
    if (!o.host && o.port === undefined && !o.restoreCommand) throw new CtlError('At least --host, --port or --restore-command should be specified');
    const standby: JsonObject = {};
    if (o.host) standby.host = o.host;
    if (o.port !== undefined) standby.port = o.port;
    if (o.primarySlotName) standby.primary_slot_name = o.primarySlotName;
    if (o.restoreCommand) standby.restore_command = o.restoreCommand;
    await rt.run((ctx) => changeClusterRole(ctx, clusterName(ctx, name), { kind: 'demote', standby }, o.force === true));
  });
  const promote = defineCommand(program, 'promote-cluster', '[OPTIONS] [CLUSTER_NAME]', 'Promote cluster, make it run standalone')
    .argument('[cluster_name]')
    .option('--force', 'Do not ask for confirmation at any point')
    .allowExcessArguments(true);
  promote.action(async (name: string | undefined, o: { force?: boolean }) => {
    checkExtraArgs(promote.args, 1);
    await rt.run((ctx) => changeClusterRole(ctx, clusterName(ctx, name), { kind: 'promote' }, o.force === true));
  });
}
