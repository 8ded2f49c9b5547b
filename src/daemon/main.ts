// `patroni [--version] [--validate-config ...] CONFIG`: the daemon process itself. Stays in the
// foreground; SIGTERM/SIGINT shut down cleanly, SIGHUP reloads the log settings (full reload: issue 3).
import { parseDaemonArgs, runValidateConfig } from '../config/cli.js';
import { ConfigError, loadConfig } from '../config/loader.js';
import type { PatroniConfig } from '../config/types.js';
import { createDcs } from '../dcs/factory.js';
import { log } from '../log/logger.js';
import { Postgresql } from '../postgresql/postgres.js';
import { startApiServer } from '../api/server.js';
import { PATRONI_VERSION } from '../version.js';
import { apiContext } from './api-context.js';
import { HaNode } from './node.js';
import { configurePeerRequests } from '../util/patroni-request.js';
import { refuseDuplicateName } from './startup.js';

async function main(argv: string[]): Promise<number> {
  const cmd = parseDaemonArgs(argv);
  if (cmd.kind === 'version') {
    process.stdout.write(`patroni ${PATRONI_VERSION}\n`);
    return 0;
  }
  if (cmd.kind === 'validate') {
    const r = runValidateConfig(cmd, process.env);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
  }
  if (cmd.kind === 'error') {
    process.stderr.write(`${cmd.message}\n`);
    return 2;
  }

  let config: PatroniConfig;
  try {
    config = loadConfig(cmd.configFile, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  log.configure(config.log);
  configurePeerRequests(config.raw);
  return runDaemon(config, cmd.configFile);
}

async function runDaemon(config: PatroniConfig, configPath: string | undefined): Promise<number> {
  const dcs = createDcs({ scope: config.scope, namespace: config.namespace, name: config.name, dcs: config.dcs }, 'daemon');
  const pg = new Postgresql(config, () => node.dynamic);
  const node: HaNode = new HaNode({ config, configPath, dcs, pg });
  pg.onConnectionLost = () => dcs.wakeup();

  await refuseDuplicateName(dcs, config.name);
  await node.start();
  const api = await startApiServer(config.restapi, apiContext(node, config, dcs, pg));

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('Received %s, shutting down', signal);
    void node.shutdown().finally(async () => {
      await api.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => node.requestReload());

  await node.loop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== 0) process.exit(code); },
  (e: unknown) => {
    log.critical('%s', e instanceof Error ? e.stack ?? e.message : String(e));
    process.exit(1);
  },
);
