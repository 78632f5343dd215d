/**
 * The SQL console's child process, as program text run with `<execPath> -e` (bun, node, or the compiled
 * binary with BUN_BE_BUN=1): a process, not a Worker, because neither bun:sqlite nor better-sqlite3 can
 * interrupt a running statement and a terminated Worker goes on running it (measured: Worker.terminate()
 * did not return within 3 s during an endless recursive CTE under Bun 1.4.5), still holding its read
 * snapshot or the write lock. A killed process releases both at once, and SQLite rolls back its unfinished
 * transaction (WAL frames without a commit are never read).
 *
 * Protocol on stdin/stdout, one JSON object a line: the job → `{plan: {writes}}` (or a refusal) → the
 * line `go` once the parent has paused its own writer → `{done: result}` or `{error}`; then the next job. Each
 * job opens its own connection and closes it before answering (no TEMP table or setting outlives a query), so a
 * process that answered can serve the next query; one that did not is killed.
 * What each statement does is read from SQLite's own EXPLAIN opcodes, on this connection, just before it
 * runs (a statement may read a TEMP table an earlier one made).
 * Plain JavaScript on purpose: it is not bundled, it is handed to a fresh runtime as text.
 */
import { SCHEMA_FILE_HINT } from './sql-statements.ts';

export interface SqlChildJob {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs: number;
  statements: Array<{ text: string; explained: boolean; maintenance: boolean }>;
  /** reads only: `query_only` is set, so SQLite itself refuses any write */
  readOnly: boolean;
  maxRows: number;
}

/** A cell: null, or [type, text]: `i` integer (decimal, exact), `r` real, `t` text, `b` blob (base64). */
export type SqlChildCell = null | ['i' | 'r' | 't' | 'b', string];

export interface SqlChildResult {
  /** ms from BEGIN to COMMIT in the child (the process's start left out) */
  execTime: number;
  affectedRows: number;
  columns: Array<{ name: string; declaredType: string }>;
  rows: SqlChildCell[][];
}

export type SqlChildMessage =
  | { plan: { writes: boolean } }
  | { done: SqlChildResult }
  | { error: { message: string; refused: boolean } };

