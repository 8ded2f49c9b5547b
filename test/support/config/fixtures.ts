// A minimal valid configuration and temp-file helpers for the config tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../../../src/util/json.js';

/** Valid on this machine once the ports are free: no bin_dir probe, data_dir absent. */
export function baseConfig(opts: { apiPort?: number; pgPort?: number; dataDir?: string } = {}): JsonObject {
  return {
    scope: 'demo',
    name: 'node1',
    restapi: { listen: `127.0.0.1:${opts.apiPort ?? 8008}`, connect_address: `127.0.0.1:${opts.apiPort ?? 8008}` },
    etcd3: { hosts: ['127.0.0.1:2379'] },
    postgresql: {
      listen: `127.0.0.1:${opts.pgPort ?? 5432}`,
      connect_address: `127.0.0.1:${opts.pgPort ?? 5432}`,
      data_dir: opts.dataDir ?? '/nonexistent/patroni-ts-test/data',
      authentication: {
        superuser: { username: 'postgres', password: 'secret' },
        replication: { username: 'replicator', password: 'rep-pass' },
      },
    },
  };
}

export function tempDir(): { path: string; write(name: string, text: string): string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'patroni-ts-config-'));
  return {
    path,
    write(name, text) {
      const file = join(path, name);
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Options that keep validation independent of the machine's network. */
export const OFFLINE = { ignoreListenPort: true, checkReachability: false } as const;
