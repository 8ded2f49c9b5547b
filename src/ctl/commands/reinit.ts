// `reinit CLUSTER [MEMBER...]`: POST /reinitialize on replicas, optionally waiting for completion.
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Member } from '../../dcs/cluster.js';
import { isObject, parseJson } from '../../util/json.js';
import { defineCommand, integer } from '../cli.js';
import type { CtlContext } from '../context.js';
import type { Runtime } from '../runtime.js';
import { checkResponse, selectMembers } from '../select-members.js';

async function reinitMember(ctx: CtlContext, m: Member, force: boolean, fromLeader: boolean): Promise<boolean> {
  const body = { force, from_leader: fromLeader };
  for (;;) {
    const r = await ctx.request(m, 'POST', 'reinitialize', body);
    const started = checkResponse(ctx, r.status, r.body, m.name, 'reinitialize');
    if (
      !started &&
      r.body.endsWith(' already in progress') &&
      !body.force &&
      (await ctx.prompts.confirm('Do you want to cancel it and reinitialize anyway?'))
    ) {
      body.force = true;
      continue;
    }
    return started;
  }
}

async function waitForReinit(ctx: CtlContext, members: Member[]): Promise<void> {
  let waiting = [...members];
  let shown = '';
  while (waiting.length > 0) {
    const names = waiting.map((m) => m.name).join(', ');
    if (names !== shown) {
      ctx.out(`Waiting for reinitialize to complete on: ${names}\n`);
      shown = names;
    }
    await sleep(2000);
    const still: Member[] = [];
    for (const m of waiting) {
      const data = parseJson((await ctx.request(m, 'GET', 'patroni')).body);
      if (isObject(data) && data.state === 'creating replica') still.push(m);
      else ctx.out(`Reinitialize is completed on: ${m.name}\n`);
    }
    waiting = still;
  }
}

export function registerReinit(program: Command, rt: Runtime): void {
  defineCommand(program, 'reinit', '[OPTIONS] CLUSTER_NAME [MEMBER_NAMES]...', 'Reinitialize cluster member')
    .argument('<cluster_name>')
    .argument('[member_names...]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('--force', 'Do not ask for confirmation at any point')
    .option('--from-leader', 'Get basebackup from leader')
    .option('--wait', 'Wait until reinitialization completes')
    .action(async (name: string, memberNames: string[], o: { force?: boolean; fromLeader?: boolean; wait?: boolean }) =>
      rt.run(async (ctx) => {
        const force = o.force === true;
        const cluster = await ctx.getCluster(name);
        const members = await selectMembers(ctx, { cluster, clusterName: name, memberNames, role: 'replica', force, action: 'reinitialize' });
        const started: Member[] = [];
        for (const m of members) {
          if ((await reinitMember(ctx, m, force, o.fromLeader === true)) && o.wait) started.push(m);
        }
        await waitForReinit(ctx, started);
      }),
    );
}
