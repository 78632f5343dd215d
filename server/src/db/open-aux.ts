/**
 * Opens aux.db (request/app logs, cron state): a sibling of data.db so log churn never takes data.db's write lock.
 *
 * One connection does it all: every write is a short synchronous transaction (a log batch), so nothing
 * interleaves with the reads Kysely runs on it (the log writer thread opens its own). Pragmas as open.ts sets
 * them, except `synchronous=NORMAL` (set in aux-connection.ts, which the log writer thread opens without Kysely):
 * under WAL a power loss can lose the last few log batches but never corrupts the file, and the logs are
 * diagnostics, not records, so an fsync per batch is not worth its cost. No foreign keys, no meta tables.
 */
import { Kysely } from 'kysely';
import { createAuxConnection, openAuxHandle, type AuxConnection, type OpenAuxOptions } from './aux-connection.ts';
import { createConnectionDialect } from './dialect.ts';

export type { OpenAuxOptions } from './aux-connection.ts';

export interface AuxDatabase extends AuxConnection {
  /** Queries (and DDL of a service's own tables, e.g. cron state) through Kysely. */
  readonly db: Kysely<any>;
}

export function openAuxDatabase(opts: OpenAuxOptions): AuxDatabase {
  const handle = openAuxHandle(opts);
  let open = true;
  const db = new Kysely<any>({
    dialect: createConnectionDialect(handle, () => {
      if (!open) return;
      open = false;
      handle.close();
    }),
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await db.destroy();
      // Kysely skips destroy() on a driver it never used; closed last, so SQLite checkpoints the WAL away
      if (open) {
        open = false;
        handle.close();
      }
    })());
  return { ...createAuxConnection(opts.file, handle, close), db };
}
