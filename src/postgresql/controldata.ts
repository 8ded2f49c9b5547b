// pg_controldata: run it (C locale, so labels are English) and parse the lines the HA logic reads.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlData } from './snapshot.js';
import { parseLsn } from './lsn.js';
import { runTool } from './tools.js';
import { childEnv } from '../util/child-env.js';

/** Parse `Label:   value` lines; null when the output has no system identifier (not a data dir). */
export function parseControlData(text: string): ControlData | null {
  const raw: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    raw[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  const sysid = raw['Database system identifier'];
  if (!sysid) return null;
  const int = (key: string) => Number.parseInt(raw[key] ?? '0', 10) || 0;
  const lsn = (key: string) => parseLsn(raw[key] ?? '') ?? 0;
  return {
    clusterState: raw['Database cluster state'] ?? '',
    systemIdentifier: sysid,
    timeline: int("Latest checkpoint's TimeLineID"),
    checkpointLsn: lsn('Latest checkpoint location'),
    minRecoveryLsn: lsn('Minimum recovery ending location'),
    walLogHints: raw['wal_log_hints setting'] === 'on',
    dataChecksums: int('Data page checksum version') !== 0,
    raw,
  };
}

/** Run pg_controldata on a data dir; null (and the reason logged by the caller) when it fails. */
export async function readControlData(binary: string, dataDir: string): Promise<ControlData | null> {
  const res = await runTool(binary, [dataDir], { env: childEnv({ LANG: 'C', LC_ALL: 'C' }) });
  return res.code === 0 ? parseControlData(res.stdout) : null;
}

/** pg_control_version of the releases whose ControlFileData starts as parsed below (9.6 .. 17). */
const KNOWN_CONTROL_VERSIONS = new Set([960, 1002, 1100, 1201, 1300, 1700]);

/**
 * "Latest checkpoint location" straight from global/pg_control: ControlFileData begins with
 * system_identifier (u64), pg_control_version (u32), catalog_version_no (u32), state (enum),
 * time (i64, 8-aligned at 24) and checkPoint (u64 at 32) in every release above. Saves spawning
 * pg_controldata on the demotion path; null for an unknown layout (the caller falls back to it).
 */
export function checkpointLsnFromControlFile(buf: Buffer): number | null {
  if (buf.length < 40 || !KNOWN_CONTROL_VERSIONS.has(buf.readUInt32LE(8)) || buf.readBigUInt64LE(0) === 0n) return null;
  const lsn = buf.readBigUInt64LE(32);
  return lsn > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(lsn);
}

/**
 * "Latest checkpoint's REDO location": checkPointCopy follows checkPoint (at 40) and starts with
 * redo in the same releases. On a stopped standby it is the last restartpoint's: every WAL segment
 * from there on is still in pg_wal.
 */
export function redoLsnFromControlFile(buf: Buffer): number | null {
  if (buf.length < 48 || !KNOWN_CONTROL_VERSIONS.has(buf.readUInt32LE(8)) || buf.readBigUInt64LE(0) === 0n) return null;
  const lsn = buf.readBigUInt64LE(40);
  return lsn > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(lsn);
}

export async function readRedoLsn(dataDir: string): Promise<number | null> {
  try {
    return redoLsnFromControlFile(await readFile(join(dataDir, 'global', 'pg_control')));
  } catch {
    return null;
  }
}

export async function readCheckpointLsn(dataDir: string): Promise<number | null> {
  try {
    return checkpointLsnFromControlFile(await readFile(join(dataDir, 'global', 'pg_control')));
  } catch {
    return null;
  }
}
