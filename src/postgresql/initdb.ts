// initdb for a new cluster (Patroni's Bootstrap._initdb): bootstrap.initdb options, superuser name and a
// temporary 0600 password file, then the legacy bootstrap.pg_hba lines.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootstrapConfig, PgUserAuth } from '../config/types.js';
import { INITDB_FORBIDDEN, userOptions } from './options.js';
import { runTool } from './tools.js';

export interface InitdbJob {
  binary: string;
  dataDir: string;
  configDir: string;
  superuser: PgUserAuth;
  bootstrap: BootstrapConfig;
  /** postgresql.pg_hba is configured: bootstrap.pg_hba is then ignored. */
  hasPgHba: boolean;
}

/** Throws with the tool's output on failure or for a forbidden option. */
export async function runInitdb(job: InitdbJob): Promise<void> {
  const options = userOptions('initdb', job.bootstrap.initdb, INITDB_FORBIDDEN, (msg) => {
    throw new Error(msg);
  });
  options.push(`--username=${job.superuser.username}`);
  const tmp = job.superuser.password !== undefined ? mkdtempSync(join(tmpdir(), 'patroni-pw-')) : null;
  try {
    if (tmp) {
      writeFileSync(join(tmp, 'pwfile'), job.superuser.password ?? '', { mode: 0o600 });
      options.push(`--pwfile=${join(tmp, 'pwfile')}`);
    }
    const res = await runTool(job.binary, ['-D', job.dataDir, ...options]);
    if (res.code !== 0) throw new Error(`initdb failed (exit code ${res.code}): ${res.stderr.trim() || res.stdout.trim()}`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  if (!job.hasPgHba && job.bootstrap.pg_hba.length > 0) {
    appendFileSync(join(job.configDir, 'pg_hba.conf'), `\n${job.bootstrap.pg_hba.join('\n')}\n`);
  }
}
