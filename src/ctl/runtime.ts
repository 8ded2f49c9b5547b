// Glue between commander actions and a CtlContext: the context is built lazily from the global
// options (so `--help` and usage errors never touch the config or the DCS) and closed after the command.
import type { Command } from 'commander';
import { configureDnsServers, waitForEtcdEndpoints } from '../dcs/srv-discovery.js';
import { ctlDcsConfig, loadCtlConfig, defaultConfigPath } from './config.js';
import { CtlError } from './errors.js';
import { isObject } from '../util/json.js';
import { createCtlContext, type CtlContext } from './context.js';
import { createPrompter } from './prompt.js';
import { trace } from '../util/trace.js';

export interface GlobalOptions {
  configFile?: string;
  dcsUrl?: string;
  /** `--dcs`, the old spelling of --dcs-url. */
  dcs?: string;
  insecure?: boolean;
}

export type Action = (ctx: CtlContext) => Promise<void>;

export interface Runtime {
  /** Run a command body with a context; the context is closed afterwards. */
  run(action: Action): Promise<void>;
}

export function createRuntime(program: Command, env: NodeJS.ProcessEnv, out: (text: string) => void): Runtime {
  return {
    async run(action) {
      const opts = program.opts<GlobalOptions>();
      const fallback = env.PATRONICTL_CONFIG_FILE || defaultConfigPath(env);
      const path = opts.configFile ?? fallback;
      const isDefault = path === defaultConfigPath(env);
      const config = loadCtlConfig(path, isDefault, opts.dcsUrl ?? opts.dcs ?? env.DCS_URL, env);
      trace('config loaded');
      // DNS SRV discovery of etcd happens before any DCS client, as in Patroni's Etcd.get_etcd_client.
      const dnsProblem = configureDnsServers(env);
      if (dnsProblem) throw new CtlError(dnsProblem);
      const named = isObject(config.etcd3) || isObject(config.etcd) ? ctlDcsConfig(config) : null;
      const dcs = named && (named.kind === 'etcd' || named.kind === 'etcd3') && named.srv ? await waitForEtcdEndpoints(named) : undefined;
      const ctx = createCtlContext(config, opts.insecure === true, out, createPrompter(process.stdin, out), dcs);
      try {
        await action(ctx);
      } finally {
        await ctx.close();
        trace('done');
      }
    },
  };
}
