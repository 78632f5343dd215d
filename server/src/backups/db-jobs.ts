/**
 * What a backup asks of a database file, on a connection of its own: an online snapshot of one point in time
 * while writers go on (the main file copied paced, paced-snapshot.ts; `VACUUM INTO` where that cannot be done)
 * and an inspection (integrity_check, the applied schema's hash, records per collection). Run in the snapshot
 * worker (snapshot-worker.ts), in a server's backup child (backup-child.ts), or inline where no worker can start
 * (Node running the .ts sources).
 */
import { openSqliteHandle } from '../db/driver.ts';
import { SCHEMA_TABLE } from '../db/meta-tables.ts';
import { PACED_COPY_DEFAULTS, pacedSnapshot } from './paced-snapshot.ts';

/** Snapshots first (paced copies, or `VACUUM INTO`), then inspections, on connections of their own. */
export interface DbJob {
  snapshots: Array<{ source: string; target: string }>;
  inspect: string[];
  busyTimeoutMs: number;
  /**
   * Snapshot with the paced copy (paced-snapshot.ts) rather than `VACUUM INTO`. Only where this process holds
   * no other connection to the databases (the CLI): the copy's own file descriptors would drop their locks.
   */
  pacedCopy?: boolean;
}

export interface DbInspection {
  /** 'ok', or SQLite's first complaints */
  integrity: string;
  /** the applied schema's hash ('' for aux.db or a database no schema was applied to) */
  schemaHash: string;
  /** rows per collection table (base and auth collections) */
  records: Record<string, number>;
}

/** How a snapshot was taken: the paced copy, or `VACUUM INTO` and why the copy could not be made. */
export type SnapshotMethod = { method: 'paced-copy' } | { method: 'vacuum-into'; reason: string };

export type DbJobResult =
  | { ok: true; inspections: Record<string, DbInspection>; snapshots: Record<string, SnapshotMethod> }
  | { ok: false; message: string };

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * `child`: the job runs in a server's backup child process (backup-child.ts): the paced copy pauses on its main
 * thread and reports after each fdatasync (its source, the bytes copied so far).
 */
export function runDbJob(job: DbJob, child?: { onSynced(source: string, copiedBytes: number): void }): DbJobResult {
  let step = '';
  try {
    const snapshots: Record<string, SnapshotMethod> = {};
    for (const { source, target } of job.snapshots) {
      step = `snapshot of ${source}`;
      const paced = job.pacedCopy
        ? pacedSnapshot(source, target, job.busyTimeoutMs, child ? { ...PACED_COPY_DEFAULTS, pauseMainThread: true, onSynced: (bytes) => child.onSynced(source, bytes) } : PACED_COPY_DEFAULTS)
        : { copied: false as const, reason: 'not asked for (this process may hold other connections to the database)' };
      snapshots[source] = paced.copied ? { method: 'paced-copy' } : { method: 'vacuum-into', reason: paced.reason };
      const handle = openSqliteHandle(source);
      try {
        handle.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(job.busyTimeoutMs))}`);
        if (!paced.copied) handle.exec(`VACUUM INTO ${quoteText(target)}`);
        // The WAL grew while the snapshot held its read: copy it back here, off the writer's path, so the next
        // COMMIT's auto-checkpoint finds little to do (a writer's auto-checkpoint skips while this one runs).
        handle.exec('PRAGMA wal_checkpoint(PASSIVE)');
      } finally {
        handle.close();
      }
    }
    const inspections: Record<string, DbInspection> = {};
    for (const file of job.inspect) {
      step = `reading ${file}`;
      inspections[file] = inspectDatabaseFile(file);
    }
    return { ok: true, inspections, snapshots };
  } catch (err) {
    return { ok: false, message: `${step}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function inspectDatabaseFile(file: string): DbInspection {
  const handle = openSqliteHandle(file);
  try {
    handle.exec('PRAGMA query_only = ON');
    const problems = handle.prepare('PRAGMA integrity_check(5)').all().map((r) => String(Object.values(r)[0]));
    const integrity = problems.join('; ');
    const hasSchema = handle.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).all([SCHEMA_TABLE]).length > 0;
    if (!hasSchema) return { integrity, schemaHash: '', records: {} };
    const row = handle.prepare(`SELECT hash, collections FROM ${SCHEMA_TABLE} WHERE id = 1`).all()[0];
    if (!row) return { integrity, schemaHash: '', records: {} };
    const collections = JSON.parse(String(row['collections'])) as Array<{ name: string; type: string }>;
    const records: Record<string, number> = {};
    for (const c of collections) {
      if (c.type === 'view') continue;
      const count = handle.prepare(`SELECT count(*) AS n FROM ${quoteIdent(c.name)}`).all()[0];
      records[c.name] = Number(count?.['n'] ?? 0);
    }
    return { integrity, schemaHash: String(row['hash']), records };
  } finally {
    handle.close();
  }
}
