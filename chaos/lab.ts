// The cluster under test (I/O): etcd and N patroni-ts nodes in their namespaces, plus the views of it
// the scenarios need (who leads, is everyone streaming again).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../src/util/json.js';
import { nodeConfig, type ClusterLayout } from '../test/support/cluster/config.js';
import { leaderOf, streamingReplicas, type NodeStatus } from '../test/support/cluster/status.js';
import { sleep } from '../test/support/tmp.js';
import { WatchdogHarness } from '../test/support/watchdog.js';
import { LabEtcd } from './etcd.js';
import { DAEMON, LabNode, type PostgresIds } from './node.js';
import { PG_PORT, PREFIX_LEN, REST_PORT, SUBNET, type Host, type Topology } from './topology.js';

export interface Timing {
  ttl: number;
  loopWait: number;
  retryTimeout: number;
}

export interface LabOptions {
  topology: Topology;
  workDir: string;
  timing: Timing;
  maximumLagOnFailover: number;
  /** host:port the nodes reach etcd through (a proxy), instead of etcd itself; no member discovery then. */
  etcdProxy?: string;
  /** watchdog.safety_margin (default 5); -1: timeout ttl/2, for small ttls. */
  watchdogSafetyMargin?: number;
}

export function postgresIds(): PostgresIds {
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Every node's watchdog is Patroni's testing driver on a pipe the orchestrator reads (lab.watchdog). */
export const watchdogPath = (dir: string): string => join(dir, 'watchdog');

function labNodeConfig(o: LabOptions, host: Host, dir: string): JsonObject {
  const cluster: ClusterLayout = {
    scope: 'chaos',
    etcdHostPort: `${o.topology.etcd.address}:2379`,
    timing: o.timing,
    dcs: { maximum_lag_on_failover: o.maximumLagOnFailover },
  };
  const net = `${SUBNET}.0/${PREFIX_LEN}`;
  return nodeConfig(
    cluster,
    { name: host.name, dir, restPort: REST_PORT, pgPort: PG_PORT },
    {
      restapi: { listen: `${host.address}:${REST_PORT}`, connect_address: `${host.address}:${REST_PORT}` },
      watchdog: { mode: 'automatic', driver: 'testing', device: watchdogPath(dir), safety_margin: o.watchdogSafetyMargin ?? 5 },
      ...(o.etcdProxy ? { etcd3: { hosts: [o.etcdProxy], use_proxies: true } } : {}),
      postgresql: {
        listen: `${host.address}:${PG_PORT}`,
        connect_address: `${host.address}:${PG_PORT}`,
        pg_hba: ['local all all trust', 'local replication all trust', `host replication replicator ${net} md5`, `host all all ${net} md5`],
      },
    },
  );
}

export class Lab {
  readonly etcd: LabEtcd;
  readonly nodes: LabNode[];
  /** The reading end of each node's watchdog pipe, by node name. */
  readonly watchdogs = new Map<string, WatchdogHarness>();

  constructor(readonly options: LabOptions) {
    const ids = postgresIds();
    // A private copy: postgres may not be able to read the checkout, and a rebuild mid-run changes nothing.
    if (!existsSync(DAEMON)) throw new Error(`${DAEMON} is missing: run \`node scripts/bundle.mjs\` first`);
    const daemon = join(options.workDir, 'patroni.mjs');
    copyFileSync(DAEMON, daemon);
    this.etcd = new LabEtcd(options.topology.etcd, join(options.workDir, 'etcd'));
    this.nodes = options.topology.nodes.map((h) => {
      const dir = join(options.workDir, h.name);
      const node = new LabNode(h, dir, labNodeConfig(options, h, dir), ids, daemon);
      this.watchdogs.set(h.name, new WatchdogHarness(watchdogPath(dir), ids));
      return node;
    });
  }

  get timing(): Timing {
    return this.options.timing;
  }

  async start(): Promise<void> {
    await this.etcd.start();
    const [first, ...rest] = this.nodes;
    await first?.start();
    await this.waitFor('a leader', () => this.leader(), 120_000);
    for (const n of rest) await n.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    await this.etcd.stop();
    for (const n of this.nodes) n.close();
    for (const w of this.watchdogs.values()) w.close();
    this.etcd.close();
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  async statuses(): Promise<NodeStatus<LabNode>[]> {
    return Promise.all(this.nodes.map(async (node) => ({ node, status: await node.status() })));
  }

  async leader(): Promise<LabNode | undefined> {
    return leaderOf(await this.statuses());
  }

  /** One running primary and every other node streaming from it on its timeline. */
  async healthyLeader(): Promise<LabNode | undefined> {
    const all = await this.statuses();
    const leader = leaderOf(all);
    if (!leader) return undefined;
    const timeline = all.find((s) => s.node === leader)?.status?.timeline;
    const streaming = streamingReplicas(all).filter((n) => all.find((s) => s.node === n)?.status?.timeline === timeline);
    return streaming.length === this.nodes.length - 1 ? leader : undefined;
  }

  async waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const v = await fn().catch(() => undefined);
      if (v !== undefined) return v;
      await sleep(250);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await this.report()}`);
  }

  async report(lines = 25): Promise<string> {
    const parts: string[] = [];
    for (const { node, status } of await this.statuses()) {
      parts.push(`=== ${node.name} (pid ${node.pid ?? 'not running'}) ${JSON.stringify(status ?? null)}`);
      parts.push(node.logTail(lines));
    }
    return parts.join('\n');
  }
}
