// The recovery settings a replica runs with (Patroni's ConfigHandler.build_recovery_params): pure, so
// the exact set Patroni writes is testable without a server.
import { formatDsn, type ConnParams } from './conninfo.js';

export interface RecoveryInput {
  majorVersion: number;
  /** postgresql.recovery_conf plus recovery GUCs found under parameters. */
  extras: Record<string, string>;
  /** null when there is nobody to stream from (archive-only standby). */
  primaryConninfo: ConnParams | null;
  /** primary_slot_name when slots are in use, else null. */
  slotName: string | null;
  /** standby_cluster restore_command/archive_cleanup_command/recovery_min_apply_delay. */
  standbyCluster?: Record<string, string>;
}

export function buildRecoveryParams(r: RecoveryInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.extras)) {
    const name = k.toLowerCase();
    if (!name.startsWith('recovery_target') && name !== 'primary_conninfo' && name !== 'primary_slot_name') out[name] = v;
  }
  // Promote-trigger naming changed at PG12.
  const wrongTrigger = r.majorVersion >= 120000 ? 'trigger_file' : 'promote_trigger_file';
  const goodTrigger = r.majorVersion >= 120000 ? 'promote_trigger_file' : 'trigger_file';
  const trigger = out[wrongTrigger];
  delete out[wrongTrigger];
  if (trigger && out[goodTrigger] === undefined) out[goodTrigger] = trigger;

  out.standby_mode = 'on';
  out.recovery_target_timeline = 'latest';
  if (r.majorVersion >= 120000) {
    // Guard against targets set in included files pausing, promoting or stopping the standby.
    for (const k of ['recovery_target', 'recovery_target_name', 'recovery_target_time', 'recovery_target_xid', 'recovery_target_lsn']) out[k] = '';
  }
  if (r.primaryConninfo) {
    out.primary_conninfo = formatDsn(r.primaryConninfo);
    if (r.slotName) out.primary_slot_name = r.slotName;
  }
  for (const [k, v] of Object.entries(r.standbyCluster ?? {})) out[k] = v;
  return out;
}
