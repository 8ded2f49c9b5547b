// `remove CLUSTER`: after three typed confirmations, delete the cluster's whole DCS prefix.
import type { Command } from 'commander';
import { choice, defineCommand, integer } from '../cli.js';
import { CtlError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { TableFormat } from '../table.js';
import { FORMATS, printMembers } from './list.js';

const AWARE = 'Yes I am aware';

export function registerRemove(program: Command, rt: Runtime): void {
  defineCommand(program, 'remove', '[OPTIONS] CLUSTER_NAME', 'Remove cluster from DCS')
    .argument('<cluster_name>')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .option('-f, --format <format>', 'Output format', choice("'--format' / '-f'", FORMATS), 'pretty')
    .action(async (name: string, o: { format: TableFormat }) =>
      rt.run(async (ctx) => {
        const dcs = await ctx.dcs(name);
        const cluster = await ctx.getCluster(name);
        printMembers(ctx, cluster, name, o.format);
        if ((await ctx.prompts.prompt('Please confirm the cluster name to remove')) !== name) throw new CtlError('Cluster names specified do not match');
        if ((await ctx.prompts.prompt(`You are about to remove all information in DCS for ${name}, please type: "${AWARE}"`)) !== AWARE) {
          throw new CtlError(`You did not exactly type "${AWARE}"`);
        }
        if (cluster.leader?.name) {
          const answer = await ctx.prompts.prompt('This cluster currently is healthy. Please specify the leader name to continue');
          if (answer !== cluster.leader.name) throw new CtlError('You did not specify the current leader of the cluster');
        }
        await dcs.deleteCluster();
      }),
    );
}
