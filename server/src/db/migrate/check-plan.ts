/**
 * Answers a plan's data checks: which records would lose data or forbid a step, named by id.
 * `checkPlan` asks before anything runs (by the names tables and columns have then); checks that depend
 * on earlier steps are asked again by apply-plan.ts right before their step, inside the transaction.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { SchemaDialect } from './schema-dialect.ts';
import { sqliteSchemaDialect } from './sqlite-schema-dialect.ts';
import type { CheckedPlan, CheckedStep, DataCheck, Plan } from './step.ts';

export interface CheckAnswer {
  effect: 'lossy' | 'refused';
  message: string;
}

const SHOWN_IDS = 10;
const PAGE = 5000;
/** A number as the API takes it from text (wire: Go's ParseFloat without the Inf/NaN words). */
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const q = (s: string) => JSON.stringify(s);

/** `record "a" holds` / `records "a", "b" and 3 more hold`: the records as the subject of `verb`. */
function formatIds(ids: string[], total: number, verb: 'hold' | 'share' = 'hold'): string {
  const list = ids.map((id) => q(id)).join(', ');
  const more = total > ids.length ? ` and ${total - ids.length} more` : '';
  return total === 1 ? `record ${list} ${verb}s` : `records ${list}${more} ${verb}`;
}

/** Ids (first few, sorted) and count of the rows `where` picks in `table`. */
async function findOffenders(db: Kysely<any>, table: string, where: RawBuilder<unknown>): Promise<{ ids: string[]; total: number }> {
  const picked = sql`SELECT ${sql.ref(`${table}.id`)} AS id FROM ${sql.table(table)} WHERE ${where}`;
  // (the subqueries are named: PostgreSQL 15 wants an alias)
  const { rows } = await sql<{ id: string }>`SELECT id FROM (${picked}) AS picked ORDER BY id LIMIT ${sql.lit(SHOWN_IDS)}`.execute(db);
  if (rows.length === 0) return { ids: [], total: 0 };
  const count = await sql<{ n: number }>`SELECT count(*) AS n FROM (${picked}) AS picked`.execute(db);
  return { ids: rows.map((r) => String(r.id)), total: Number(count.rows[0]!.n) };
}

