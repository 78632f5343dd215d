import { join } from 'node:path';
import { resolveConfig } from '../config.ts';
import { applySchemaOnStart, readAppliedCollections } from '../db/migrate/apply-on-start.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import { GalleyError, issue } from '../errors.ts';
import { formatDateTime } from '../lib/datetime.ts';
import { newRecordId, newTokenKey } from '../lib/ids.ts';
import { findAuthIdHolder } from '../records/auth-id.ts';
import { buildIdentityMatch } from './find-auth-record.ts';
import { deleteRecordRow, insertRecordRow, updateRecordRow, type RecordWriteCore } from '../records/record-write.ts';
import { createEventBus } from '../hooks/event-bus.ts';
import { createLogger } from '../lib/log.ts';
import { createLocalStorage } from '../lib/storage/local.ts';
import { SUPERUSERS } from '../rules/request-info.ts';
import { buildSchema } from '../schema/model.ts';
import { listBuiltinCollections, SUPERUSERS_ID } from '../schema/system-collections.ts';
import { hashPassword } from '../lib/password-hash.ts';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Open a data dir for a superuser command: works while a server runs on it (WAL + busy timeout), and on a
 * fresh dir creates only the system tables, keeping whatever schema a server already applied.
 */
async function openForSuperusers(opts: SuperuserTarget) {
  const config = resolveConfig({ dir: opts.dir, database: opts.database });
  const db: Database = config.database
    ? await (await import('../db/open-postgres-database.ts')).openPostgresDatabase({ url: config.database.url.reveal(), max: 2 })
    : openDatabase({ file: join(config.dir, 'data.db'), synchronous: config.synchronous, busyTimeoutMs: 10_000 });
  const applied = await readAppliedCollections(db);
  const builtin = listBuiltinCollections();
  const merged = [...applied.filter((c) => !builtin.some((s) => s.id === c.id)), ...builtin];
  const schema = buildSchema(merged);
  await applySchemaOnStart(db, schema);
  // the record-write pipeline's needs, for this process only: no subscribers here, and _superusers has no files
  const writeCore: RecordWriteCore = {
    schema,
    hooks: createEventBus(() => {}),
    storage: createLocalStorage(join(config.dir, 'storage')),
    log: createLogger('warn'),
  };
  return { db, schema, writeCore };
}

/** `galley superuser upsert EMAIL PASSWORD`: creates the superuser or sets a new password (all its tokens die). */
/** Where the superusers are: a data dir, or a PostgreSQL database (`database`, as `serve --database`). */
export interface SuperuserTarget {
  dir: string;
  database?: string;
}

export async function upsertSuperuser(opts: SuperuserTarget, email: string, password: string): Promise<'created' | 'updated'> {
  if (!EMAIL.test(email)) throw new GalleyError('invalid', `"${email}" is not an email address`, { issues: { email: issue('validation_is_email', 'Must be a valid email address.') } });
  if (password.length < 8 || password.length > 71) {
    throw new GalleyError('invalid', 'the password must be 8 to 71 characters long');
  }
  const { db, schema, writeCore } = await openForSuperusers(opts);
  const superusers = schema.findCollection(SUPERUSERS_ID)!;
  try {
    const hash = await hashPassword(password);
    const now = formatDateTime(new Date());
    return await db.writer.run(async (tx) => {
      const existing = await tx.db.selectFrom(SUPERUSERS).select('id').where(buildIdentityMatch(superusers, 'email', email, tx.dialect)).executeTakeFirst();
      if (existing) {
        // wire: as on any password change, pending MFA sessions, login origins and OTP codes end (the pipeline's update)
        await updateRecordRow(writeCore, tx, superusers, String(existing['id']), { password: hash, tokenKey: newTokenKey(), updated: now }, 'Failed to update the superuser.');
        return 'updated';
      }
      // an id no other auth collection holds (ids are unique across auth collections)
      let id = newRecordId();
      while (await findAuthIdHolder(tx.db, schema, superusers, id)) id = newRecordId();
      const row = { id, email, password: hash, tokenKey: newTokenKey(), emailVisibility: 0, verified: 1, created: now, updated: now };
      await insertRecordRow(writeCore, tx, superusers, row, 'Failed to create the superuser.');
      return 'created';
    });
  } finally {
    await db.close();
  }
}

/** `galley superuser delete EMAIL`: true when a superuser was deleted. */
export async function deleteSuperuser(opts: SuperuserTarget, email: string): Promise<boolean> {
  const { db, schema, writeCore } = await openForSuperusers(opts);
  const superusers = schema.findCollection(SUPERUSERS_ID)!;
  try {
    return await db.writer.run(async (tx) => {
      const found = (await tx.db.selectFrom(SUPERUSERS).selectAll().where(buildIdentityMatch(superusers, 'email', email, tx.dialect)).executeTakeFirst()) as
        | Record<string, unknown>
        | undefined;
      if (!found) return false;
      await deleteRecordRow(writeCore, tx, superusers, found); // with its OTPs, MFA sessions, origins, links
      return true;
    });
  } finally {
    await db.close();
  }
}
