// The lab network (I/O, root only): namespaces, a bridge in the hub namespace, veth pairs, and link cuts
// as blackhole routes on both sides. Synchronous on purpose: teardown must also work inside 'exit'.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { allHosts, NETNS_FAMILY, PREFIX_LEN, type Host, type Topology } from './topology.js';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** true when this process may create network namespaces (root with CAP_SYS_ADMIN). */
export function canCreateNetns(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `${NETNS_FAMILY}probe-${process.pid}`;
  const ok = spawnSync('ip', ['netns', 'add', probe], { stdio: 'ignore' }).status === 0;
  if (ok) spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  return ok;
}

export function createLab(t: Topology): void {
  ip('netns', 'add', t.hubNetns);
  ip('-n', t.hubNetns, 'link', 'set', 'lo', 'up');
  ip('-n', t.hubNetns, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', t.hubNetns, 'link', 'set', 'br0', 'up');
  for (const h of allHosts(t)) {
    ip('netns', 'add', h.netns);
    ip('-n', h.netns, 'link', 'set', 'lo', 'up');
    ip('-n', t.hubNetns, 'link', 'add', h.hubIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns);
    ip('-n', t.hubNetns, 'link', 'set', h.hubIf, 'master', 'br0', 'up');
    ip('-n', h.netns, 'addr', 'add', `${h.address}/${PREFIX_LEN}`, 'dev', 'eth0');
    ip('-n', h.netns, 'link', 'set', 'eth0', 'up');
  }
}

/** Drops traffic between a and b in both directions (each side discards packets addressed to the other). */
export function cut(a: Host, b: Host): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    spawnSync('ip', ['-n', from.netns, 'route', 'replace', 'blackhole', `${to.address}/32`], { stdio: 'ignore' });
  }
}

export function heal(a: Host, b: Host): void {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    spawnSync('ip', ['-n', from.netns, 'route', 'del', 'blackhole', `${to.address}/32`], { stdio: 'ignore' });
  }
}

/** Every process living in a namespace (daemon, postmaster and its children, etcd...). */
export function netnsPids(netns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' });
  return r.status === 0
    ? r.stdout
        .split(/\s+/)
        .filter(Boolean)
        .map(Number)
        .filter((n) => n > 0)
    : [];
}

export function signalPids(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function killNetnsProcesses(netns: string): void {
  // A SIGSTOPped process takes SIGKILL too, but CONT first lets nothing stay frozen if KILL is refused.
  for (let round = 0; round < 20; round++) {
    const pids = netnsPids(netns);
    if (pids.length === 0) return;
    signalPids(pids, 'SIGCONT');
    signalPids(pids, 'SIGKILL');
    spawnSync('sleep', ['0.1']);
  }
}

export function destroyNetns(names: string[]): void {
  for (const n of names) killNetnsProcesses(n);
  for (const n of names) spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
}

/** Kills everything in the lab and removes its namespaces (idempotent). */
export function destroyLab(t: Topology): void {
  destroyNetns([...allHosts(t).map((h) => h.netns), t.hubNetns]);
}

/** Namespaces of earlier runs whose orchestrator (pid in the name) is dead: an interrupted run's debris. */
export function staleNetns(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => {
      const m = new RegExp(`^${NETNS_FAMILY}(\\d+)-`).exec(n);
      return m !== null && !existsSync(`/proc/${m[1]}`);
    });
}
