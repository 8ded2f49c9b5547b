// `patroni [--version] [--validate-config ...] CONFIG`: the daemon process itself. Stays in the
// foreground; SIGTERM/SIGINT shut down cleanly, SIGHUP reloads the log settings (full reload: issue 3).
import { parseDaemonArgs, runValidateConfig } from '../config/cli.js';
import { ConfigError, loadConfig } from '../config/loader.js';
import type { PatroniConfig } from '../config/types.js';
import { createDcs } from '../dcs/factory.js';
import { log } from '../log/logger.js';
import { Postgresql } from '../postgresql/postgres.js';
import { startApiServer, type ApiServerHandle } from '../api/server.js';
import { PATRONI_VERSION } from '../version.js';
import { apiContext } from './api-context.js';
import { HaNode } from './node.js';
import { configurePeerRequests } from '../util/patroni-request.js';
import { refuseDuplicateName } from './startup.js';
import { describeError, installErrorPolicy } from './error-policy.js';
import { takeDaemonEnv } from '../util/child-env.js';
import { checkServerVersion } from '../postgresql/versions.js';
import { configureDnsServers, srvReseed, waitForEtcdEndpoints } from '../dcs/srv-discovery.js';

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

  // PATRONI_* (passwords, PATRONI_CONFIGURATION) leave the live environment now: /proc/<pid>/environ
  // and every child see them no more; reloads read the snapshot.
  const env = takeDaemonEnv();
  const dnsProblem = configureDnsServers(env);
  if (dnsProblem) {
    process.stderr.write(`${dnsProblem}\n`);
    return 1;
  }
  let config: PatroniConfig;
  try {
    config = loadConfig(cmd.configFile, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  log.configure(config.log);
  configurePeerRequests(config.raw);
  installErrorPolicy();
  return runDaemon(config, cmd.configFile, env);
}

async function runDaemon(config: PatroniConfig, configPath: string | undefined, env: Readonly<NodeJS.ProcessEnv>): Promise<number> {
  // DNS SRV discovery happens before the client exists, as in Patroni's Etcd.get_etcd_client.
  const etcd = config.dcs.kind === 'etcd' || config.dcs.kind === 'etcd3' ? config.dcs : undefined;
  const dcsConfig = etcd ? await waitForEtcdEndpoints(etcd) : config.dcs;
  const reseed = etcd?.srv && dcsConfig.kind === etcd.kind ? srvReseed(etcd, dcsConfig.protocol) : undefined;
  const dcs = await createDcs({ scope: config.scope, namespace: config.namespace, name: config.name, dcs: dcsConfig, reseed }, 'daemon');
  let api: ApiServerHandle | undefined;
  const pg = new Postgresql(config, () => node.dynamic);
  const node: HaNode = new HaNode({ config, configPath, env, dcs, pg, onReload: async (c) => api?.reconfigure(c.restapi) });
  pg.onConnectionLost = () => dcs.wakeup();

  // A server this project does not handle is refused by name at start, not met later as an endless
  // "Error communicating with PostgreSQL" from a monitoring query it cannot run.
  const version = checkServerVersion(await pg.majorVersion());
  if (version.kind === 'unsupported') {
    log.critical('%s', version.message);
    return 1;
  }
  await refuseDuplicateName(dcs, config.name);
  await node.start();
  api = await startApiServer(config.restapi, apiContext(node, config, dcs, pg));

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('Received %s, shutting down', signal);
    node
      .shutdown()
      .catch((e: unknown) => log.error('Shutdown failed: %s', describeError(e)))
      .finally(async () => {
        await api?.close().catch(() => undefined);
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => node.requestReload());

  try {
    await node.loop();
  } catch (e) {
    // The HA loop itself broke (its cycles catch their own errors, so this is a bug): never leave
    // PostgreSQL running unmanaged. shutdown() stops it and hands the leader key over.
    log.critical('The HA loop stopped: %s', describeError(e));
    await node.shutdown().catch((err: unknown) => log.error('Shutdown failed: %s', describeError(err)));
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (e: unknown) => {
    log.critical('%s', e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
