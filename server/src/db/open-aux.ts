/**
 * Opens aux.db (request/app logs, cron state): a sibling of data.db so log churn never takes data.db's write lock.
 *
 * One connection does it all: every write is a short synchronous transaction (a log batch), so nothing
 * interleaves with the reads Kysely runs on it (the log writer thread opens its own). Pragmas as open.ts sets
 * them, except `synchronous=NORMAL`:
 * under WAL a power loss can lose the last few log batches but never corrupts the file, and the logs are
 * diagnostics, not records, so an fsync per batch is not worth its cost. No foreign keys, no meta tables.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely } from 'kysely';
import { GalleyError } from '../errors.ts';
import { createConnectionDialect } from './dialect.ts';
import { openSqliteHandle, type SqliteHandle } from './driver.ts';
import { DEFAULT_JOURNAL_SIZE_LIMIT } from './open.ts';

export interface AuxDatabase {
  /** Path of aux.db. */
  readonly file: string;
  /** Queries (and DDL of a service's own tables, e.g. cron state) through Kysely. */
  readonly db: Kysely<any>;
  /**
   * Run `fn` in one synchronous `BEGIN IMMEDIATE … COMMIT` on the connection (rolled back if it throws).
   * `run(sql, params)` inside executes one statement (prepared statements are cached per connection).
   */
  transaction<T>(fn: (run: (sql: string, params?: readonly unknown[]) => number) => T): T;
  /** One statement outside a batch; returns the rows changed. */
  execute(sql: string, params?: readonly unknown[]): number;
  /** The rows of one statement on this connection (the log writer's staged batches), synchronously. */
  select(sql: string, params?: readonly unknown[]): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface OpenAuxOptions {
  file: string;
  busyTimeoutMs: number;
}

function applyAuxPragmas(handle: SqliteHandle, opts: OpenAuxOptions): void {
  handle.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs))}`);
  const mode = handle.prepare('PRAGMA journal_mode = WAL').all()[0]?.journal_mode;
  if (String(mode).toLowerCase() !== 'wal') {
    throw new GalleyError('unavailable', `${opts.file}: could not switch to WAL journal mode (got "${String(mode)}")`);
  }
  handle.exec('PRAGMA synchronous = NORMAL');
  handle.exec(`PRAGMA journal_size_limit = ${DEFAULT_JOURNAL_SIZE_LIMIT}`);
  // log batches rewrite the same index pages (message is random): checkpointing every 10k pages instead of 1k
  // copies each page back once per many batches (measured: -20 % CPU per row)
  handle.exec('PRAGMA wal_autocheckpoint = 10000');
}

export function openAuxDatabase(opts: OpenAuxOptions): AuxDatabase {
  mkdirSync(dirname(opts.file), { recursive: true });
  const handle = openSqliteHandle(opts.file);
  try {
    applyAuxPragmas(handle, opts);
  } catch (err) {
    handle.close();
    throw err;
  }
  let open = true;
  const db = new Kysely<any>({
    dialect: createConnectionDialect(handle, () => {
      if (!open) return;
      open = false;
      handle.close();
    }),
  });
  const run = (sql: string, params: readonly unknown[] = []): number => handle.prepare(sql).run(params).changes;
  let closing: Promise<void> | undefined;
  return {
    file: opts.file,
    db,
    transaction(fn) {
      handle.exec('BEGIN IMMEDIATE');
      try {
        const out = fn(run);
        handle.exec('COMMIT');
        return out;
      } catch (err) {
        if (handle.inTransaction) handle.exec('ROLLBACK');
        throw err;
      }
    },
    execute: run,
    select: (sql, params = []) => handle.prepare(sql).all(params),
    close: () =>
      (closing ??= (async () => {
        await db.destroy();
        // Kysely skips destroy() on a driver it never used; closed last, so SQLite checkpoints the WAL away
        if (open) {
          open = false;
          handle.close();
        }
      })()),
  };
}
