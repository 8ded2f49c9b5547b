// `show-config [CLUSTER]`: the DCS dynamic config as YAML (sorted keys) plus click.echo's newline.
import type { Command } from 'commander';
import { checkExtraArgs, defineCommand, integer } from '../cli.js';
import { clusterName } from '../context.js';
import { blockYaml } from '../py-yaml.js';
import type { Runtime } from '../runtime.js';

export function registerShowConfig(program: Command, rt: Runtime): void {
  const cmd = defineCommand(program, 'show-config', '[OPTIONS] [CLUSTER_NAME]', 'Show cluster configuration')
    .argument('[cluster_name]')
    .option('--group <group>', 'Citus group', integer("'--group'"))
    .allowExcessArguments(true);
  cmd.action(async (name: string | undefined) => {
    checkExtraArgs(cmd.args, 1);
    await rt.run(async (ctx) => {
      const cluster = await ctx.getCluster(clusterName(ctx, name));
      if (cluster.config) ctx.out(blockYaml(cluster.config.data) + '\n');
    });
  });
}
