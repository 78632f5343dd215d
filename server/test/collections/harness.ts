// A Galley served from a real schema file in a temp dir (dev mode / collection writes), with its log captured.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGalley, upsertSuperuser } from '../../src/index.ts';
import { createTestLogger } from '../helpers/test-logger.ts';
import { callGalley, type TestGalley } from '../helpers/test-galley.ts';
import { dropTestDatabaseOf, testDatabaseFor } from '../helpers/test-database.ts';

export interface FileGalley extends TestGalley {
  file: string;
  logs: string[];
  readSchema(): unknown;
  readText(): string;
  writeSchema(value: unknown): void;
  writeText(text: string): void;
  /** a superuser token */
  root: string;
}

export interface FileGalleyOptions {
  dev?: boolean;
  allowCollectionWrites?: boolean;
}

export async function startFileGalley(schema: unknown, opts: FileGalleyOptions = {}): Promise<FileGalley> {
  const dir = mkdtempSync(join(tmpdir(), 'galley-coll-'));
  const file = join(dir, 'schema.json');
  writeFileSync(file, typeof schema === 'string' ? schema : JSON.stringify(schema, null, 2) + '\n');
  const logs: string[] = [];
  const database = await testDatabaseFor(dir);
  const galley = await createGalley({
    dir: join(dir, 'data'),
    database,
    schemaFile: file,
    dev: opts.dev ?? false,
    allowCollectionWrites: opts.allowCollectionWrites,
    logger: createTestLogger('debug', (line) => logs.push(line)),
    env: {},
  });
  const call: TestGalley['call'] = (method, path, o) => callGalley(galley, method, path, o);
  await upsertSuperuser({ dir: join(dir, 'data'), database }, 'root@example.com', 'rootpass123');
  const auth = await call('POST', '/api/collections/_superusers/auth-with-password', { body: { identity: 'root@example.com', password: 'rootpass123' } });
  if (auth.status !== 200) throw new Error(`superuser login failed: ${auth.text}`);
  return {
    galley,
    dir: join(dir, 'data'),
    database,
    file,
    logs,
    root: auth.json.token,
    call,
    readSchema: () => JSON.parse(readFileSync(file, 'utf8')),
    readText: () => readFileSync(file, 'utf8'),
    writeSchema: (value) => writeFileSync(file, JSON.stringify(value, null, 2) + '\n'),
    writeText: (text) => writeFileSync(file, text),
    async close() {
      await galley.close();
      await dropTestDatabaseOf(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Poll `check` until it returns a value (not undefined) or the deadline passes (then throw with `what`). */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, deadlineMs = 10_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
