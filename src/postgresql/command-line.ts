// Protected parameters go on the postmaster command line (`--name=value`), where pg_settings cannot
// show a pending change: compare what the postmaster started with against what we would start it
// with now (the pending_restart that Patroni's ConfigHandler.reload_config sets).
import type { RestartReason } from '../dcs/cluster.js';

/** `--name=value` options as a map. */
export function optionMap(options: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of options) {
    const eq = o.indexOf('=');
    if (o.startsWith('--') && eq > 2) m.set(o.slice(2, eq), o.slice(eq + 1));
  }
  return m;
}

export function pendingCommandLineChanges(started: Map<string, string>, now: string[]): Record<string, RestartReason> {
  const out: Record<string, RestartReason> = {};
  for (const [name, value] of optionMap(now)) {
    const old = started.get(name);
    if (old !== undefined && old !== value) out[name] = { old_value: old, new_value: value };
  }
  return out;
}
