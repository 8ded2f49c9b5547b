// Reads the local PostgreSQL into a PostgresSnapshot (snapshot.ts), every cycle and every API refresh:
// the data directory, the postmaster, pg_controldata (once per postmaster) and one query.
import type { PostgresState, RestartReason } from '../dcs/cluster.js';
import { log } from '../log/logger.js';
import type { LocalConnection } from './connection.js';
import { readControlData } from './controldata.js';
import { probeDataDirAsync } from './datadir.js';
import { runningPostmaster, runningPostmasterAsync } from './process.js';
import { SNAPSHOT_QUERY, toRunningServer, type SnapshotRow } from './queries.js';
import type { ControlData, DataDirState, PostgresSnapshot } from './snapshot.js';
import { walTimeline } from './wal-timeline.js';

export interface SnapshotSource {
  dataDir(): string;
  pgControlData(): string;
  conn: LocalConnection;
  state(): PostgresState;
  setState(state: PostgresState): void;
  /** pg_ctl start is still waiting: the start's own outcome sets the state. */
  startInProgress(): boolean;
  /** Protected parameters whose command-line value differs from the config (pending_restart). */
  pendingCommandLineChanges(majorVersion: number): Record<string, RestartReason>;
}

function walSegmentSize(dd: DataDirState): number {
  const raw = dd.kind === 'present' ? dd.controlData?.raw['Bytes per WAL segment'] : undefined;
  const n = raw ? Number.parseInt(raw, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : 16 * 1024 * 1024;
}

export class SnapshotReader {
  private controlDataCache: { pid: number; data: ControlData } | null = null;

  constructor(private readonly src: SnapshotSource) {}

  async read(): Promise<PostgresSnapshot> {
    const dir = this.src.dataDir();
    // No synchronous file system call here: this runs every cycle and every API refresh.
    const [probe, postmaster] = await Promise.all([probeDataDirAsync(dir), runningPostmasterAsync(dir)]);
    const postmasterRunning = postmaster !== null;
    let dataDir: DataDirState;
    if (probe.kind === 'present') {
      // pg_controldata is a process spawn: while the same postmaster runs, the HA logic only needs the
      // system identifier from it, which cannot change, so read it once per postmaster.
      const cached = postmaster && this.controlDataCache?.pid === postmaster.pid ? this.controlDataCache.data : null;
      const controlData = cached ?? (await readControlData(this.src.pgControlData(), dir));
      this.controlDataCache = postmaster && controlData ? { pid: postmaster.pid, data: controlData } : null;
      dataDir = { kind: 'present', sysid: controlData?.systemIdentifier ?? null, controlData };
    } else dataDir = probe;
    // Checked again now: a start may have finished while pg_controldata ran, and a stale "not running"
    // must not turn a running server into a crashed one.
    if (!postmasterRunning && this.src.state() === 'running' && !runningPostmaster(dir)) {
      log.warning('postmaster is not running');
      this.src.setState('crashed');
    }
    const snap: PostgresSnapshot = { dataDir, postmasterRunning, state: this.src.state(), server: null };
    if (postmasterRunning) {
      try {
        const [row] = await this.src.conn.query<SnapshotRow & Record<string, unknown>>(SNAPSHOT_QUERY);
        if (row) snap.server = toRunningServer(row);
        if (snap.server && row && row.in_recovery && row.received_tli === null) {
          const replay = snap.server.replayLsn ?? snap.server.walLsn;
          snap.server.timeline = walTimeline(dir, replay, walSegmentSize(dataDir)) ?? snap.server.timeline;
        }
        if (snap.server) Object.assign(snap.server.pendingRestart, this.src.pendingCommandLineChanges(probe.kind === 'present' ? probe.majorVersion : 0));
        // A start that outlived pg_ctl's wait finished by itself: accepting queries means running.
        const state = this.src.state();
        if (row && (state === 'starting' || state === 'starting after custom bootstrap') && !this.src.startInProgress()) {
          this.src.setState('running');
          snap.state = 'running';
        }
      } catch (e) {
        snap.queryError = e instanceof Error ? e.message : String(e);
      }
    }
    return snap;
  }
}
