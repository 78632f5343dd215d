// A Galley on a fresh temp data dir for the auth tests: createGalley options (settings, env) and a client IP per call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGalley, type GalleyOptions } from '../../src/index.ts';
import { callGalley, type TestGalley } from '../helpers/test-galley.ts';
import { dropTestDatabaseOf, testDatabaseFor } from '../helpers/test-database.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

export type AuthTestGalley = TestGalley;

/** `options.dir` reuses a data dir (a restart: its test database too); otherwise a new temp dir, removed by close(). */
export async function startAuthGalley(schema: unknown, options: GalleyOptions = {}): Promise<AuthTestGalley> {
  const own = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'galley-auth-'));
  const database = options.database ?? await testDatabaseFor(dir);
  const galley = await createGalley({ env: {}, logger: createTestLogger(), ...options, dir, database, schema });
  return {
    galley,
    dir,
    database,
    call: (method, path, opts) => callGalley(galley, method, path, opts),
    async close() {
      await galley.close();
      if (!own) return;
      await dropTestDatabaseOf(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An auth collection `users` (PocketBase's default shape) and a base `notes` collection. */
export function authSchema(users: Record<string, unknown> = {}): unknown[] {
  return [
    {
      name: 'users',
      type: 'auth',
      listRule: 'id = @request.auth.id',
      viewRule: 'id = @request.auth.id',
      createRule: '',
      updateRule: 'id = @request.auth.id',
      deleteRule: 'id = @request.auth.id',
      fields: [
        { name: 'name', type: 'text', max: 255 },
        { name: 'role', type: 'select', values: ['member', 'staff'], maxSelect: 1 },
      ],
      ...users,
    },
  ];
}
