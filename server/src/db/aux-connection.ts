/**
 * A connection to aux.db without Kysely: what the log writer thread needs (short synchronous transactions and
 * statements), so its module graph is this file, the driver and the log's own files. Importing Kysely (open-aux.ts)
 * there cost each running writer ~1.5 MB of RSS (measured in the binary: its 350 KB shared chunk loaded again on
 * the thread). open-aux.ts builds the server's AuxDatabase (with Kysely for reads and cron state) on the same pragmas.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GalleyError } from '../errors.ts';
import { openSqliteHandle, type SqliteHandle } from './driver.ts';

/** As data.db's (open.ts DEFAULT_JOURNAL_SIZE_LIMIT); not imported from there, which would bring Kysely along. */
const AUX_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

export interface AuxConnection {
  /** Path of aux.db. */
  readonly file: string;
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

/** aux.db opened with its pragmas (see open-aux.ts); closed again if one cannot be set. */
export function openAuxHandle(opts: OpenAuxOptions): SqliteHandle {
  mkdirSync(dirname(opts.file), { recursive: true });
  const handle = openSqliteHandle(opts.file);
  try {
    handle.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs))}`);
    const mode = handle.prepare('PRAGMA journal_mode = WAL').all()[0]?.journal_mode;
    if (String(mode).toLowerCase() !== 'wal') {
      throw new GalleyError('unavailable', `${opts.file}: could not switch to WAL journal mode (got "${String(mode)}")`);
    }
    handle.exec('PRAGMA synchronous = NORMAL');
    handle.exec(`PRAGMA journal_size_limit = ${AUX_JOURNAL_SIZE_LIMIT}`);
    // log batches rewrite the same index pages (message is random): checkpointing every 10k pages instead of 1k
    // copies each page back once per many batches (measured: -20 % CPU per row)
    handle.exec('PRAGMA wal_autocheckpoint = 10000');
  } catch (err) {
    handle.close();
    throw err;
  }
  return handle;
}

/** The synchronous face of an open handle; `close` is the owner's. */
export function createAuxConnection(file: string, handle: SqliteHandle, close: () => Promise<void>): AuxConnection {
  const run = (sql: string, params: readonly unknown[] = []): number => handle.prepare(sql).run(params).changes;
  return {
    file,
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
    close,
  };
}

/** aux.db for the log writer thread: its own connection, closed by close(). */
export function openAuxConnection(opts: OpenAuxOptions): AuxConnection {
  const handle = openAuxHandle(opts);
  let closing: Promise<void> | undefined;
  return createAuxConnection(opts.file, handle, () => (closing ??= Promise.resolve().then(() => handle.close())));
}
