// The files lock of an instance on PostgreSQL (postgres-start.ts claimFilesPlace, db/postgres-listener.ts) across a
// settings save: while files are still on this instance's local disk it keeps the lock exclusive, so no other
// instance starts beside it; only a save that was stored moves it to the shared lock of files on S3.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectPostgresSession } from '../../src/db/postgres-driver.ts';
import { FILES_LOCK } from '../../src/db/postgres-listener.ts';
import { createGalley, upsertSuperuser, type Galley } from '../../src/index.ts';
import { describePostgres, usePostgresDatabase } from '../helpers/postgres.ts';
import { callGalley, readExample } from '../helpers/test-galley.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

// files on S3 (never reached: nothing here uploads)
const S3 = { enabled: true, bucket: 'galley-test', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', accessKey: 'k', secret: 's' };

describePostgres('files lock across a settings save (PostgreSQL)', () => {
  const database = usePostgresDatabase();
  const dirs: string[] = [];
  let a: Galley;
  let root = '';

  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'galley-pg-files-lock-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    a = await createGalley({ dir: newDir(), database: database.get().url, schema: readExample('blog.json'), logger: createTestLogger() });
    await upsertSuperuser({ dir: newDir(), database: database.get().url }, 'root@example.com', 'rootpass123');
    const signedIn = await callGalley(a, 'POST', '/api/collections/_superusers/auth-with-password', { body: { identity: 'root@example.com', password: 'rootpass123' } });
    expect(signedIn.status, signedIn.text).toBe(200);
    root = signedIn.json.token;
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Whether another instance could take the files lock for S3 (shared) now. */
  async function sharedLockIsFree(): Promise<boolean> {
    const session = await connectPostgresSession(database.get().url, 'files lock check');
    try {
      return (await session.query('SELECT pg_try_advisory_lock_shared($1) AS ok', [FILES_LOCK])).rows[0]?.['ok'] === true;
    } finally {
      await session.end();
    }
  }

  it('a save moving files to S3 that could not be stored keeps the lock exclusive; a stored one shares it', async () => {
    expect(a.core.settings.current().s3.enabled).toBe(false);
    expect(await sharedLockIsFree()).toBe(false);

    // the settings row cannot be written (a full disk): the save fails after its checks ran
    await sql
      .raw(`CREATE FUNCTION refuse_settings() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          IF NEW.key = 'settings' THEN RAISE EXCEPTION 'no space left' USING ERRCODE = '53100'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER refuse_settings BEFORE INSERT OR UPDATE ON _galley_params FOR EACH ROW EXECUTE FUNCTION refuse_settings();`)
      .execute(a.core.db.read);
    const failed = await callGalley(a, 'PATCH', '/api/settings', { body: { s3: S3 }, auth: root });
    expect(failed.status, failed.text).toBe(503);
    expect(a.core.settings.current().s3.enabled).toBe(false);
    // its files are still on its local disk: no instance may start beside it
    expect(await sharedLockIsFree()).toBe(false);

    await sql.raw('DROP TRIGGER refuse_settings ON _galley_params; DROP FUNCTION refuse_settings();').execute(a.core.db.read);
    const stored = await callGalley(a, 'PATCH', '/api/settings', { body: { s3: S3 }, auth: root });
    expect(stored.status, stored.text).toBe(200);
    await expect.poll(sharedLockIsFree, { timeout: 10_000 }).toBe(true);
  }, 60_000);
});
