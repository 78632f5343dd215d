// `galley migrate plan | apply | status | history` and `serve`'s apply-on-start, as a user runs the binary.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteHandle } from '../../server/src/db/driver.ts';
import { makeTempDir, runBinary, startBinary } from './helpers/binary.ts';

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

let files = 0;
/** Writes a schema file with one `posts` collection of these fields (and indexes). */
function writeSchema(fields: object[], extra: object = {}): string {
  const file = join(root, `schema-${++files}.json`);
  writeFileSync(file, JSON.stringify({ collections: [{ name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', fields, ...extra }] }));
  return file;
}

function execSql(dir: string, statements: string[]): void {
  const db = openSqliteHandle(join(dir, 'data.db'));
  try {
    for (const s of statements) db.exec(s);
  } finally {
    db.close();
  }
}

function queryRows(dir: string, query: string): Array<Record<string, unknown>> {
  const db = openSqliteHandle(join(dir, 'data.db'));
  try {
    return db.prepare(query).all();
  } finally {
    db.close();
  }
}

const migrate = (dir: string, ...args: string[]) => runBinary(['migrate', ...args, '--dir', dir]);

const V1_FIELDS = [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }, { name: 'tags', type: 'select', maxSelect: 3, values: ['a', 'b', 'c'] }];
const v1 = writeSchema(V1_FIELDS, { indexes: ['CREATE INDEX idx_title ON posts (title)'] });
// rename title → headline, views number → text, tags multi → single (lossy when a record holds more than one)
const v2 = writeSchema(
  [{ name: 'headline', type: 'text', renamedFrom: 'title' }, { name: 'views', type: 'text' }, { name: 'tags', type: 'select', maxSelect: 1, values: ['a', 'b', 'c'] }],
  { indexes: ['CREATE INDEX idx_title ON posts (headline)'] },
);

describe('galley migrate', () => {
  it('plan → apply → status → history, with exit codes for CI', async () => {
    const dir = join(root, 'cycle');
    const first = await migrate(dir, 'plan', '--schema', v1);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('create table "posts" (id, title, views, tags, created, updated)');
    expect(first.stdout).toMatch(/SQL: create table "posts" \("id" TEXT not null primary key/);
    expect(existsSync(dir), 'planning creates nothing').toBe(false);

    const applied = await migrate(dir, 'apply', '--schema', v1);
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    expect(applied.stdout).toMatch(/^Applied \d+ steps to .*data\.db \(migration #1, schema [0-9a-f]{12}\):/);
    // as many steps as the plan listed (system collections included)
    const planned = (first.stdout.match(/^ *\d+\. /gm) ?? []).length;
    expect(planned).toBeGreaterThan(1);
    expect(applied.stdout).toContain(`Applied ${planned} steps`);
    expect((await migrate(dir, 'plan', '--schema', v1)).stdout).toMatch(/^Nothing to apply: .* matches .*schema-1\.json\.\n$/);
    expect((await migrate(dir, 'plan', '--schema', v1)).code).toBe(0);
    const status = await migrate(dir, 'status', '--schema', v1);
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toMatch(/^Up to date: .* \(last migration #1 at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z\)\.\n$/);

    execSql(dir, [`INSERT INTO posts (id, title, views, tags) VALUES ('p1', 'Hello', 3, '["a","b"]'), ('p2', 'World', 12.5, '["c"]')`]);
    const plan = await migrate(dir, 'plan', '--schema', v2, '--no-sql');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('2. [loses data] rebuild table "posts" (copies every row into the new shape)');
    expect(plan.stdout).toContain('- "views" changes from number to text: each number becomes its text');
    expect(plan.stdout).toContain('loses: record "p1" holds more than one item in "tags"');
    expect(plan.stdout).not.toContain('SQL:');
    expect((await migrate(dir, 'status', '--schema', v2)).stdout).toMatch(/^Pending: 3 steps \(1 losing data\)/);

    const refused = await migrate(dir, 'apply', '--schema', v2);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Error: The schema change would lose data (1 of 3 steps), so nothing was applied.');
    expect(refused.stderr).toContain('loses: record "p1" holds more than one item in "tags"');
    expect(queryRows(dir, 'SELECT id, title, views, tags FROM posts ORDER BY id')).toEqual([
      { id: 'p1', title: 'Hello', views: 3, tags: '["a","b"]' },
      { id: 'p2', title: 'World', views: 12.5, tags: '["c"]' },
    ]);

    expect((await migrate(dir, 'apply', '--schema', v2, '--allow-data-loss')).code).toBe(0);
    expect(queryRows(dir, 'SELECT id, headline, views, tags FROM posts ORDER BY id')).toEqual([
      { id: 'p1', headline: 'Hello', views: '3', tags: 'b' },
      { id: 'p2', headline: 'World', views: '12.5', tags: 'c' },
    ]);
    const history = await migrate(dir, 'history', '--sql');
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^#1 {2}\S+ \S+ {2}schema [0-9a-f]{12} {2}\d+ steps\n/);
    expect(history.stdout).toMatch(/#2 {2}\S+ \S+ {2}schema [0-9a-f]{12} {2}3 steps\n/);
    expect(history.stdout).toContain('2. [lost data] rebuild table "posts"');
    expect(history.stdout).toContain('SQL: drop table "posts"');
    expect((await migrate(dir, 'status', '--schema', v2)).code).toBe(0);
  });

  it('refuses a plan the data forbids, naming the records, even with --allow-data-loss', async () => {
    const dir = join(root, 'refused');
    const texts = writeSchema([{ name: 'price', type: 'text' }]);
    expect((await migrate(dir, 'apply', '--schema', texts)).code).toBe(0);
    execSql(dir, ["INSERT INTO posts (id, price) VALUES ('a', '12'), ('b', 'twelve'), ('c', '')"]);
    const numbers = writeSchema([{ name: 'price', type: 'number' }]);
    const plan = await migrate(dir, 'plan', '--schema', numbers);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('[refused] rebuild table "posts"');
    expect(plan.stdout).toContain('1 step cannot run on the data as it is');
    const r = await migrate(dir, 'apply', '--schema', numbers, '--allow-data-loss');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused: record "b" holds text in "price" that is not a number (such as "twelve")');
    expect(queryRows(dir, 'SELECT price FROM posts ORDER BY id').map((row) => row['price'])).toEqual(['12', 'twelve', '']);
  });

  it('usage errors exit 2; the schema file may come from GALLEY_SCHEMA', async () => {
    const dir = join(root, 'usage');
    const missing = await migrate(dir, 'plan');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: required option '--schema <file>' not specified");
    expect((await migrate(dir, 'apply', '--schema', v1, '--bogus')).code).toBe(2);
    const viaEnv = await runBinary(['migrate', 'status', '--dir', dir], { env: { GALLEY_SCHEMA: v1 } });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stdout).toMatch(/^Pending: \d+ steps \(0 losing data\)/);
    expect((await migrate(dir, 'history')).stdout).toMatch(/^No migrations applied to .* yet\.\n$/);
  });
});

describe('serve and migrations', () => {
  it('applies a safe plan on start and refuses to start on one that loses data, printing the plan', async () => {
    const dir = join(root, 'serve');
    const server = await startBinary({ schema: v1, dir });
    const created = await fetch(`${server.url}/api/collections/posts/records`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'kept', tags: ['a', 'b'] }),
    });
    expect(created.status).toBe(200);
    await server.stop();

    const refused = await runBinary(['serve', '--dir', dir, '--schema', v2, '--http', '127.0.0.1:0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The schema change would lose data (1 of 3 steps), so nothing was applied. The plan:');
    expect(refused.stderr).toMatch(/loses: record "\w+" holds more than one item in "tags"/);
    expect(refused.stderr).toContain('galley migrate apply --allow-data-loss');

    const safe = writeSchema([...V1_FIELDS, { name: 'stars', type: 'number' }], { indexes: ['CREATE INDEX idx_title ON posts (title)'] });
    const again = await startBinary({ schema: safe, dir });
    try {
      const list = (await (await fetch(`${again.url}/api/collections/posts/records`)).json()) as { items: Array<Record<string, unknown>> };
      expect(list.items).toEqual([expect.objectContaining({ title: 'kept', tags: ['a', 'b'], stars: 0 })]);
    } finally {
      await again.stop();
    }
    expect((await migrate(dir, 'history')).stdout).toContain('add column "posts"."stars" (numeric)');
  });

  it('migrate apply works while a server is writing to the same data directory', async () => {
    const dir = join(root, 'live');
    const server = await startBinary({ schema: v1, dir });
    try {
      let writing = true;
      let acknowledged = 0;
      const writer = (async () => {
        while (writing) {
          const res = await fetch(`${server.url}/api/collections/posts/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"t"}' });
          if (res.status === 200) acknowledged++;
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      const withNote = writeSchema([...V1_FIELDS, { name: 'note', type: 'text' }], { indexes: ['CREATE INDEX idx_title ON posts (title)'] });
      const applied = await migrate(dir, 'apply', '--schema', withNote);
      await new Promise((r) => setTimeout(r, 200));
      writing = false;
      await writer;
      expect(applied).toMatchObject({ code: 0, stderr: '' });
      expect(applied.stdout).toContain('add column "posts"."note" (text)');
      expect(acknowledged).toBeGreaterThan(0);
      const count = queryRows(dir, 'SELECT count(*) AS n FROM posts')[0]!['n'];
      expect(count).toBe(acknowledged);
      expect((await migrate(dir, 'status', '--schema', withNote)).code).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
