// PostgreSQL refuses to run as root: files that start it skip themselves under root (npm test runs
// them as postgres, see scripts/test.mjs).
export const isRoot = process.getuid?.() === 0;

/** `describe(..., { skip: skipAsRoot })`: false, or why the file cannot run as root. */
export const skipAsRoot: string | false = isRoot ? 'PostgreSQL refuses to run as root: run with npm test' : false;
