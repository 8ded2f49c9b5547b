// Which PostgreSQL major versions patroni-ts runs, and the refusal for the others. The monitoring
// query (queries.ts) and the recovery configuration (signal files, recovery.ts) need PostgreSQL 12 or
// later; 17 is the newest the version-dependent builders are tested against.
export const MIN_SUPPORTED_MAJOR = 120000;
export const MAX_SUPPORTED_MAJOR = 170000;

/** 150000 -> "15", 90600 -> "9.6". */
export function majorVersionName(versionNum: number): string {
  const major = Math.floor(versionNum / 10000);
  return major >= 10 ? String(major) : `${major}.${Math.floor(versionNum / 100) % 100}`;
}

export type VersionCheck = { kind: 'supported' } | { kind: 'unknown' } | { kind: 'unsupported'; message: string };

/** `versionNum` as server_version_num or the 150000-style major number; 0 means not known yet. */
export function checkServerVersion(versionNum: number): VersionCheck {
  if (!(versionNum > 0)) return { kind: 'unknown' };
  const major = Math.floor(versionNum / 10000) >= 10 ? Math.floor(versionNum / 10000) * 10000 : Math.floor(versionNum / 100) * 100;
  if (major >= MIN_SUPPORTED_MAJOR && major <= MAX_SUPPORTED_MAJOR) return { kind: 'supported' };
  return {
    kind: 'unsupported',
    message:
      `PostgreSQL ${majorVersionName(versionNum)} is not supported by patroni-ts: supported major versions are ` +
      `${majorVersionName(MIN_SUPPORTED_MAJOR)} to ${majorVersionName(MAX_SUPPORTED_MAJOR)}`,
  };
}
