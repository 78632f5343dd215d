import { describe, expect, it } from 'vitest';
import { buildIndexSql, generateIndexName, parseIndexSql, readIndexName } from './index-sql.ts';

describe('the index picker model', () => {
  it.each([
    ['CREATE UNIQUE INDEX `idx_tags_name` ON `tags` (`name`)', { name: 'idx_tags_name', unique: true, columns: ['name'] }],
    ['create index idx_a on posts (title, "author", [slug])', { name: 'idx_a', unique: false, columns: ['title', 'author', 'slug'] }],
    ['CREATE INDEX IF NOT EXISTS `x` ON `p` (`a`);', { name: 'x', unique: false, columns: ['a'] }],
  ])('reads %s', (sql, spec) => {
    expect(parseIndexSql(sql)).toEqual(spec);
  });

  it.each([
    'CREATE INDEX `idx` ON `posts` (lower(title))',
    'CREATE INDEX `idx` ON `posts` (`title` COLLATE NOCASE)',
    'CREATE INDEX `idx` ON `posts` (`title`) WHERE `title` != \'\'',
    'CREATE INDEX `idx` ON `posts` ()',
    'not an index',
  ])('leaves %s to the SQL box', (sql) => {
    expect(parseIndexSql(sql)).toBeNull();
  });

  it('writes a statement that reads back the same', () => {
    const spec = { name: 'idx_posts_title_slug', unique: true, columns: ['title', 'slug'] };
    const sql = buildIndexSql(spec, 'posts');
    expect(sql).toBe('CREATE UNIQUE INDEX `idx_posts_title_slug` ON `posts` (`title`, `slug`)');
    expect(parseIndexSql(sql)).toEqual(spec);
  });

  it('generates a name from the table and columns, numbered past the names taken', () => {
    expect(generateIndexName('posts', ['title'], [])).toBe('idx_posts_title');
    expect(generateIndexName('posts', ['title'], ['IDX_posts_title', 'idx_posts_title_2'])).toBe('idx_posts_title_3');
    expect(readIndexName('CREATE UNIQUE INDEX IF NOT EXISTS "a b" ON t (c)')).toBe('a b');
  });
});
