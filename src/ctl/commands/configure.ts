// `configure`: write a patronictl config file holding the DCS (from a --dcs-url style URL) and the
// namespace, so later commands need no -d. Prompts for each value like Patroni 1.x's command.
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defineCommand } from '../cli.js';
import { defaultConfigPath } from '../config.js';
import { parseDcsUrl } from '../dcs-url.js';
import { blockYaml } from '../py-yaml.js';
import { createPrompter } from '../prompt.js';
import type { JsonObject } from '../../util/json.js';

interface Opts {
  configFile?: string;
  dcs?: string;
  namespace?: string;
}

/** The file content for a DCS URL and namespace (the URL's own path wins, like -d). */
export function configureDocument(dcsUrl: string, namespace: string): JsonObject {
  const url = parseDcsUrl(dcsUrl);
  return { [url.section]: url.value, namespace: url.namespace ?? namespace };
}

export function registerConfigure(program: Command, env: NodeJS.ProcessEnv, out: (text: string) => void): void {
  defineCommand(program, 'configure', '[OPTIONS]', 'Create configuration file')
    .option('-c, --config-file <path>', 'Configuration file')
    .option('-d, --dcs <url>', 'The DCS connect url')
    .option('-n, --namespace <ns>', 'The namespace')
    .action(async (o: Opts) => {
      const prompts = createPrompter(process.stdin, out);
      try {
        const global = program.opts<{ configFile?: string }>();
        const defPath = global.configFile ?? (env.PATRONICTL_CONFIG_FILE || defaultConfigPath(env));
        const path = o.configFile ?? (await prompts.prompt('Configuration file', { default: defPath }));
        const dcs = o.dcs ?? (await prompts.prompt('DCS connect url', { default: 'etcd3://localhost:2379' }));
        const namespace = o.namespace ?? (await prompts.prompt('Namespace', { default: '/service/' }));
        const doc = configureDocument(dcs, namespace);
        if (dirname(path)) mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, blockYaml(doc));
      } finally {
        prompts.close();
      }
    });
}
