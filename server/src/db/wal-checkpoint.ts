/**
 * `PRAGMA wal_checkpoint(TRUNCATE)` on a database file, from a short-lived connection of its own (the cron
 * job `__pbDBOptimize__`). Synchronous: called for data.db right after a writer COMMIT (an afterCommit
 * callback), so the writer holds no transaction and none can begin before it returns.
 */
import { openSqliteHandle } from './driver.ts';

export interface WalCheckpoint {
  /** a reader (another thread's read-aside) kept the WAL from being fully copied back within the wait */
  busy: boolean;
  /** frames in the WAL, and frames copied back into the database */
  logFrames: number;
  checkpointedFrames: number;
}

export function checkpointWalFile(file: string, busyTimeoutMs: number): WalCheckpoint {
  const handle = openSqliteHandle(file, { statementCacheSize: 1 });
  try {
    handle.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    const row = handle.prepare('PRAGMA wal_checkpoint(TRUNCATE)').all()[0] ?? {};
    return { busy: Number(row['busy']) !== 0, logFrames: Number(row['log'] ?? 0), checkpointedFrames: Number(row['checkpointed'] ?? 0) };
  } finally {
    handle.close();
  }
}
