// A rule that names what the schema does not have stops `galley serve` and every `galley migrate` command
// before anything is applied, with the JSON pointer, the names and a did-you-mean for each problem.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, runBinary } from './helpers/binary.ts';

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const file = join(root, 'schema.json');
writeFileSync(file, JSON.stringify({
  collections: [
    { name: 'users', type: 'auth', fields: [{ name: 'name', type: 'text' }] },
    {
      name: 'posts', type: 'base',
      listRule: 'auther = @request.auth.id',
      viewRule: "@collection.nope.x = 1 || @request.auth.nmae = 'x'",
      updateRule: 'title:isset = true',
      fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1 }],
    },
  ],
}));

const PROBLEMS = [
  'collections/1/listRule: "auther" (at 0): collection "posts" has no field "auther"; did you mean "author"?',
  'collections/1/viewRule: "@collection.nope.x" (at 0): no collection "nope"',
  'collections/1/viewRule: "@request.auth.nmae" (at 26): no auth collection has a field "nmae"; did you mean "name"?',
  'collections/1/updateRule: "title:isset" (at 0): ":isset" only applies to @request.* values, not to the field "title" of "posts"',
];

describe('rules checked against the schema by the binary', () => {
  it.each([['migrate', 'plan'], ['migrate', 'apply'], ['migrate', 'status'], ['serve', '--http', '127.0.0.1:0']])('%s %s exits 1 listing every rule problem; nothing is applied', async (...args) => {
    const dir = join(root, args.join('-').replace(/[^\w-]/g, ''));
    const r = await runBinary([...args, '--schema', file, '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('4 problems');
    for (const line of PROBLEMS) expect(r.stderr).toContain(line);
    expect(r.stdout).not.toContain('Server started');
    expect(existsSync(join(dir, 'data.db'))).toBe(false);
  });
});
