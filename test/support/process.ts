// Stopping and probing the servers tests start (etcd, HAProxy, ZooKeeper): a stop resolves only once
// the process is gone, so removing its directory next never races a process still writing to it.
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

const gone = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, up to `graceMs` to exit, then SIGKILL; resolves once the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (gone(child)) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    exited,
    new Promise<void>((r) => {
      timer = setTimeout(r, graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (gone(child)) return;
  child.kill('SIGKILL');
  await exited;
}

/** Does something accept TCP connections on this loopback port? Refused or reset: false. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
