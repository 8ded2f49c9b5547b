// Copies of the configuration files in the data dir (`<data_dir>/<file>.backup`), made after a
// successful start and restored after basebackup/rewind when the files went missing.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log/logger.js';

const CONFIG_FILES = ['postgresql.conf', 'postgresql.base.conf', 'pg_hba.conf', 'pg_ident.conf'];

export function saveConfigurationFiles(configDir: string, dataDir: string): void {
  try {
    for (const f of CONFIG_FILES) {
      const src = join(configDir, f);
      if (existsSync(src)) copyFileSync(src, join(dataDir, `${f}.backup`));
    }
  } catch (e) {
    log.error('unable to create backup copies of configuration files: %s', e instanceof Error ? e.message : String(e));
  }
}

export function restoreConfigurationFiles(configDir: string, dataDir: string): void {
  try {
    mkdirSync(configDir, { recursive: true });
    for (const f of CONFIG_FILES) {
      const target = join(configDir, f);
      const backup = join(dataDir, `${f}.backup`);
      if (existsSync(target)) continue;
      if (existsSync(backup)) copyFileSync(backup, target);
      // Older versions did not back up pg_ident.conf: an empty one will do.
      else if (f === 'pg_ident.conf') writeFileSync(target, '');
    }
  } catch (e) {
    log.error('unable to restore configuration files from backup: %s', e instanceof Error ? e.message : String(e));
  }
}
