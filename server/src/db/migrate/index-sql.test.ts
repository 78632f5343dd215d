import { describe, expect, it } from 'vitest';
import { GalleyError } from '../../errors.ts';
import { parseIndexSql } from './index-sql.ts';

describe('parseIndexSql', () => {
  it.each([
    ['CREATE UNIQUE INDEX `idx_x` ON `posts` (`slug`)', { name: 'idx_x', unique: true, table: 'posts', columns: '`slug`', where: undefined }],
    ['create index idx_y on posts (a, b DESC)', { name: 'idx_y', unique: false, columns: 'a, b DESC' }],
    ['CREATE INDEX IF NOT EXISTS "idx z" ON [Posts] (lower(`title`) COLLATE NOCASE);', { name: 'idx z', table: 'Posts', columns: 'lower(`title`) COLLATE NOCASE' }],
    ["CREATE UNIQUE INDEX `idx_email_pbc_1` ON `posts` (`email`) WHERE `email` != ''", { unique: true, where: "`email` != ''" }],
    ["CREATE INDEX i ON posts (a) WHERE (a > 1 AND b = 'x;y')", { where: "(a > 1 AND b = 'x;y')" }],
  ])('accepts %s', (text, expected) => {
    expect(parseIndexSql(text, 'posts')).toMatchObject(expected);
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
    expect(() => parseIndexSql(text, 'posts')).toThrow(GalleyError);
    expect(() => parseIndexSql(text, 'posts')).toThrow(message);
  });

  it('normalises whitespace, keyword case and IF NOT EXISTS for comparison', () => {
    const a = parseIndexSql('CREATE UNIQUE INDEX `i` ON `posts` (`slug`)', 'posts');
    const b = parseIndexSql('create  unique index if not exists `i`\n on `posts`(`slug`);', 'posts');
    const c = parseIndexSql('CREATE UNIQUE INDEX `i` ON `posts` (`title`)', 'posts');
    expect(a.normalized).toBe(b.normalized);
    expect(a.normalized).not.toBe(c.normalized);
  });
});
