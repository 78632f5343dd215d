// View queries checked by SQLite in memory: its message in Galley's words, with the place, on the view's JSON path.
import { describe, expect, it } from 'vitest';
import { loadSchema } from '../../schema/load.ts';
import { checkViewQueriesInMemory } from './view-check.ts';
import { makeCollection as col, makeField as field } from './testing.ts';

const BASE = [
  { name: 'users', type: 'auth', fields: [{ name: 'name', type: 'text' }] },
  { name: 'posts', fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: 'users', maxSelect: 1 }] },
];

function problemsOf(viewQuery: string): string[] {
  try {
    loadSchema([...BASE, { name: 'v', type: 'view', viewQuery }], 'schema.json', { checkViewQueries: checkViewQueriesInMemory });
  } catch (err) {
    return (err as Error).message.split('\n').slice(1);
  }
  return [];
}

describe('checkViewQueriesInMemory', () => {
  const CASES: Array<[query: string, problem: string]> = [
    ['SELECT id FRM posts', 'near "posts": syntax error at character 15'],
    ['SELECT id, title FROM posts WHERE title = title AND AND 1', 'near "AND": syntax error at character 53'],
    ['SELECT id, title FROM posts WHERE', 'the query ends too early (SQLite: incomplete input) at character 34'],
    ['SELECT id, title FROM postz', 'no such table: postz (only collections can be read); did you mean "posts"? at character 23'],
    ['SELECT p.id, p.titel FROM posts p', 'no such column: p.titel; did you mean "title"? at character 14'],
    ['SELECT p.id,\n  u.nme AS who\nFROM posts p JOIN users u ON u.id = p.author', 'no such column: u.nme; did you mean "name"? at line 2, column 3'],
    ['SELECT id, title FROM posts p JOIN users u ON u.id = p.author', 'ambiguous column name: id at character 8'],
    ['SELECT id, title FROM sqlite_master', 'no such column: id at character 8'],
  ];
  it.each(CASES)('%s', (query, problem) => {
    expect(problemsOf(query)).toEqual([`collections/2/viewQuery: ${problem} (collection "v")`]);
  });

  it('takes valid queries, including one over another view and one ending in a comment', () => {
    expect(problemsOf('SELECT p.id, p.title, u.name FROM posts p LEFT JOIN users u ON u.id = p.author -- the end')).toEqual([]);
    expect(() =>
      loadSchema([...BASE, { name: 'a', type: 'view', viewQuery: 'SELECT id, title FROM posts' }, { name: 'b', type: 'view', viewQuery: 'SELECT id, title FROM a' }], 's', {
        checkViewQueries: checkViewQueriesInMemory,
      }),
    ).not.toThrow();
  });

  it('not one SELECT is said in Galley’s words; otherwise SQLite’s words come first (a syntax error explains a missing id)', () => {
    expect(problemsOf('SELEC id FROM posts')).toEqual(['collections/2/viewQuery: a view query must be a SELECT statement, not SELEC at character 1 (collection "v")']);
    expect(problemsOf('SELECT id FROM posts; DROP TABLE posts')).toEqual(['collections/2/viewQuery: multiple statements are not supported (a ";" ends the first one here) at character 21 (collection "v")']);
    expect(problemsOf('SELECT title FROM posts WHERE')).toEqual(['collections/2/viewQuery: the query ends too early (SQLite: incomplete input) at character 30 (collection "v")']);
  });

  it('reports column names SQLite gives that differ from the fields read from the query', () => {
    const posts = col('posts', [field('title', 'text')]);
    const view = col('v', [field('wrong', 'text')], { type: 'view', viewQuery: 'SELECT id, title FROM posts' });
    expect(checkViewQueriesInMemory([posts, view]).get(view.id)).toEqual({
      refused: false,
      message: 'SQLite names the columns (id, title), not (id, wrong) as read from the query: give each column a plain name with AS',
    });
  });
});
