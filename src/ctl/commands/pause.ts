// `pause` / `resume [CLUSTER] [--wait]`: PATCH /config {"pause": ...} on the first reachable member.
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from '../../log/logger.js';
import type { Cluster } from '../../dcs/cluster.js';
import { checkExtraArgs, defineCommand, integer } from '../cli.js';
import { clusterConfig } from '../cluster-config.js';
import { clusterName, type CtlContext } from '../context.js';
import { CtlError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { membersLeaderFirst } from './flush.js';

const word = (paused: boolean) => (paused ? 'paused' : 'resumed');

async function waitUntilApplied(ctx: CtlContext, name: string, paused: boolean, before: Cluster): Promise<void> {
  ctx.out(`'${paused ? 'pause' : 'resume'}' request sent, waiting until it is recognized by all nodes\n`);
  const old = new Map(before.members.filter((m) => m.data.api_url).map((m) => [m.name, m.version]));
  const loopWait = clusterConfig(before).loop_wait;
  const deadline = Date.now() + (loopWait + 1) * 1000;
  let cluster = before;
  for (;;) {
    cluster = await ctx.getCluster(name);
    if (cluster.members.every((m) => !old.has(m.name) || (m.data.pause === true) === paused)) break;
    if (Date.now() >= deadline) {
      const remaining = cluster.members
        .filter((m) => (m.data.pause === true) !== paused && old.has(m.name) && old.get(m.name) !== m.version)
        .map((m) => m.name);
      if (remaining.length > 0) {
        ctx.out(`${remaining.join(', ')} members didn't recognized pause state after ${loopWait} seconds\n`);
        return;
      }
      break;
    }
    await sleep(1000);
  }
  ctx.out(`Success: cluster management is ${word(paused)}\n`);
}

async function togglePause(ctx: CtlContext, name: string, paused: boolean, wait: boolean): Promise<void> {
  const cluster = await ctx.getCluster(name);
  if (clusterConfig(cluster).pause === paused) throw new CtlError(`Cluster is ${paused ? 'already' : 'not'} paused`);
  for (const m of membersLeaderFirst(cluster)) {
    let r;
    try {
      r = await ctx.request(m, 'PATCH', 'config', { pause: paused || null });
    } catch (e) {
      log.warning('%s', e instanceof Error ? e.message : String(e));
      log.warning('Member %s is not accessible', m.name);
      continue;
    }
    if (r.status !== 200) ctx.out(`Failed: ${paused ? 'pause' : 'resume'} cluster management status code=${r.status}, (${r.body})\n`);
    else if (wait) await waitUntilApplied(ctx, name, paused, cluster);
    else ctx.out(`Success: cluster management is ${word(paused)}\n`);
    return;
  }
  throw new CtlError('Can not find accessible cluster member');
}

export function registerPause(program: Command, rt: Runtime): void {
  for (const [cmdName, paused, help, waitHelp] of [
    ['pause', true, 'Disable auto failover', 'Wait until pause is applied on all nodes'],
    ['resume', false, 'Resume auto failover', 'Wait until pause is cleared on all nodes'],
  ] as const) {
    const cmd = defineCommand(program, cmdName, '[OPTIONS] [CLUSTER_NAME]', help)
      .argument('[cluster_name]')
      .option('--group <group>', 'Citus group', integer("'--group'"))
      .option('--wait', waitHelp)
      .allowExcessArguments(true);
    cmd.action(async (name: string | undefined, o: { wait?: boolean }) => {
      checkExtraArgs(cmd.args, 1);
      await rt.run((ctx) => togglePause(ctx, clusterName(ctx, name), paused, o.wait === true));
    });
  }
}