export const SQL_CHILD_PROGRAM = String.raw`
'use strict';
const driver = JSON.parse(process.env.GALLEY_SQL_CHILD_DRIVER);
let buffered = '';
const lines = [];
let waiter = null;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let i;
  while ((i = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    if (waiter) { const w = waiter; waiter = null; w(line); } else lines.push(line);
  }
});
// the parent is gone: stop (an open transaction rolls back)
process.stdin.on('end', () => process.exit(3));
const nextLine = () => new Promise((resolve) => (lines.length > 0 ? resolve(lines.shift()) : (waiter = resolve)));
const send = (message) => new Promise((resolve) => process.stdout.write(JSON.stringify(message) + '\n', resolve));
const failure = (err, refused) => ({ error: { message: String((err && err.message) || err), refused: Boolean(refused || (err && err.refused)) } });

function openDatabase(file) {
  if (driver.runtime === 'bun') {
    const { Database } = require(driver.module);
    const db = new Database(file, { readwrite: true, create: false, safeIntegers: true });
    return {
      exec: (sql) => db.exec(sql),
      close: () => db.close(),
      all(sql) {
        // finalized at once: an unfinalized EXPLAIN of a write keeps COMMIT from ending the transaction
        const stmt = db.prepare(sql);
        try { return stmt.all(); } finally { stmt.finalize(); }
      },
      prepare(sql) {
        const stmt = db.prepare(sql);
        const names = stmt.columnNames;
        return {
          columns: names.map((name, i) => ({ name, declaredType: stmt.declaredTypes[i] || '' })),
          *rows() {
            // objects would merge columns of one name (a join's two ids): arrays then, read whole
            if (new Set(names).size !== names.length) { yield* stmt.values(); return; }
            for (const row of stmt.iterate()) yield names.map((n) => row[n]);
          },
          run: () => stmt.run(),
          close: () => stmt.finalize(),
        };
      },
    };
  }
  const Database = require(driver.module);
  const db = new Database(file, { fileMustExist: true });
  db.defaultSafeIntegers(true);
  return {
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    all: (sql) => db.prepare(sql).all(),
    prepare(sql) {
      const stmt = db.prepare(sql);
      const columns = stmt.reader ? stmt.columns().map((c) => ({ name: c.name, declaredType: c.type || '' })) : [];
      let iterator = null;
      return {
        columns,
        rows: () => (iterator = stmt.raw(true).iterate()),
        run: () => stmt.run(),
        close: () => iterator && iterator.return && iterator.return(),
      };
    },
  };
}

function encodeCell(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return ['i', v.toString()];
  if (typeof v === 'number') return ['r', String(v)]; // safeIntegers: an integer comes as a bigint
  if (typeof v === 'string') return ['t', v];
  return ['b', Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')];
}

const SCHEMA_OPCODES = new Set(['SetCookie', 'CreateBtree', 'ParseSchema', 'DropTable', 'DropIndex', 'DropTrigger', 'VCreate', 'VDestroy']);

/** What SQLite's program for one statement does: refused (why), whether it writes. */
function inspect(db, text, maintenance, protectedRoots) {
  const ops = db.all('EXPLAIN ' + text);
  let writes = false;
  let writesRows = false;
  for (const op of ops) {
    const name = String(op.opcode);
    const p1 = Number(op.p1), p2 = Number(op.p2), p3 = Number(op.p3);
    if (name === 'Transaction' && p2 > 0) { writes = true; writesRows = true; }
    else if (name === 'SqlExec' || name === 'VUpdate') writes = true;
    else if (SCHEMA_OPCODES.has(name) && p1 !== 1) return { refused: 'it changes the structure of data.db (' + name + '); ' + ${JSON.stringify(SCHEMA_FILE_HINT)} };
    else if (name === 'Destroy' && p3 !== 1) return { refused: 'it drops a table or an index of data.db; ' + ${JSON.stringify(SCHEMA_FILE_HINT)} };
    else if ((name === 'OpenWrite') && p3 === 0 && p2 === 1) return { refused: 'it writes the schema table of data.db; ' + ${JSON.stringify(SCHEMA_FILE_HINT)} };
    else if (name === 'JournalMode' && p3 !== -1) return { refused: 'it changes the journal mode of data.db (Galley keeps it in WAL mode)' };
    else if (name === 'Vacuum' && p2 !== 0) return { refused: 'VACUUM INTO is refused: backups are made with galley backup (or POST /api/backups)' };
    else if (name === 'AutoCommit') return { refused: 'the console runs all the statements of a query in one transaction of its own' };
    if (name === 'Vacuum') writes = true;
    if (!maintenance) {
      const root = name === 'Clear' ? (p2 === 0 ? p1 : -1) : (name === 'OpenRead' || name === 'OpenWrite' || name === 'ReopenIdx') && p3 === 0 ? p2 : -1;
      if (protectedRoots.has(root)) return { refused: "it reads or writes Galley's own tables (_galley_*: applied schema, migrations, settings and secrets), which the console cannot reach" };
    }
  }
  return { refused: null, writes, writesRows };
}

/** One query on a connection of its own (closed before the answer: no TEMP table outlives its query). */
async function runJob(job) {
  let db;
  try {
    db = openDatabase(job.file);
    db.exec('PRAGMA busy_timeout = ' + Math.max(0, Math.floor(job.busyTimeoutMs)));
    db.exec('PRAGMA synchronous = ' + (job.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'));
    db.exec('PRAGMA foreign_keys = ON');
    if (job.readOnly) db.exec('PRAGMA query_only = ON');
    const mode = String(db.all('PRAGMA journal_mode')[0].journal_mode).toLowerCase();
    if (mode !== 'wal') throw new Error('data.db is not in WAL mode (' + mode + ')');
  } catch (err) {
    if (db) db.close();
    return failure(err, false);
  }
  try {
    return await runStatements(db, job);
  } finally {
    db.close();
  }
}

async function runStatements(db, job) {
  const protectedRoots = new Set(db.all("SELECT rootpage FROM sqlite_schema WHERE tbl_name LIKE '\\_galley\\_%' ESCAPE '\\'").map((r) => Number(r.rootpage)));
  // first pass: refuse early, and learn whether the parent must pause its writer
  let writes = false;
  for (const s of job.statements) {
    if (s.explained) continue;
    let seen;
    try {
      seen = inspect(db, s.text, s.maintenance, protectedRoots);
    } catch {
      writes = true; // it may need an earlier statement's TEMP table: checked again when it runs
      continue;
    }
    if (seen.refused) return failure(seen.refused, true);
    writes = writes || seen.writes;
  }
  await send({ plan: { writes } });
  if ((await nextLine()) !== 'go') return failure('the query was called off', false);
  const result = { execTime: 0, affectedRows: 0, columns: [], rows: [] };
  const started = performance.now();
  const vacuum = job.statements.length === 1 && /^\s*vacuum\b/i.test(job.statements[0].text);
  let open = false;
  try {
    if (!vacuum) {
      db.exec(writes && !job.readOnly ? 'BEGIN IMMEDIATE' : 'BEGIN');
      open = true;
    }
    job.statements.forEach((s, index) => {
      const seen = s.explained ? { refused: null, writes: false, writesRows: false } : inspect(db, s.text, s.maintenance, protectedRoots);
      if (seen.refused) throw Object.assign(new Error(seen.refused), { refused: true });
      // the parent paused its writer only if the first pass saw a write: a write it did not see would contend
      if (seen.writes && !writes) throw new Error('a statement writes although the first look at the query saw no write; run it on its own');
      const stmt = db.prepare(s.text);
      const last = index === job.statements.length - 1;
      try {
        if (stmt.columns.length > 0) {
          const rows = [];
          for (const row of stmt.rows()) {
            if (last && rows.length < job.maxRows) rows.push(row.map(encodeCell));
            else if (!seen.writesRows) break; // a RETURNING statement is stepped to its end
          }
          if (last) { result.columns = stmt.columns; result.rows = rows; }
        } else {
          stmt.run();
          if (last) { result.columns = []; result.rows = []; }
        }
      } finally {
        stmt.close(); // an unfinished statement would keep COMMIT from ending the transaction
      }
      if (seen.writesRows) result.affectedRows += Number(db.all('SELECT changes() AS n')[0].n);
    });
    if (open) db.exec('COMMIT');
    result.execTime = Math.round(performance.now() - started);
  } catch (err) {
    if (open) { try { db.exec('ROLLBACK'); } catch {} }
    return failure(err, false);
  }
  return { done: result };
}

// one query after another, for as long as the parent keeps this process (it kills it at a deadline)
(async () => {
  for (;;) {
    const line = await nextLine();
    let reply;
    try {
      reply = await runJob(JSON.parse(line));
    } catch (err) {
      reply = failure(err, false);
    }
    await send(reply);
  }
})();
`;
