// User options for initdb / pg_basebackup as Patroni accepts them: a list of flags and single-key
// maps, or a map; forbidden options are reported through the caller's policy.
import type { Json } from '../util/json.js';
import { isObject } from '../util/json.js';

export const INITDB_FORBIDDEN = ['pgdata', 'nosync', 'pwfile', 'sync-only', 'version'];
export const BASEBACKUP_FORBIDDEN = [
  'pgdata',
  'format',
  'wal-method',
  'xlog-method',
  'gzip',
  'version',
  'compress',
  'dbname',
  'host',
  'port',
  'username',
  'password',
];

/** `['data-checksums', {encoding: 'UTF8'}]` -> `['--data-checksums', '--encoding=UTF8']`; onError for rejected input. */
export function userOptions(tool: string, options: Json | undefined, forbidden: string[], onError: (msg: string) => void): string[] {
  const out: string[] = [];
  const allowed = (name: string) => {
    if (!forbidden.includes(name)) return true;
    onError(`${name} option for ${tool} is not allowed`);
    return false;
  };
  if (options === undefined || options === null) return out;
  if (isObject(options)) {
    for (const [k, v] of Object.entries(options)) if (k && v !== null && v !== false && v !== '' && allowed(k)) out.push(`--${k}=${String(v)}`);
  } else if (Array.isArray(options)) {
    for (const opt of options) {
      if (typeof opt === 'string') {
        if (allowed(opt)) out.push(`--${opt}`);
      } else if (isObject(opt)) {
        const entries = Object.entries(opt);
        const [k, v] = entries[0] ?? ['', null];
        if (entries.length !== 1 || typeof v !== 'string') {
          onError(`Error when parsing ${tool} key-value option ${JSON.stringify(opt)}: only one key-value is allowed and value should be a string`);
        } else if (allowed(k)) out.push(`--${k}=${v}`);
      } else {
        onError(`Error when parsing ${tool} option ${JSON.stringify(opt)}: value should be string value or a single key-value pair`);
      }
    }
  } else {
    onError(`${tool} options must be list or dict`);
  }
  return out;
}
