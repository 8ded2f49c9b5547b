// Roles Patroni manages after bootstrap: superuser password, replication user, PG11+ rewind user
// with the function grants pg_rewind needs.
import type pg from 'pg';
import type { PgUserAuth } from '../config/types.js';

export type RoleKind = 'superuser' | 'replication' | 'login';

const OPTIONS: Record<RoleKind, string> = { superuser: 'SUPERUSER LOGIN', replication: 'REPLICATION LOGIN', login: 'LOGIN' };

/** Create the role, or alter it when it exists (Patroni's create_or_update_role). */
export function createOrUpdateRoleSql(c: Pick<pg.Client, 'escapeIdentifier' | 'escapeLiteral'>, user: PgUserAuth, kind: RoleKind): string {
  const name = c.escapeIdentifier(user.username);
  const opts = OPTIONS[kind] + (user.password !== undefined ? ` PASSWORD ${c.escapeLiteral(user.password)}` : '');
  return `DO $$
BEGIN
    SET local synchronous_commit = 'local';
    PERFORM * FROM pg_catalog.pg_authid WHERE rolname = ${c.escapeLiteral(user.username)};
    IF FOUND THEN
        ALTER ROLE ${name} WITH ${opts};
    ELSE
        CREATE ROLE ${name} WITH ${opts};
    END IF;
END;$$`;
}

export const REWIND_FUNCTIONS = [
  'pg_catalog.pg_ls_dir(text, boolean, boolean)',
  'pg_catalog.pg_stat_file(text, boolean)',
  'pg_catalog.pg_read_binary_file(text)',
  'pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)',
];

export interface BootstrapUsers {
  superuser: PgUserAuth;
  replication: PgUserAuth;
  rewind?: PgUserAuth;
  majorVersion: number;
}

export async function setupUsers(c: pg.Client, u: BootstrapUsers): Promise<void> {
  // Keep passwords out of the server log.
  for (const sql of ['SET log_statement TO none', 'SET log_min_duration_statement TO -1', "SET log_min_error_statement TO 'log'"]) await c.query(sql);
  if (u.superuser.password !== undefined) await c.query(createOrUpdateRoleSql(c, u.superuser, 'superuser'));
  await c.query(createOrUpdateRoleSql(c, u.replication, 'replication'));
  const rewind = u.rewind;
  if (rewind && u.majorVersion >= 110000 && rewind.username !== u.superuser.username) {
    await c.query(createOrUpdateRoleSql(c, rewind, 'login'));
    for (const fn of REWIND_FUNCTIONS) await c.query(`GRANT EXECUTE ON function ${fn} TO ${c.escapeIdentifier(rewind.username)}`);
  }
}