/** Text values that do not read as a number; scanned in pages so a large table is not held in memory. */
async function findNonNumbers(db: Kysely<any>, table: string, column: string, dialect: SchemaDialect): Promise<{ ids: string[]; total: number; sample: string }> {
  const ids: string[] = [];
  let total = 0;
  let sample = '';
  const key = sql.ref(dialect.pageKey.column);
  for (let after: string | number = dialect.pageKey.first; ; ) {
    const { rows } = await sql<{ r: string | number; id: string; v: unknown }>`SELECT ${key} AS r, id, ${sql.ref(column)} AS v FROM ${sql.table(table)}
      WHERE ${key} > ${after} AND ${sql.ref(column)} != '' ORDER BY ${key} LIMIT ${sql.lit(PAGE)}`.execute(db);
    for (const row of rows) {
      const text = String(row.v);
      if (NUMBER_TEXT.test(text) && Number.isFinite(Number(text))) continue;
      if (total++ === 0) sample = text.length > 40 ? `${text.slice(0, 37)}…` : text;
      if (ids.length < SHOWN_IDS) ids.push(String(row.id));
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.r;
  }
  return { ids: ids.sort(), total, sample };
}

/** The rows that break a unique index: same values in every indexed expression (NULLs never collide). */
function buildDuplicateWhere(check: Extract<DataCheck, { kind: 'duplicates' }>, table: string, dialect: SchemaDialect): RawBuilder<unknown> {
  // The index's own column and WHERE text, checked by schema/index-sql.ts, is what CREATE INDEX will run.
  const exprs = check.index.columns.map((c) => dialect.indexExpression(c));
  const filter = [...(check.index.where === '' ? [] : [dialect.indexWhere(check.index.where)]), ...exprs.map((e) => sql`${e} IS NOT NULL`)];
  const windowed = sql`SELECT id, count(*) OVER (PARTITION BY ${sql.join(exprs)}) AS n FROM ${sql.table(table)} WHERE ${sql.join(filter, sql` AND `)}`;
  return sql`${sql.ref(`${table}.id`)} IN (SELECT id FROM (${windowed}) AS counted WHERE n > 1)`;
}

/** The answer to one check, asked by the names before the plan (`before`) or as they are now. */
export async function answerDataCheck(db: Kysely<any>, check: DataCheck, when: 'before' | 'now', dialect: SchemaDialect = sqliteSchemaDialect): Promise<CheckAnswer | null> {
  const at = when === 'before' ? check.before : check;
  if (!at) throw new Error('a check without names before the plan can only be asked while applying');
  const value = sql`${sql.ref(`${at.table}.${at.column || 'id'}`)}`;
  switch (check.kind) {
    case 'listTooLong': {
      const { ids, total } = await findOffenders(db, at.table, sql`${dialect.listLength(value)} > ${sql.lit(check.max)}`);
      const what = check.max === 1 ? 'more than one item' : `more than ${check.max} items`;
      return total === 0 ? null : { effect: 'lossy', message: `${formatIds(ids, total)} ${what} in ${q(check.column)}` };
    }
    case 'notZeroOrOne': {
      const { ids, total } = await findOffenders(db, at.table, sql`${value} NOT IN (0, 1)`);
      return total === 0 ? null : { effect: 'lossy', message: `${formatIds(ids, total)} numbers other than 0 and 1 in ${q(check.column)}` };
    }
    case 'notNumber': {
      const { ids, total, sample } = await findNonNumbers(db, at.table, at.column, dialect);
      return total === 0 ? null : { effect: 'refused', message: `${formatIds(ids, total)} text in ${q(check.column)} that is not a number (such as ${q(sample)})` };
    }
    case 'danglingIds': {
      const target = sql.table((when === 'before' ? check.targetBefore : check.target) ?? check.target);
      const targetIds = sql`(SELECT ${sql.ref('id')} FROM ${target})`;
      const where = check.multi
        ? dialect.hasItemNotIn(value, targetIds)
        : sql`${value} != '' AND ${value} NOT IN ${targetIds}`;
      const { ids, total } = await findOffenders(db, at.table, where);
      return total === 0 ? null : { effect: 'lossy', message: `${formatIds(ids, total)} ids in ${q(check.column)} that are not records of ${q(check.target)}` };
    }
    case 'duplicates': {
      const { ids, total } = await findOffenders(db, at.table, buildDuplicateWhere(check, at.table, dialect));
      return total === 0 ? null : { effect: 'refused', message: `${formatIds(ids, total, 'share')} values that the unique index ${q(check.index.name)} forbids` };
    }
  }
}

/** Adds the answer to a checked step: a lossy answer joins its `why`, a refusing one its `refused`. */
export function addAnswer(step: CheckedStep, answer: CheckAnswer): void {
  if (answer.effect === 'refused') step.refused = step.refused ? `${step.refused}; ${answer.message}` : answer.message;
  else {
    step.lossy = true;
    step.why = step.why ? `${step.why}; ${answer.message}` : answer.message;
  }
}

/** The plan with every check answered that can be answered before it runs. Reads only. */
export async function checkPlan(db: Kysely<any>, plan: Plan, dialect: SchemaDialect = sqliteSchemaDialect): Promise<CheckedPlan> {
  const steps: CheckedStep[] = [];
  for (const step of plan.steps) {
    const out: CheckedStep = { ...step, refused: '', checkedOnApply: false };
    for (const check of step.checks) {
      if (!check.before) {
        out.checkedOnApply = true;
        continue;
      }
      const answer = await answerDataCheck(db, check, 'before', dialect);
      if (answer) addAnswer(out, answer);
    }
    steps.push(out);
  }
  return { ...plan, steps };
}
