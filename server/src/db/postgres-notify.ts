/**
 * NOTIFY between Galley instances on one PostgreSQL database (db/postgres-listener.ts hears them). Sent inside
 * the write job that made the change, so the others hear it at its COMMIT and never for a rollback.
 */
import { sql } from 'kysely';
import type { WriteTx } from './database.ts';

/** A settings save (payload: the saving store's id, so it does not load its own save again). */
export const POSTGRES_SETTINGS_CHANNEL = 'galley_settings';
/** A committed record change, for the other instances' realtime subscribers (realtime/postgres-fanout.ts). */
export const POSTGRES_RECORDS_CHANNEL = 'galley_records';

/** NOTIFY `channel` from the job `tx`, on PostgreSQL; nothing on SQLite (one server per data dir). */
export async function notifyInstances(tx: WriteTx, channel: string, payload: string): Promise<void> {
  if (tx.dialect.name !== 'postgres') return;
  await sql`SELECT pg_notify(${channel}, ${payload})`.execute(tx.db);
}
