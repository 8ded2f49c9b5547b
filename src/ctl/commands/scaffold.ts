// `scaffold CLUSTER [-s SYSID]`: create a cluster's structure in the DCS before any node runs
// (standby clusters, migrations): the `initialize` key, and optionally the dynamic config.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { BadValue, defineCommand } from '../cli.js';
import { yamlDocument } from '../config-edit.js';
import { CtlError } from '../errors.js';
import type { Runtime } from '../runtime.js';

export function registerScaffold(program: Command, rt: Runtime): void {
  defineCommand(program, 'scaffold', '[OPTIONS] CLUSTER_NAME', 'Create a structure for the cluster in DCS')
    .argument('<cluster_name>')
    .option('-s, --sysid <sysid>', 'System ID of the cluster to put into the initialize key', '')
    .option('--config <file>', 'YAML file with the dynamic configuration to store in the config key')
    .action(async (name: string, o: { sysid: string; config?: string }) => {
      let config: string | undefined;
      if (o.config !== undefined) {
        try {
          config = JSON.stringify(yamlDocument(readFileSync(o.config, 'utf8')));
        } catch {
          throw new BadValue(`Invalid value for '--config': '${o.config}': No such file or directory`);
        }
      }
      await rt.run(async (ctx) => {
        const dcs = await ctx.dcs(name);
        const cluster = await ctx.getCluster(name);
        if (cluster.initialize !== null) throw new CtlError('This cluster is already initialized');
        if (!(await dcs.initialize(true, o.sysid))) throw new CtlError(`Initialize key for cluster ${name} already exists`);
        if (config !== undefined && !(await dcs.setConfigValue(config))) {
          await dcs.deleteCluster();
          throw new CtlError(`Unable to write the configuration of cluster ${name}`);
        }
        ctx.out(`Cluster ${name} has been created successfully\n`);
      });
    });
}
