import { describe, expect, it } from 'vitest';
import { explainIndexProblem, findSingleColumnUniqueIndex, parseIndexDefinition } from './index-sql.ts';

describe('parseIndexDefinition', () => {
  it('reads PocketBase index statements', () => {
    expect(parseIndexDefinition("CREATE UNIQUE INDEX `idx_email_x` ON `users` (`email`) WHERE `email` != ''")).toEqual({
      unique: true, ifNotExists: false, schemaName: '', name: 'idx_email_x', table: 'users',
      columns: [{ name: 'email', expression: false, collate: '', sort: '' }], where: "`email` != ''",
    });
    expect(parseIndexDefinition('create index if not exists idx ON "posts" (\n  status,\n  `published` DESC,\n  title COLLATE NOCASE\n);')).toMatchObject({
      ifNotExists: true,
      table: 'posts',
      columns: [
        { name: 'status', sort: '' },
        { name: 'published', sort: 'DESC' },
        { name: 'title', collate: 'NOCASE' },
      ],
    });
  });
  it('tells expressions from column names, and a WHERE with parentheses from columns', () => {
    const idx = parseIndexDefinition("CREATE INDEX i ON t (lower(name), (a + b)) WHERE (x > 1 AND y IN ('a)'))");
    expect(idx?.columns.map((c) => [c.name, c.expression])).toEqual([['lower(name)', true], ['(a + b)', true]]);
    expect(idx?.where).toBe("(x > 1 AND y IN ('a)'))");
  });
  it.each(['CREATE INDEX nope', 'CREATE TABLE t (a)', 'CREATE INDEX i ON t ()', 'CREATE INDEX i ON t (a) junk', 'DROP INDEX i'])('refuses %s', (sql) => {
    expect(parseIndexDefinition(sql)).toBeNull();
  });
});

describe('explainIndexProblem', () => {
  it.each([
    ['CREATE INDEX i ON t (a)', null],
    ["CREATE INDEX i ON t (a) WHERE b = '--'", null],
    ['CREATE INDEX i ON t (a) -- note', 'comments are not allowed in an index statement'],
    ['CREATE INDEX i ON t (a); DROP TABLE t', 'only one statement is allowed'],
    ['CREATE INDEX i ON t ((a)', 'unbalanced parentheses'],
    ['CREATE INDEX main.i ON t (a)', 'the index name must not name a schema ("main.")'],
    ['nonsense', 'not a CREATE [UNIQUE] INDEX `name` ON `table` (`column`, …) statement'],
  ])('%s', (sql, want) => expect(explainIndexProblem(sql)).toBe(want));
});

describe('findSingleColumnUniqueIndex', () => {
  it('finds only a unique index on exactly that column', () => {
    const indexes = ['CREATE INDEX a ON t (email)', 'CREATE UNIQUE INDEX b ON t (email, name)', 'CREATE UNIQUE INDEX c ON t (`Email`)'];
    expect(findSingleColumnUniqueIndex(indexes, 'email')?.name).toBe('c');
    expect(findSingleColumnUniqueIndex(indexes, 'name')).toBeUndefined();
  });
});
