/**
 * Opens data.db as Galley uses it: a writer connection (group commit, db/writer.ts) and a reader
 * connection; under WAL the reader sees only committed data and never waits for the writer.
 *
 * Pragmas, on each connection, in this order:
 *   1. busy_timeout       first, so every later pragma already waits instead of failing on a lock
 *   2. journal_mode=WAL   readers and the writer do not block each other
 *   3. synchronous        FULL by default (durable at COMMIT); NORMAL may lose the last commits on power loss.
 *                         With FULL the writer connection itself runs NORMAL once open and its writer answers a
 *                         group only after an fdatasync of the WAL off the event loop (db/wal-sync.ts): as durable
 *                         as FULL for every acknowledged write, without stopping requests during the flush
 *   4. foreign_keys=ON
 *   5. journal_size_limit keeps the WAL file from staying large after a burst
 * The reader is also `query_only`, so a write through `db.read` fails instead of bypassing the writer, and keeps
 * PocketBase's 16 MB page cache instead of SQLite's 2 MB (READER_CACHE_SIZE).
 * Inside a write job `db.read` is that job's connection instead (db/write-scope.ts): the job sees its own writes.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GalleyError } from '../errors.ts';
import { sqliteDialect } from '../query/dialect.ts';
import { COSTLY_READ_DEADLINE_MS } from '../query/limits.ts';
import type { Database } from './database.ts';
import { createConnectionDialect, createReaderKysely } from './dialect.ts';
import { openSqliteHandle, type SqliteHandle, type StatementCounts } from './driver.ts';
import { ensureMetaTables } from './meta-tables.ts';
import { createReadAside } from './read-aside.ts';
import { createSqlConsole } from './sql-console.ts';
import { findScopedKysely } from './write-scope.ts';
import { createWalSync } from './wal-sync.ts';
import { createWriter, type GroupWriter, type LogFn } from './writer.ts';

export interface OpenOptions {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs: number;
  /** Bytes the WAL is truncated to after a checkpoint (default 64 MiB). */
  journalSizeLimit?: number;
  log?: LogFn;
  /** Group commit limits (see WriterOptions). */
  maxGroupJobs?: number;
  maxGroupMs?: number;
  /** How long a costly client-driven read may take (db.readAside); tests shorten it. */
  costlyReadDeadlineMs?: number;
}

export interface OpenedDatabase extends Database {
  readonly writer: GroupWriter;
  /** Statements run and prepared so far on data.db's writer and reader connections, summed (tests count a request's). */
  statementCounts(): StatementCounts;
  /** WAL fdatasyncs done for the writer's commits (db/wal-sync.ts; 0 with synchronous=NORMAL). */
  walSyncs(): number;
}

export const DEFAULT_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * Each connection's page cache, in KiB when negative (PocketBase's cache_size for its connections). SQLite's 2 MB is
 * less than a 100k-row table's id index (2.5 MB), so a get by id read ~1.7 pages per lookup from the file, a syscall
 * each; the writer's inserts read the id and other index leaves they land in the same way.
 */
const PAGE_CACHE_SIZE = -16000;

const WRITER_AUTOCHECKPOINT_PAGES = 4000;

/**
 * The reader maps up to this much of data.db instead of copying pages through its cache (pread + memcpy): a get by
 * id's random index and row pages then cost a page-table walk. Measured in process on the bench's 100k rows (65 MB):
 * a lookup 6.0 -> 3.7 µs, a get through a view rule -4 µs of main-thread CPU (15 of 16 paired blocks lower).
 * Reads only: SQLite writes through write() (no SQLITE_MMAP_READWRITE), so the writer keeps its cache and the WAL's
 * fsync rules are untouched. The cost: mapped pages count in the process's RSS (file-backed, the OS's page cache,
 * dropped under memory pressure; not Galley's heap), and an I/O error reading a mapped page is a SIGBUS, not an
 * SQLITE_IOERR. Capped so a large database is mapped only in part (the rest is read as before).
 */
const READER_MMAP_BYTES = 256 * 1024 * 1024;

let warnedNormal = false;

function requireCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new GalleyError('invalid', `${name} must be a whole number ≥ 0, got ${value}`);
  return value;
}

