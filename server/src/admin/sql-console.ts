/**
 * `POST /api/sql` (PocketBase 0.39's SQL console, apis/sql.go) for superusers: raw SQL on data.db, run by
 * db/sql-console.ts in a child process with a deadline. Where Galley differs from PocketBase, for safety:
 * statements that change data.db's structure (which the schema file owns), reach Galley's `_galley_*` tables,
 * change connection settings (PRAGMA … = …), ATTACH, VACUUM INTO or control the transaction are refused with a
 * 400; every statement runs in one transaction whatever its first word (PocketBase: only "write-looking" queries);
 * rows of the last statement come back even for a write (INSERT … RETURNING). A query that wrote is logged
 * as a warning (so it reaches `_logs`, the app log) with the superuser's id.
 */
import type { Core } from '../core.ts';
import type { SqlChildCell, SqlChildResult } from '../db/sql-console-child.ts';
import { refuseSqlStatement, splitSqlStatements } from '../db/sql-statements.ts';
import { GalleyError, issue, type FieldIssue } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { requireSuperuser } from './collections.ts';

/** wire: runSQLMaxRows and the form's length limit in apis/sql.go. */
export const SQL_MAX_ROWS = 1000;
export const SQL_MAX_LENGTH = 5000;
const MAINTENANCE = new Set(['PRAGMA', 'REINDEX', 'ANALYZE']);

export interface SqlConsoleReply {
  execTime: number;
  affectedRows: number;
  columns: Array<{ name: string; type: string; nullable: boolean }>;
  rows: Array<Array<string | null>>;
}

/** wire: PocketBase's form validation (required, at most 5000 characters), as `data.query`. */
export function readSqlQuery(values: Record<string, unknown>): string {
  const raw = values['query'];
  const query = typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
  let problem: FieldIssue | undefined;
  if (query === '') problem = issue('validation_required', 'Cannot be blank.');
  else if ([...query].length > SQL_MAX_LENGTH) problem = issue('validation_length_too_long', `The length must be no more than ${SQL_MAX_LENGTH}.`, { max: SQL_MAX_LENGTH });
  if (problem) throw new GalleyError('invalid', 'An error occurred while validating the submitted data.', { issues: { query: problem } });
  return query;
}

const failed = (message: string) => new GalleyError('invalid', `Failed to execute query. Raw error:\n${message}`);

export async function runSqlQuery(core: Core, info: RequestInfo, values: Record<string, unknown>): Promise<SqlConsoleReply> {
  requireSuperuser(info);
  const query = readSqlQuery(values).trim();
  const superuserId = String(info.auth?.record['id'] ?? '');
  if (query === '') throw failed('empty query'); // wire: executeQuery's own check
  const statements = splitSqlStatements(query);
  if (statements.length === 0) throw failed('empty query');
  for (const s of statements) {
    const refusal = refuseSqlStatement(s, statements.length);
    if (refusal) throw refuse(core, superuserId, query, refusal);
  }
  const outcome = await core.db.sqlConsole.run({
    statements: statements.map((s) => ({ text: s.text, explained: s.explained, maintenance: MAINTENANCE.has(String(s.tokens[0]?.value ?? '').toUpperCase()) })),
    readOnly: false,
    maxRows: SQL_MAX_ROWS,
    synchronous: core.config.synchronous,
    busyTimeoutMs: core.config.busyTimeoutMs,
    timeoutMs: core.config.sqlTimeoutMs,
  });
  if (!outcome.ok) {
    if (outcome.reason === 'refused') throw refuse(core, superuserId, query, outcome.message);
    if (outcome.reason === 'timeout') core.log.warn('SQL console query stopped at its deadline', { superuserId, query, timeoutMs: core.config.sqlTimeoutMs });
    throw failed(outcome.message);
  }
  const { result } = outcome;
  // a warning, so it reaches _logs (the app log superusers read): a raw write bypasses validation, hooks and realtime
  if (outcome.wrote) core.log.warn('SQL console query wrote to data.db', { superuserId, query, affectedRows: result.affectedRows });
  return { execTime: result.execTime, affectedRows: result.affectedRows, ...toWireResult(result) };
}

function refuse(core: Core, superuserId: string, query: string, why: string): GalleyError {
  core.log.warn('SQL console query refused', { superuserId, query, reason: why });
  return new GalleyError('invalid', `The query was refused: ${why}`);
}

/**
 * wire: PocketBase scans every value into a string (database/sql): integers exactly, reals as Go's `%g`
 * shortest form, text as is, a blob's bytes as text; NULL stays null. Declared types are upper-cased ("" for an
 * expression) and `nullable` is always true (what modernc's driver reports).
 */
export function toWireResult(result: SqlChildResult): Pick<SqlConsoleReply, 'columns' | 'rows'> {
  return {
    columns: result.columns.map((c) => ({ name: c.name, type: c.declaredType.toUpperCase(), nullable: true })),
    rows: result.rows.map((row) => row.map(toWireCell)),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function toWireCell(cell: SqlChildCell): string | null {
  if (cell === null) return null;
  const [kind, text] = cell;
  if (kind === 'r') return formatGoFloat(Number(text));
  if (kind === 'b') return utf8.decode(Buffer.from(text, 'base64'));
  return text;
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64): the shortest digits; the exponent form when it is below -4 or from 6 on. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, exp] = v.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(v);
}
