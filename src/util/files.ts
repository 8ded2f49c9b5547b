// Writing files that hold secrets or that PostgreSQL reads. A file holding a password is made 0600
// before its first byte is written, also when it already existed with a wider mode (writeFileSync's
// `mode` only applies when it creates the file).
import { closeSync, fchmodSync, ftruncateSync, openSync, writeSync } from 'node:fs';

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