function applyPragmas(handle: SqliteHandle, opts: OpenOptions, role: 'writer' | 'reader'): void {
  handle.exec(`PRAGMA busy_timeout = ${requireCount('busyTimeoutMs', opts.busyTimeoutMs)}`);
  const mode = handle.prepare('PRAGMA journal_mode = WAL').all()[0]?.journal_mode;
  if (String(mode).toLowerCase() !== 'wal') {
    throw new GalleyError('unavailable', `${opts.file}: could not switch to WAL journal mode (got "${String(mode)}")`);
  }
  handle.exec(`PRAGMA synchronous = ${opts.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  handle.exec('PRAGMA foreign_keys = ON');
  const limit = requireCount('journalSizeLimit', opts.journalSizeLimit ?? DEFAULT_JOURNAL_SIZE_LIMIT);
  handle.exec(`PRAGMA journal_size_limit = ${limit}`);
  handle.exec(`PRAGMA cache_size = ${PAGE_CACHE_SIZE}`);
  if (role === 'reader') {
    handle.exec('PRAGMA query_only = ON');
    handle.exec(`PRAGMA mmap_size = ${READER_MMAP_BYTES}`);
  }
}

export function openDatabase(opts: OpenOptions): OpenedDatabase {
  if (opts.file === '' || opts.file === ':memory:' || opts.file.startsWith('file::memory:')) {
    throw new GalleyError('invalid', 'an in-memory database cannot be shared by the reader and the writer; give a file');
  }
  const log: LogFn = opts.log ?? (() => {});
  if (opts.synchronous === 'NORMAL' && !warnedNormal) {
    warnedNormal = true;
    log('warn', 'synchronous=NORMAL: the last commits before a power loss or OS crash may be lost (FULL is the default)');
  }
  mkdirSync(dirname(opts.file), { recursive: true });

  const writerHandle = openSqliteHandle(opts.file);
  let readerHandle: SqliteHandle | undefined;
  try {
    applyPragmas(writerHandle, opts, 'writer');
    ensureMetaTables(writerHandle);
    readerHandle = openSqliteHandle(opts.file);
    applyPragmas(readerHandle, opts, 'reader');
  } catch (err) {
    readerHandle?.close();
    writerHandle.close();
    throw err;
  }
  const reader = readerHandle;
  const read = createReaderKysely(createConnectionDialect(reader, () => reader.close()));
  // FULL's fsync moves off the event loop: see db/wal-sync.ts (the meta tables above were written under FULL)
  const durable = opts.synchronous === 'FULL' ? createWalSync(opts.file) : undefined;
  if (durable) writerHandle.exec('PRAGMA synchronous = NORMAL');
  // The COMMIT that crosses the threshold copies the WAL back on the event loop; creates rewrite the same index
  // leaves, and a checkpoint every 4k pages (16 MB of 4 KiB pages) instead of 1k copies each back once per more of
  // them (measured: the COMMIT's share of a create 37-40 -> 28-31 µs of main-thread CPU on the bench's 100k rows)
  writerHandle.exec(`PRAGMA wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
  const writer = createWriter(writerHandle, {
    log,
    maxGroupJobs: opts.maxGroupJobs,
    maxGroupMs: opts.maxGroupMs,
    durable,
  });

  const aside = createReadAside({ file: opts.file, busyTimeoutMs: opts.busyTimeoutMs, deadlineMs: opts.costlyReadDeadlineMs ?? COSTLY_READ_DEADLINE_MS });

  const sqlConsole = createSqlConsole({ file: opts.file, writer });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // first, and at once (the writer must refuse new jobs from this call on): a console write holds the writer paused
    const consoleClosed = sqlConsole.close();
    await writer.close();
    await durable?.close();
    await consoleClosed;
    await aside.close();
    await read.destroy();
    reader.close(); // Kysely skips destroy() on a driver it never used
    try {
      writerHandle.exec('PRAGMA optimize');
    } catch (err) {
      log('warn', `PRAGMA optimize at close failed: ${String(err)}`);
    }
    // Closed last, so SQLite checkpoints the WAL into the main file and removes it.
    writerHandle.close();
  };

  return {
    get read() {
      return findScopedKysely(writer) ?? read;
    },
    walSyncs: () => durable?.count() ?? 0,
    statementCounts: () => ({
      executed: writerHandle.counts.executed + reader.counts.executed,
      prepared: writerHandle.counts.prepared + reader.counts.prepared,
    }),
    readAside(query) {
      const scoped = findScopedKysely(writer);
      if (scoped) return scoped.executeQuery(query);
      const inline = async () => (await read.executeQuery(query)).rows as Record<string, unknown>[];
      return aside.run(query.sql, query.parameters, inline).then((rows) => ({ rows }));
    },
    writer,
    dialect: sqliteDialect,
    file: opts.file,
    sqlConsole,
    close: () => (closing ??= close()),
  };
}
