// PostgreSQL version texts as Patroni reads them (POST /restart `postgres_version`).

export class PostgresVersionError extends Error {}

/** Patroni's postgres_version_to_int: `10.1` -> 100001, `9.6.3` -> 90603. Throws PostgresVersionError. */
export function postgresVersionToInt(version: string): number {
  const format = `Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: ${version}`;
  const parts = version.split('.');
  if (!parts.every((p) => /^\s*[-+]?\d+\s*$/.test(p))) throw new PostgresVersionError(format);
  const nums = parts.map((p) => Number.parseInt(p, 10));
  const [major = 0] = nums;
  if (nums.length < 2 || (nums.length === 2 && major < 10) || nums.length > 3) throw new PostgresVersionError(format);
  if (nums.length === 2) nums.splice(1, 0, 0);
  // Python formats each part with {:02d}; a negative part makes the joined text unparsable.
  if (nums.some((n) => n < 0)) throw new PostgresVersionError(`Invalid PostgreSQL version: ${version}`);
  return Number(nums.map((n) => String(n).padStart(2, '0')).join(''));
}
