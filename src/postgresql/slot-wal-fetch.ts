// WAL segments for a copied logical slot, fetched from the primary over SQL (pg_ls_waldir,
// pg_read_binary_file) and installed into the stopped replica's pg_wal; which ones is decided by
// slotWalPlan (src/ha/core/slot-wal.ts). Reads go in chunks so each statement stays far below the
// short statement_timeout of the session that also reads the slot state files.
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

const CHUNK = 1024 * 1024;
/** XLOG_PAGE_MAGIC is version dependent; the page address is not: the first page's xlp_pageaddr. */
const PAGEADDR_OFFSET = 8;

const SEGMENT_NAME = /^[0-9A-F]{24}$/;

/** File names in the primary's pg_wal and its wal_segment_size in bytes. */
export async function primaryWal(c: pg.Client): Promise<{ files: string[]; segmentSize: number }> {
  const [size] = (await c.query<{ n: string }>("SELECT pg_catalog.pg_size_bytes(pg_catalog.current_setting('wal_segment_size'))::text AS n")).rows;
  const files = (await c.query<{ name: string }>('SELECT name FROM pg_catalog.pg_ls_waldir()')).rows.map((r) => r.name);
  return { files, segmentSize: Number(size?.n ?? 16 * 1024 * 1024) };
}

/** File names in a data directory's pg_wal. */
export async function localWalFiles(dataDir: string): Promise<string[]> {
  return readdir(join(dataDir, 'pg_wal'));
}

/** Expected start address of segment `name`, from its name (timeline ignored). */
function segmentStart(name: string, segmentSize: number): bigint {
  const hi = BigInt(Number.parseInt(name.slice(8, 16), 16));
  const lo = BigInt(Number.parseInt(name.slice(16, 24), 16));
  return (hi << 32n) + lo * BigInt(segmentSize);
}

/**
 * Read segment `name` from the primary and install it as <dataDir>/pg_wal/<name>: written to a
 * temporary file (mode 0600), fsynced, renamed, the directory fsynced, so a crash never leaves a
 * half-written segment under a real name. The content must be a whole segment whose first page is
 * that segment's (the primary could have recycled it meanwhile): anything else throws.
 */
export async function fetchWalSegment(c: pg.Client, name: string, segmentSize: number, dataDir: string): Promise<void> {
  if (!SEGMENT_NAME.test(name)) throw new Error(`not a WAL segment name: ${JSON.stringify(name)}`);
  const walDir = join(dataDir, 'pg_wal');
  const target = join(walDir, name);
  const tmp = `${target}.patroni-tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    for (let offset = 0; offset < segmentSize; offset += CHUNK) {
      const length = Math.min(CHUNK, segmentSize - offset);
      const [row] = (
        await c.query<{ data: Buffer | null }>('SELECT pg_catalog.pg_read_binary_file($1, $2, $3, true) AS data', [`pg_wal/${name}`, offset, length])
      ).rows;
      const data = row?.data;
      if (!data) throw new Error(`${name} is gone from the primary's pg_wal`);
      if (data.length !== length) throw new Error(`${name} on the primary is shorter than wal_segment_size (${offset + data.length} bytes)`);
      if (offset === 0 && (data.length < PAGEADDR_OFFSET + 8 || data.readBigUInt64LE(PAGEADDR_OFFSET) !== segmentStart(name, segmentSize))) {
        throw new Error(`${name} on the primary does not start with its own page (recycled?)`);
      }
      await fh.write(data, 0, data.length, offset);
    }
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, target);
  const dir = await open(walDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
