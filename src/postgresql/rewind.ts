// pg_rewind against the new primary (ha-loop.md §7.2): the command line with rewind credentials.
// When to rewind is the HA core's decision; this only runs the tool.
import type { Json } from '../util/json.js';
import { log } from '../log/logger.js';
import { buildPrimaryConninfo, formatDsn, type ConninfoInput, type PgpassRecord } from './conninfo.js';
import { userOptions } from './options.js';

export const REWIND_FORBIDDEN = ['target-pgdata', 'source-pgdata', 'source-server', 'write-recovery-conf', 'dry-run',
  'restore-target-wal', 'config-file', 'no-ensure-shutdown', 'version', 'help'];

/** The source connection (`auth`: authentication.rewind on PG11+, else the superuser) plus the target. */
export interface RewindInput extends ConninfoInput {
  dataDir: string;
  options: Json | undefined;
}

export function rewindCommand(r: RewindInput): { args: string[]; pgpass: PgpassRecord | null } {
  const { params, pgpass } = buildPrimaryConninfo(r);
  if (r.majorVersion >= 100000) params.target_session_attrs = 'read-write';
  const extra = userOptions('rewind', r.options, REWIND_FORBIDDEN, (msg) => log.error(msg));
  return { args: ['-D', r.dataDir, '--source-server', formatDsn(params), ...extra], pgpass };
}
