/**
 * Reading superusers for the CLI and the start banner: emails and creation times only, never a hash or a
 * token key. Listing a directory never creates or migrates its database.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import { SUPERUSERS_NAME } from '../schema/system-collections.ts';

export interface SuperuserEntry {
  email: string;
  created: string;
}

/** Every superuser of an open database, oldest first ([] before the system tables exist). */
export async function listSuperusersIn(db: Database): Promise<SuperuserEntry[]> {
  try {
    const rows = await db.read.selectFrom(SUPERUSERS_NAME).select(['email', 'created']).orderBy('created').orderBy('email').execute();
    return rows.map((r) => ({ email: String(r['email']), created: String(r['created']) }));
  } catch (err) {
    // SQLite's and PostgreSQL's words for a table not made yet
    if (/no such table|relation "_superusers" does not exist/i.test(String(err))) return [];
    throw err;
  }
}

/**
 * `galley superuser list`: the superusers of a data directory, or null when it holds no database yet; with
 * `database` (or GALLEY_DATABASE_URL), of that PostgreSQL database (`dbFile`: its URL, password masked).
 */
export async function listSuperusers(opts: { dir: string; database?: string }): Promise<{ dbFile: string; superusers: SuperuserEntry[] } | null> {
  const config = resolveConfig({ dir: opts.dir, database: opts.database });
  if (config.database) {
    const db = await (await import('../db/open-postgres-database.ts')).openPostgresDatabase({ url: config.database.url.reveal(), max: 1 });
    try {
      return { dbFile: config.database.url.masked, superusers: await listSuperusersIn(db) };
    } finally {
      await db.close();
    }
  }
  const dbFile = join(config.dir, 'data.db');
  if (!existsSync(dbFile)) return null;
  const db = openDatabase({ file: dbFile, synchronous: 'FULL', busyTimeoutMs: 10_000 });
  try {
    return { dbFile, superusers: await listSuperusersIn(db) };
  } finally {
    await db.close();
  }
}
