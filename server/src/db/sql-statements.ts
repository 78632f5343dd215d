/**
 * The SQL console's first look at a query, before SQLite sees it: split into statements on real tokens
 * (strings, quoted names and comments cannot hide or fake a `;`), and refuse what must never reach
 * `sqlite3_prepare`: a PRAGMA that changes a setting does so while it is prepared (even under EXPLAIN),
 * so PRAGMAs are allowed only from a list of reading and maintenance ones. What a statement does to the
 * database is then decided by SQLite itself, from its EXPLAIN opcodes, in the console's child process
 * (db/sql-console-child.ts). The word checks here only give the clearer message first.
 */
import { isKeyword, tokenizeSql, type SqlToken } from '../schema/view-sql-tokens.ts';

export interface SqlStatement {
  /** the statement's text as written (comments inside kept), without its `;` */
  text: string;
  /** its tokens, without a leading EXPLAIN [QUERY PLAN] */
  tokens: SqlToken[];
  /** written as EXPLAIN …: SQLite only describes it, never runs it */
  explained: boolean;
}

export const SCHEMA_FILE_HINT = 'the structure of data.db comes from the schema file: change the schema file instead (galley migrate)';

/** Pragmas that only read or check (any form) — and those that may be given an argument that is not a new setting. */
const READ_PRAGMAS = new Set([
  'application_id', 'auto_vacuum', 'busy_timeout', 'cache_size', 'collation_list', 'compile_options', 'data_version',
  'database_list', 'encoding', 'foreign_key_check', 'foreign_key_list', 'foreign_keys', 'freelist_count', 'function_list',
  'index_info', 'index_list', 'index_xinfo', 'integrity_check', 'journal_mode', 'journal_size_limit', 'module_list',
  'optimize', 'page_count', 'page_size', 'pragma_list', 'quick_check', 'schema_version', 'synchronous', 'table_info',
  'table_list', 'table_xinfo', 'user_version', 'wal_autocheckpoint',
]);
const ARGUMENT_PRAGMAS = new Set([
  'foreign_key_check', 'foreign_key_list', 'index_info', 'index_list', 'index_xinfo', 'integrity_check', 'optimize',
  'quick_check', 'table_info', 'table_list', 'table_xinfo',
]);

/** Split `query` at top-level semicolons; empty statements are dropped. */
export function splitSqlStatements(query: string): SqlStatement[] {
  const all = tokenizeSql(query);
  const out: SqlStatement[] = [];
  let start = 0;
  let current: SqlToken[] = [];
  const finish = (end: number) => {
    if (current.length > 0) {
      const text = query.slice(start, end).trim();
      let tokens = current;
      const explained = isKeyword(tokens[0], 'EXPLAIN');
      if (explained) tokens = tokens.slice(isKeyword(tokens[1], 'QUERY') && isKeyword(tokens[2], 'PLAN') ? 3 : 1);
      out.push({ text, tokens, explained });
    }
    current = [];
  };
  for (const t of all) {
    if (t.text === ';') {
      finish(t.start);
      start = t.end;
    } else current.push(t);
  }
  finish(query.length);
  return out;
}

/** Why the console refuses `s` on its words alone, or null (SQLite's opcodes still decide the rest). */
export function refuseSqlStatement(s: SqlStatement, count: number): string | null {
  const [first, second] = s.tokens;
  if (!first) return null;
  const word = first.kind === 'word' ? first.value.toUpperCase() : '';
  if (word === 'PRAGMA') return refusePragma(s.tokens);
  if (s.explained) return null;
  if (word === 'CREATE' || word === 'DROP' || word === 'ALTER') {
    // a TEMP object lives and dies with the console's own connection
    if (word === 'CREATE' && isKeyword(second, 'TEMP', 'TEMPORARY')) return null;
    return `${word} is refused: ${SCHEMA_FILE_HINT}`;
  }
  if (word === 'ATTACH' || word === 'DETACH') return `${word} is refused: the console works on data.db alone`;
  if (word === 'BEGIN' || word === 'COMMIT' || word === 'END' || (word === 'ROLLBACK' && !s.tokens.some((t) => isKeyword(t, 'TO')))) {
    return `${word} is refused: the console runs all the statements of a query in one transaction of its own (one failure rolls all back)`;
  }
  if (word === 'VACUUM') {
    if (s.tokens.some((t) => isKeyword(t, 'INTO'))) return 'VACUUM INTO is refused: backups are made with galley backup (or POST /api/backups)';
    if (count > 1) return 'VACUUM must be the only statement of its query (it cannot run inside a transaction)';
  }
  return null;
}

/** `PRAGMA [schema.]name [= value | (value)]`: only reading and checking pragmas, never a new setting. */
function refusePragma(tokens: SqlToken[]): string | null {
  let i = 1;
  if (tokens[i + 1]?.text === '.') i += 2;
  const name = tokens[i];
  if (!name || (name.kind !== 'word' && name.kind !== 'quoted')) return null; // a syntax error: SQLite says so
  const pragma = name.value.toLowerCase();
  const rest = tokens.slice(i + 1);
  if (!READ_PRAGMAS.has(pragma)) return `PRAGMA ${pragma} is refused: the console allows only pragmas that read or check (${[...ARGUMENT_PRAGMAS].slice(0, 4).join(', ')}, …)`;
  if (rest.length === 0) return null;
  if (rest[0]!.text === '(' && ARGUMENT_PRAGMAS.has(pragma)) return null;
  return `PRAGMA ${pragma} with a value is refused: settings of data.db's connections are Galley's (durability, foreign keys, journal)`;
}
