// Connections given up on (I/O). A timed-out query may sit in a backend waiting for a synchronous standby
// that never comes; such clients are kept count of per node so probing cannot exhaust max_connections.
import type pg from 'pg';

const stale = new Map<string, number>();

export function staleCount(node: string): number {
  return stale.get(node) ?? 0;
}

/** Lets go of a client whose query failed or timed out; counts it until its socket really closes. */
export function abandon(node: string, client: pg.Client): void {
  stale.set(node, staleCount(node) + 1);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    stale.set(node, Math.max(0, staleCount(node) - 1));
  };
  client.once('end', release);
  client.on('error', release);
  client.end().then(release, release);
}

/** A connected client, or undefined when the node does not answer (the client is then abandoned). */
export async function connect(node: string, client: pg.Client): Promise<pg.Client | undefined> {
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch {
    abandon(node, client);
    return undefined;
  }
}

export const errorCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
