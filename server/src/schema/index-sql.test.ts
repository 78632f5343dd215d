import { describe, expect, it } from 'vitest';
import { GalleyError } from '../errors.ts';
import { explainIndexProblem, findSingleColumnUniqueIndex, parseCollectionIndex, parseIndexDefinition } from './index-sql.ts';

describe('parseIndexDefinition', () => {
  it('reads PocketBase index statements', () => {
    expect(parseIndexDefinition("CREATE UNIQUE INDEX `idx_email_x` ON `users` (`email`) WHERE `email` != ''")).toEqual({
      unique: true, ifNotExists: false, name: 'idx_email_x', table: 'users',
      columns: [{ name: 'email', expression: false, collate: '', sort: '' }], columnsSql: '`email`', where: "`email` != ''",
      normalized: "CREATE UNIQUE INDEX quoted:idx_email_x ON quoted:users punct:( quoted:email punct:) WHERE quoted:email op:!= string:",
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
    // what db/migrate would refuse to run is refused when the file loads
    ['CREATE INDEX i ON main.t (a)', 'the table name must not name a schema ("main.")'],
    ["CREATE INDEX i ON t (a) WHERE b = 'open", 'unterminated string at 34'],
    ['CREATE INDEX i ON t (a) WHERE b = ?', 'unexpected character "?" at 34'],
    ['CREATE INDEX i ON t (a));', 'unbalanced parentheses'],
  ])('%s', (sql, want) => expect(explainIndexProblem(sql)).toBe(want));
});

describe('parseCollectionIndex', () => {
  it.each([
    ['CREATE UNIQUE INDEX `idx_x` ON `posts` (`slug`)', { name: 'idx_x', unique: true, table: 'posts', columnsSql: '`slug`', where: '' }],
    ['create index idx_y on posts (a, b DESC)', { name: 'idx_y', unique: false, columnsSql: 'a, b DESC' }],
    ['CREATE INDEX IF NOT EXISTS "idx z" ON [Posts] (lower(`title`) COLLATE NOCASE);', { name: 'idx z', table: 'Posts', columnsSql: 'lower(`title`) COLLATE NOCASE' }],
    ["CREATE UNIQUE INDEX `idx_email_pbc_1` ON `posts` (`email`) WHERE `email` != ''", { unique: true, where: "`email` != ''" }],
    ["CREATE INDEX i ON posts (a) WHERE (a > 1 AND b = 'x;y')", { where: "(a > 1 AND b = 'x;y')" }],
  ])('accepts %s', (text, expected) => {
    expect(parseCollectionIndex(text, 'posts')).toMatchObject(expected);
  });

  it.each([
    ['CREATE INDEX i ON other (a)', /indexes table "other", but belongs to collection "posts"/],
    ['CREATE INDEX i ON posts (a); DROP TABLE posts', /only one statement/],
    ['CREATE INDEX i ON posts (a) WHERE a = 1; DELETE FROM posts', /only one statement/],
    ['CREATE INDEX i ON posts (a -- comment\n)', /comments/],
    ['CREATE INDEX i ON posts (a /* c */)', /comments/],
    ['CREATE INDEX main.i ON posts (a)', /schema/],
    ['CREATE INDEX i ON main.posts (a)', /schema|belongs/],
    ['CREATE TABLE x (a)', /expected INDEX/],
    ['DROP INDEX i', /expected CREATE/],
    ['CREATE INDEX i ON posts a', /expected "\("/],
    ['CREATE INDEX i ON posts ((a)', /unbalanced/],
    ['CREATE INDEX i ON posts ()', /no indexed columns/],
    ["CREATE INDEX i ON posts (a) WHERE b = 'open", /unterminated string/],
    ['CREATE INDEX i ON posts (a) WHERE', /WHERE without a condition/],
    ['CREATE INDEX i ON posts (a) extra', /unexpected "extra"/],
    ['CREATE INDEX `` ON posts (a)', /index name/],
  ])('refuses %s', (text, message) => {
    expect(() => parseCollectionIndex(text, 'posts')).toThrow(GalleyError);
    expect(() => parseCollectionIndex(text, 'posts')).toThrow(message);
  });

  it('normalises whitespace, keyword case and IF NOT EXISTS for comparison', () => {
    const a = parseCollectionIndex('CREATE UNIQUE INDEX `i` ON `posts` (`slug`)', 'posts');
    const b = parseCollectionIndex('create  unique index if not exists `i`\n on `posts`(`slug`);', 'posts');
    const c = parseCollectionIndex('CREATE UNIQUE INDEX `i` ON `posts` (`title`)', 'posts');
    expect(a.normalized).toBe(b.normalized);
    expect(a.normalized).not.toBe(c.normalized);
  });
});

describe('findSingleColumnUniqueIndex', () => {
  it('finds only a unique index on exactly that column', () => {
    const indexes = ['CREATE INDEX a ON t (email)', 'CREATE UNIQUE INDEX b ON t (email, name)', 'CREATE UNIQUE INDEX c ON t (`Email`)'];
    expect(findSingleColumnUniqueIndex(indexes, 'email')?.name).toBe('c');
    expect(findSingleColumnUniqueIndex(indexes, 'name')).toBeUndefined();
  });
});
