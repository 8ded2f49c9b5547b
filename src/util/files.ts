// Writing files that hold secrets or that PostgreSQL reads. A file holding a password is made 0600
// before its first byte is written, also when it already existed with a wider mode (writeFileSync's
// `mode` only applies when it creates the file).
import { closeSync, fchmodSync, ftruncateSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

/** Create or replace `path` with `text`, mode 0600 from before the first byte. */
export function writePrivateFile(path: string, text: string): void {
  const fd = openSync(path, 'a', 0o600); // 'a': no truncation before the mode is narrowed
  try {
    fchmodSync(fd, 0o600);
    ftruncateSync(fd, 0);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Mode for files PostgreSQL reads, as Patroni's set_file_permissions: 0640 when the data directory
 * allows group access (0750, initdb --allow-group-access), else 0600.
 */
export function pgFileMode(dataDir: string): number {
  try {
    return (statSync(dataDir).mode & 0o070) === 0o050 ? 0o640 : 0o600;
  } catch {
    return 0o600;
  }
}

/**
 * Replace `path` with `text` through a temp file and a rename, so a full or read-only disk leaves
 * the old file whole instead of a truncated one (the error is rethrown for the caller to report and
 * retry). The temp file is created exclusively with `mode`.
 */
export function writeFileAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      fchmodSync(fd, mode); // the umask may have narrowed or (never) widened it
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
