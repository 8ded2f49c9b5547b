// A test cluster: N Patroni nodes (Debian's or ours) on loopback ports against a test etcd.
//
// Usage pattern (processes are stopped even when the test fails; SIGINT/SIGTERM/exit are covered by the reaper):
//   let etcd: EtcdServer | undefined; let cluster: TestCluster | undefined;
//   before(async () => { etcd = await startEtcd(); cluster = await startCluster({ impl: 'ts', nodes: 3, etcd }); });
//   after(async () => { await cluster?.remove(); await etcd?.stop(); });
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../../src/util/json.js';
import type { EtcdServer } from '../etcd.js';
import { freePorts } from '../ports.js';
import { makeTempDir, sleep } from '../tmp.js';
import { nodeConfig, type ClusterLayout } from './config.js';
import { ClusterNode, type Impl } from './node.js';
import { leaderOf, streamingReplicas, type NodeStatus } from './status.js';
import { trackChild } from './reaper.js';
import { isRoot } from '../skip.js';

export interface StartClusterOptions {
  impl: Impl;
  /** Per-node implementation (1-based), for mixed clusters; defaults to impl. */
  implFor?: (i: number) => Impl;
  nodes: number;
  etcd: EtcdServer;
  scope?: string;
  ttl?: number;
  loopWait?: number;
  retryTimeout?: number;
  /** Extra bootstrap.dcs keys. */
  dcs?: JsonObject;
  /** Deep-merged into node i's YAML (i is 1-based, matching the node name). */
  nodeOverrides?: (i: number) => JsonObject;
  /** false: write configs only; start nodes yourself with node.start(). Default true. */
  startNodes?: boolean;
  /** Start nodes one after another, waiting for a leader after the first (deterministic leader node1). */
  staggered?: boolean;
}

export class TestCluster {
  constructor(
    readonly dir: string,
    readonly scope: string,
    readonly etcd: EtcdServer,
    readonly nodes: ClusterNode[],
    private readonly removeDir: () => void,
  ) {}

  node(name: string): ClusterNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name} in cluster ${this.scope}`);
    return n;
  }

  async statuses(): Promise<NodeStatus<ClusterNode>[]> {
    return Promise.all(this.nodes.map(async (node) => ({ node, status: node.running ? await node.status() : undefined })));
  }

  /** The node whose REST API says it is the running primary, if exactly one does. */
  async leader(): Promise<ClusterNode | undefined> {
    return leaderOf(await this.statuses());
  }

  async waitForLeader(timeoutMs = 90_000): Promise<ClusterNode> {
    return this.waitUntil('a leader', () => this.leader(), timeoutMs);
  }

  /** Waits until a node other than `old` is the running primary; returns it. */
  async waitForNewLeader(old: ClusterNode, timeoutMs = 90_000): Promise<ClusterNode> {
    return this.waitUntil(
      `a leader other than ${old.name}`,
      async () => {
        const l = await this.leader();
        return l && l !== old ? l : undefined;
      },
      timeoutMs,
    );
  }

  /** Waits until `count` replicas stream from the leader; returns them. */
  async waitForReplicasStreaming(count: number, timeoutMs = 120_000): Promise<ClusterNode[]> {
    return this.waitUntil(
      `${count} streaming replica(s)`,
      async () => {
        const found = streamingReplicas(await this.statuses());
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
    );
  }

  /** Polls fn; on timeout throws with every node's status and log tail. */
  async waitUntil<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (e) {
        lastError = e;
      }
      await sleep(500);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${String(lastError)})` : ''}\n${await this.report()}`);
  }

  /** Status and recent log lines of every node, for failure messages. */
  async report(lines = 40): Promise<string> {
    const parts: string[] = [];
    for (const { node, status } of await this.statuses()) {
      parts.push(`=== ${node.name} (pid ${node.pid ?? 'not running'}) status: ${JSON.stringify(status ?? null)}`);
      parts.push(node.logTail(lines));
    }
    return parts.join('\n');
  }

  /** Stops every daemon (in parallel) and makes sure no postmaster of the cluster is left. */
  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }

  /** stopAll, then delete the cluster directory (kept when KEEP_TEST_DIRS is set). */
  async remove(): Promise<void> {
    await this.stopAll();
    await Promise.all(this.nodes.map((n) => n.close()));
    this.removeDir();
    assertNoBugLines(this.nodes);
  }
}

/**
 * Fails the test (from its after() hook) when one of our daemons logged "please report it as a BUG":
 * errors of normal operation must be handled where they happen (issue 10). Debian's Patroni is a
 * peer we do not fix, so only our daemons are held to it.
 */
export function assertNoBugLines(nodes: readonly ClusterNode[]): void {
  const found = nodes.filter((n) => n.impl === 'ts').flatMap((n) => n.bugLines.map((l) => `${n.name}: ${l}`));
  if (found.length) throw new Error(`a daemon logged a defect:\n${found.slice(0, 10).join('\n')}`);
}

export async function startCluster(opts: StartClusterOptions): Promise<TestCluster> {
  if (isRoot) throw new Error('PostgreSQL refuses to run as root: run cluster tests as the postgres user (npm test does)');
  const scope = opts.scope ?? 'test-cluster';
  const tmp = makeTempDir('cluster');
  // etcd usually dies in the test's after(); if the test process dies first, the reaper takes it too.
  trackChild(opts.etcd.process);
  const layout: ClusterLayout = {
    scope,
    etcdHostPort: opts.etcd.hostPort,
    timing: { ttl: opts.ttl ?? 20, loopWait: opts.loopWait ?? 2, retryTimeout: opts.retryTimeout ?? 5 },
    dcs: opts.dcs ?? {},
  };
  const ports = await freePorts(opts.nodes * 2);
  const nodes: ClusterNode[] = [];
  for (let i = 1; i <= opts.nodes; i++) {
    const dir = join(tmp.path, `node${i}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const nodeLayout = { name: `node${i}`, dir, restPort: ports[2 * i - 2] ?? 0, pgPort: ports[2 * i - 1] ?? 0 };
    nodes.push(new ClusterNode(opts.implFor?.(i) ?? opts.impl, nodeLayout, nodeConfig(layout, nodeLayout, opts.nodeOverrides?.(i) ?? {})));
  }
  const cluster = new TestCluster(tmp.path, scope, opts.etcd, nodes, tmp.remove);
  if (opts.startNodes === false) return cluster;
  try {
    if (opts.staggered) {
      const [first, ...rest] = nodes;
      await first?.start();
      await cluster.waitForLeader();
      for (const n of rest) await n.start();
    } else {
      for (const n of nodes) await n.start();
    }
  } catch (e) {
    await cluster.remove();
    throw e;
  }
  return cluster;
}
