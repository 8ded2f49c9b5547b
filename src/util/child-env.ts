// The environment the daemon hands to every child process (pg_ctl and so the postmaster and each
// backend, archive/restore commands, callbacks, scripts). Patroni's PostmasterProcess.start passes
// os.environ without PATRONI_* and KUBERNETES_* variables, so a superuser reading
// /proc/self/environ from a backend finds no DCS or REST credentials. We go one step further and
// also remove PATRONI_* from the daemon's own environment once the configuration has been read
// (see takeDaemonEnv), so `ps e` and /proc/<daemon>/environ do not show them either.

const FILTERED_PREFIXES = ['PATRONI_', 'KUBERNETES_'] as const;

/** True for a variable name Patroni never passes to a child process. */
export function isFilteredVariable(name: string): boolean {
  return FILTERED_PREFIXES.some((p) => name.startsWith(p));
}

/** `env` without Patroni's own variables, plus `extra` (e.g. PGPASSFILE). Pure: `env` is not changed. */
export function filterChildEnv(env: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && !isFilteredVariable(k)) out[k] = v;
  }
  return { ...out, ...extra };
}

/** The environment for a child process started now: the daemon's environment, filtered, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return filterChildEnv(process.env, extra);
}

/**
 * Snapshot the daemon's environment for configuration (PATRONI_* overrides are needed again on every
 * reload) and remove PATRONI_* from the live process environment. Returns a frozen copy; call once at
 * start, before any child process is spawned.
 */
export function takeDaemonEnv(env: NodeJS.ProcessEnv = process.env): Readonly<NodeJS.ProcessEnv> {
  const snapshot: NodeJS.ProcessEnv = { ...env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('PATRONI_')) delete env[k];
  }
  return Object.freeze(snapshot);
}
