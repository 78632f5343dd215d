// The baseline: what a person would write by hand with Bun.serve + bun:sqlite and no framework, answering the
// bench's requests with the same rule conditions, validation and JSON shapes as Galley.
// `bun scripts/bench/bare-server.ts --db FILE --port N` (the DB comes from seed.ts).
//   GET  /items/:id                          view rule `category != 'hidden'` written into the SQL
//   GET  /items?category=cN[&skipTotal=1]    50 newest of a category, with or without COUNT(*) for totals
//   POST /items[?sync=full]                  hand validation, one autocommit INSERT (= one COMMIT) per request,
//                                            on a synchronous=NORMAL connection, or FULL with ?sync=full
import { Database } from 'bun:sqlite';
import { randomBytes } from 'node:crypto';
import { crc32 } from '../../server/src/lib/ids.ts';

const args = process.argv.slice(2);
const argOf = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const file = argOf('--db');
const port = Number(argOf('--port') ?? 0);
if (!file) {
  console.error('usage: bun scripts/bench/bare-server.ts --db FILE [--port N]');
  process.exit(2);
}

// Same JSON as Galley sends, so both put the same bytes on the wire.
const COLLECTION_ID = `pbc_${crc32('baseitems')}`;
const PER_PAGE = 50;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function openConnection(synchronous: 'NORMAL' | 'FULL'): Database {
  const db = new Database(file);
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  return db;
}

const normal = openConnection('NORMAL');
const full = openConnection('FULL');

interface Row {
  id: string;
  category: string;
  body: string;
  created: string;
  updated: string;
}

const viewStmt = normal.query<Row, [string]>("SELECT * FROM items WHERE id = ? AND category != 'hidden'");
const listStmt = normal.query<Row, [string, number]>(
  "SELECT * FROM items WHERE category = ? AND category != 'hidden' ORDER BY created DESC LIMIT ?",
);
const countStmt = normal.query<{ n: number }, [string]>(
  "SELECT COUNT(*) AS n FROM items WHERE category = ? AND category != 'hidden'",
);
const insertSql = 'INSERT INTO items (id, category, body, created, updated) VALUES (?, ?, ?, ?, ?)';
const insertNormal = normal.prepare<void, [string, string, string, string, string]>(insertSql);
const insertFull = full.prepare<void, [string, string, string, string, string]>(insertSql);

const toRecord = (r: Row) => ({ collectionId: COLLECTION_ID, collectionName: 'items', ...r });

function newId(): string {
  let id = '';
  for (const b of randomBytes(15)) id += ID_ALPHABET[b % 36]; // a little modulo bias is fine for a baseline
  return id;
}

function fail(status: number, message: string, data: Record<string, unknown> = {}): Response {
  return Response.json({ status, message, data }, { status });
}

/** Hand-written equivalent of the bench schema: category text required max 20, body text max 1000, createRule. */
function validateItem(input: unknown): { category: string; body: string } | Response {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail(400, 'Invalid body.');
  const raw = input as Record<string, unknown>;
  const category = raw.category == null ? '' : String(raw.category);
  const body = raw.body == null ? '' : String(raw.body);
  const issues: Record<string, { code: string; message: string }> = {};
  if (category === '') issues.category = { code: 'validation_required', message: 'Missing required value.' };
  else if (category.length > 20) issues.category = { code: 'validation_max_text_constraint', message: 'Must be less than 20 character(s).' };
  if (body.length > 1000) issues.body = { code: 'validation_max_text_constraint', message: 'Must be less than 1000 character(s).' };
  if (Object.keys(issues).length > 0) return fail(400, 'Failed to create record.', issues);
  if (!(category !== '')) return fail(400, 'Failed to create record.'); // the createRule
  return { category, body };
}

const server = Bun.serve({
  hostname: '127.0.0.1',
  port,
  routes: {
    '/health': () => Response.json({ code: 200, message: 'API is healthy.', data: {} }),
    '/items/:id': {
      GET: (req) => {
        const row = viewStmt.get(req.params.id);
        return row ? Response.json(toRecord(row)) : fail(404, "The requested resource wasn't found.");
      },
    },
    '/items': {
      GET: (req) => {
        const query = new URL(req.url).searchParams;
        const category = query.get('category') ?? '';
        const items = listStmt.all(category, PER_PAGE).map(toRecord);
        const skipTotal = query.get('skipTotal') === '1' || query.get('skipTotal') === 'true';
        const totalItems = skipTotal ? -1 : countStmt.get(category)!.n;
        const totalPages = skipTotal ? -1 : Math.ceil(totalItems / PER_PAGE);
        return Response.json({ items, page: 1, perPage: PER_PAGE, totalItems, totalPages });
      },
      POST: async (req) => {
        let input: unknown;
        try {
          input = await req.json();
        } catch {
          return fail(400, 'Invalid JSON body.');
        }
        const item = validateItem(input);
        if (item instanceof Response) return item;
        const now = new Date().toISOString().replace('T', ' ');
        const row: Row = { id: newId(), category: item.category, body: item.body, created: now, updated: now };
        const insert = new URL(req.url).searchParams.get('sync') === 'full' ? insertFull : insertNormal;
        insert.run(row.id, row.category, row.body, row.created, row.updated); // autocommit: one COMMIT
        return Response.json(toRecord(row));
      },
    },
  },
  fetch: () => fail(404, 'Not found.'),
});

console.log(`bare: listening on http://127.0.0.1:${server.port}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.stop(true);
    normal.close();
    full.close();
    process.exit(0);
  });
}
