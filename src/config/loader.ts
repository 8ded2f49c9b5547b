// Local configuration loading (Patroni's Config.__init__ and _load_config_path): YAML file or directory,
// or PATRONI_CONFIGURATION, or the environment alone; PATRONI_* overlays merged over a file. YAML 1.1
// like PyYAML, so `on`/`off`/`yes`/`no` are booleans.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { log } from '../log/logger.js';
import { isObject, mergePatch, type Json, type JsonObject } from '../util/json.js';
import { buildEnvConfig } from './env.js';
import { ConfigError } from './errors.js';
import { normalizeConfig } from './normalize.js';
import type { PatroniConfig } from './types.js';
import { YAML11 } from './yaml.js';
import { noEffectSettings, NO_EFFECT_KEYS, unsupportedSettings } from './support.js';
import { formatProblem, RESERVED_NAME, validateConfigDetailed } from './validate.js';

export { ConfigError } from './errors.js';
export { normalizeConfig } from './normalize.js';

function osReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  // Node's message is "<CODE>: <description>, <syscall> '<path>'"; keep code and description.
  const description = (e.message ?? String(err)).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return e.code ? `${e.code}: ${description}` : description;
}

/** Parse one YAML text; `source` names the file (or variable) in error messages. */
export function parseYamlConfig(text: string, source: string): JsonObject {
  const doc = parseDocument(text, YAML11);
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'unknown position';
    const reason = first.message.split(/ at line \d+/)[0] ?? first.message;
    throw new ConfigError(`Invalid YAML in ${source} at ${where}: ${reason}`);
  }
  const value = doc.toJS() as Json;
  if (!isObject(value)) {
    const found = value === null ? 'an empty document' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    throw new ConfigError(`invalid config file ${source}: the top level must be a mapping, found ${found}`);
  }
  return value;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${osReason(err)}`);
  }
}

/** A file, or every *.yml/*.yaml file of a directory in sorted order, deep-merged. */
function loadConfigPath(path: string): JsonObject {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${path}: ${osReason(err)}`);
  }
  if (!isDir) return parseYamlConfig(readText(path), path);
  let names: string[];
  try {
    names = readdirSync(path)
      .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
      .sort();
  } catch (err) {
    throw new ConfigError(`Cannot read configuration directory ${path}: ${osReason(err)}`);
  }
  let merged: JsonObject = {};
  for (const name of names) {
    const file = join(path, name);
    if (!statSync(file).isFile()) continue;
    merged = mergePatch(merged, parseYamlConfig(readText(file), file));
  }
  return merged;
}

/** The merged local configuration document, before validation and defaults. */
export function loadRawConfig(path: string | undefined, env: NodeJS.ProcessEnv): JsonObject {
  const fromEnv = buildEnvConfig(env).config;
  if (path) return mergePatch(loadConfigPath(path), fromEnv);
  const whole = env.PATRONI_CONFIGURATION;
  // PATRONI_CONFIGURATION replaces the file and disables the individual variables.
  if (whole) return parseYamlConfig(whole, 'PATRONI_CONFIGURATION');
  return fromEnv;
}

/**
 * Patroni starts with both `nofailover` and `failover_priority` (or `nosync` and `sync_priority`):
 * the boolean wins and Config._validate_contradictory_tags warns (normalizeConfig does). Only
 * --validate-config reports the pair, so the daemon validates without the overridden priority.
 */
function withoutPriorityTwins(raw: JsonObject): JsonObject {
  const tags = raw.tags;
  if (!isObject(tags)) return raw;
  const kept = { ...tags };
  if ('nofailover' in kept) delete kept.failover_priority;
  if ('nosync' in kept) delete kept.sync_priority;
  return { ...raw, tags: kept };
}

/**
 * Load, validate and normalise the local configuration for the daemon, as leniently as Patroni starts
 * (it runs its schema only under --validate-config): what the validator flags becomes a warning, and
 * we refuse only what cannot work, which is what normalisation cannot turn into a value (no scope,
 * no name, no DCS, no data_dir, an unparseable port...), two DCS sections, and the unsupported
 * settings whose absence would change data or safety (support.ts). Listen ports and DCS reachability are not probed: a running Postgres keeps its port
 * across a daemon restart, and the DCS may come up after us.
 */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv): PatroniConfig {
  const raw = loadRawConfig(path, env);
  if (Object.keys(raw).length === 0) throw new ConfigError('Config is empty.');
  if (raw.name === RESERVED_NAME) throw new ConfigError(`Can not use ${RESERVED_NAME} as a member name`);
  const { problems, warnings } = validateConfigDetailed(withoutPriorityTwins(raw), { ignoreListenPort: true, checkReachability: false, checkDataDir: true });
  const lines = problems.map(formatProblem);
  const unsupported = unsupportedSettings(raw);
  const fatal = [
    ...problems.filter((p) => p.path === '' && p.error.startsWith('Multiple of')).map(formatProblem),
    ...unsupported.filter((u) => u.refuse).map((u) => u.line),
  ];
  let config: PatroniConfig;
  try {
    config = normalizeConfig(raw, env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // The validator usually names the same key; keep its line and add ours only when it is new.
    const firstWord = e.message.split(/[\s:]/)[0] ?? '';
    const named = lines.some((l) => l.split(' ')[0] === firstWord);
    throw new ConfigError([...lines, ...(named ? [] : [e.message]), ...fatal].join('\n'));
  }
  if (fatal.length) throw new ConfigError(fatal.join('\n'));
  for (const line of lines) log.warning('%s', line);
  for (const w of warnings) log.warning('%s', formatProblem(w));
  for (const u of unsupported) if (!u.refuse) log.warning('%s', u.line);
  for (const name of buildEnvConfig(env).unread) {
    log.warning('%s is not read by Patroni (tags come only from the YAML tags section): ignored', name);
  }
  for (const key of noEffectSettings(raw)) log.info('%s: accepted, has no effect in patroni-ts (%s)', key, NO_EFFECT_KEYS[key]);
  return config;
}
