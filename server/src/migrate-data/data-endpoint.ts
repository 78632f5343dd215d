/**
 * One side of `galley migrate-data`: a data directory (its data.db) or a PostgreSQL database, opened with no
 * server on it and kept that way for the whole copy. A directory is guarded by its lock file (lib/dir-lock.ts,
 * as `backup restore` is); a PostgreSQL database by the files lock every server there holds (shared or
 * exclusive, db/postgres-listener.ts): taking it exclusively fails while any instance runs, and keeps a new one
 * from starting until the copy ends. PostgreSQL's code is imported only for a postgres:// side.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { SCHEMA_TABLE } from '../db/meta-tables.ts';
import { openDatabase } from '../db/open.ts';
import { GalleyError } from '../errors.ts';
import { parseDatabaseUrl } from '../lib/database-url.ts';
import { acquireDirLock, describeDirLockOwner, isDirLockHeld, readDirLock } from '../lib/dir-lock.ts';

export interface DataEndpoint {
  /** the directory, or the URL with its password masked: all that is ever printed */
  readonly name: string;
  readonly engine: 'sqlite' | 'postgres';
  readonly db: Database;
  /** the directory whose storage/ holds local files (SQLite only: a PostgreSQL server's --dir is not known here) */
  readonly dir: string | undefined;
  /** `fn` over one consistent view of the data (PostgreSQL: a REPEATABLE READ transaction; SQLite: nothing else writes) */
  readSnapshot<T>(fn: (read: Kysely<any>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Any scheme:// is a URL, never a directory: `mysql://u:pw@h/db` (or a typo of postgres) is refused as serve refuses
// it, not copied into ./mysql:/u:pw@h/db with the password in every message naming that directory.
const isDatabaseUrl = (text: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim());

/** What `--from`/`--to` names, for messages, without opening it (the password masked). */
export function describeEndpoint(text: string): string {
  if (!isDatabaseUrl(text)) return resolve(text);
  const parsed = parseDatabaseUrl(text);
  return 'problem' in parsed ? 'the PostgreSQL URL' : parsed.masked;
}

export async function openDataEndpoint(text: string, role: 'source' | 'target'): Promise<DataEndpoint> {
  return isDatabaseUrl(text) ? openPostgresEndpoint(text, role) : openDirEndpoint(resolve(text), role);
}

function openDirEndpoint(dir: string, role: 'source' | 'target'): DataEndpoint {
  const file = join(dir, 'data.db');
  if (role === 'source' && !existsSync(file)) throw new GalleyError('invalid', `${dir} holds no Galley data (there is no data.db in it)`);
  const owner = readDirLock(dir);
  if (owner && isDirLockHeld(owner)) {
    throw new GalleyError('unavailable', `a Galley server is running on ${dir} (${describeDirLockOwner(owner)}): stop it, then run migrate-data again`);
  }
  // a command's lock names it (lib/dir-lock.ts findDirLockCommand): other commands refuse while it holds the directory
  const lock = acquireDirLock(dir, 'galley migrate-data', 'nothing (stop the server first)');
  let db: Database;
  try {
    db = openDatabase({ file, synchronous: 'FULL', busyTimeoutMs: 10_000 });
  } catch (err) {
    lock.release();
    throw err;
  }
  return {
    name: dir,
    engine: 'sqlite',
    db,
    dir,
    // the directory's lock keeps servers out, so the reader sees the data as it stays
    readSnapshot: (fn) => fn(db.read),
    async close() {
      await db.close();
      lock.release();
    },
  };
}

async function openPostgresEndpoint(text: string, role: 'source' | 'target'): Promise<DataEndpoint> {
  const parsed = parseDatabaseUrl(text);
  if ('problem' in parsed) throw new GalleyError('invalid', `${role === 'source' ? '--from' : '--to'}: the URL ${parsed.problem}`);
  const url = parsed.reveal();
  const [{ connectPostgresSession }, { FILES_LOCK, MIGRATE_DATA_APPLICATION }, { openPostgresDatabase }] = await Promise.all([
    import('../db/postgres-driver.ts'),
    import('../db/postgres-listener.ts'),
    import('../db/open-postgres-database.ts'),
  ]);
  // the name other commands know the copy by (migrate-data/held-data.ts)
  const session = await connectPostgresSession(url, MIGRATE_DATA_APPLICATION);
  try {
    const { rows } = await session.query('SELECT pg_try_advisory_lock($1) AS ok', [FILES_LOCK]);
    if (rows[0]?.['ok'] !== true) {
      throw new GalleyError('unavailable', `a Galley server is running on ${parsed.masked}: stop every instance on it, then run migrate-data again`);
    }
    // a source that is not a Galley database (a typo in --from) must not get Galley's functions and tables installed
    if (role === 'source' && (await session.query('SELECT to_regclass($1) IS NOT NULL AS ok', [SCHEMA_TABLE])).rows[0]?.['ok'] !== true) {
      throw new GalleyError('invalid', `${parsed.masked} holds no Galley app (no ${SCHEMA_TABLE} table)`);
    }
    const db = await openPostgresDatabase({ url, max: 2 });
    return {
      name: parsed.masked,
      engine: 'postgres',
      db,
      dir: undefined,
      readSnapshot: (fn) => db.pool.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn),
      async close() {
        await db.close();
        await session.end(); // the lock goes with the session
      },
    };
  } catch (err) {
    await session.end();
    throw err;
  }
}
