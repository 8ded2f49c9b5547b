// Simulated crashes: SIGKILL of a postmaster together with all its children (a host losing power does
// not let backends notice postmaster death one by one).
import { readdirSync, readFileSync } from 'node:fs';
import type { ClusterNode } from '../test/support/cluster/index.js';
import { signalQuietly } from '../test/support/cluster/reaper.js';

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** pid and all its descendants, read from /proc. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** kill -9 of the node's postmaster and its children; false when no postmaster was running. */
export function crashPostgres(node: ClusterNode): boolean {
  const pid = node.postmasterPid();
  if (pid === undefined) return false;
  for (const p of processTree(pid)) signalQuietly(p, 'SIGKILL');
  return true;
}

/** kill -9 of the daemon and of its PostgreSQL at the same instant, as a host crash. */
export async function crashHost(node: ClusterNode): Promise<void> {
  node.kill('SIGKILL');
  if (!crashPostgres(node)) throw new Error(`${node.name}: no postmaster to crash`);
  await node.waitExit(10_000);
}
