// The bench data set: N rows (15-char ids, 500-byte bodies, 10 categories, strictly increasing `created`),
// generated once from a fixed seed and written identically into the bare server's DB and Galley's data.db.
// CLI: `bun scripts/bench/seed.ts --out bare.db [--rows 100000]` writes a bare-server database.
import { Database } from 'bun:sqlite';

export interface BenchRow {
  id: string;
  category: string;
  body: string;
  created: string;
  updated: string;
}

export const CATEGORY_COUNT = 10;
export const BODY_BYTES = 500;
/** The bench index, same columns and name in both databases. */
export const INDEX_SQL = 'CREATE INDEX IF NOT EXISTS `idx_items_cat_created` ON `items` (`category`, `created`)';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'galley', 'sqlite', 'bench', 'row', 'body', 'text', 'quick'];

/** mulberry32: deterministic, so two runs (and both databases) hold the same rows. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeId(rng: () => number): string {
  let id = '';
  for (let i = 0; i < 15; i++) id += ID_ALPHABET[Math.floor(rng() * ID_ALPHABET.length)];
  return id;
}

export function makeBody(rng: () => number, bytes = BODY_BYTES): string {
  let body = '';
  while (body.length < bytes) body += WORDS[Math.floor(rng() * WORDS.length)] + ' ';
  return body.slice(0, bytes);
}

/** `YYYY-MM-DD HH:MM:SS.sssZ`, the layout PocketBase and Galley store and compare as strings. */
export function formatCreated(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ');
}

export function generateRows(count: number, seed = 42): BenchRow[] {
  const rng = createRng(seed);
  const start = Date.UTC(2024, 0, 1);
  const seen = new Set<string>();
  const rows: BenchRow[] = [];
  for (let i = 0; i < count; i++) {
    let id = makeId(rng);
    while (seen.has(id)) id = makeId(rng);
    seen.add(id);
    // 1–2 s apart, so no two rows share a `created` and both servers must agree on list order
    const created = formatCreated(start + i * 1000 + Math.floor(rng() * 1000));
    rows.push({ id, category: `c${Math.floor(rng() * CATEGORY_COUNT)}`, body: makeBody(rng), created, updated: created });
  }
  return rows;
}

/** Inserts rows in one transaction; columns of the table that the rows do not have keep their defaults. */
export function insertRows(db: Database, rows: readonly BenchRow[]): void {
  const insert = db.prepare('INSERT INTO items (id, category, body, created, updated) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of rows) insert.run(r.id, r.category, r.body, r.created, r.updated);
  })();
  insert.finalize();
}

/** The bare server's table: shaped as PocketBase creates a base collection's table (rowid table, TEXT ids). */
export function seedBareDb(file: string, rows: readonly BenchRow[]): void {
  const db = new Database(file, { create: true });
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(
      "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY NOT NULL, category TEXT NOT NULL DEFAULT '', " +
        "body TEXT NOT NULL DEFAULT '', created TEXT NOT NULL DEFAULT '', updated TEXT NOT NULL DEFAULT '')",
    );
    db.exec(INDEX_SQL);
    insertRows(db, rows);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/**
 * Galley's data.db after a first `serve` created its tables from the bench schema (the server must be stopped).
 * Checks that the table has the columns we write and the bench index, so a schema drift fails loudly here.
 */
export function seedGalleyDb(file: string, rows: readonly BenchRow[]): void {
  const db = new Database(file);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const columns = new Set(db.query<{ name: string }, []>('PRAGMA table_info(items)').all().map((c) => c.name));
    for (const name of ['id', 'category', 'body', 'created', 'updated']) {
      if (!columns.has(name)) throw new Error(`seed: ${file} has no column items.${name} (columns: ${[...columns].join(', ') || 'none'})`);
    }
    const indexes = db.query<{ name: string }, []>('PRAGMA index_list(items)').all().map((i) => i.name);
    if (!indexes.includes('idx_items_cat_created')) {
      throw new Error(`seed: Galley did not create idx_items_cat_created (indexes: ${indexes.join(', ') || 'none'})`);
    }
    insertRows(db, rows);
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const out = args[args.indexOf('--out') + 1];
  const rows = Number(args.includes('--rows') ? args[args.indexOf('--rows') + 1] : 100_000);
  if (!args.includes('--out') || !out || !Number.isInteger(rows) || rows <= 0) {
    console.error('usage: bun scripts/bench/seed.ts --out FILE [--rows N]');
    process.exit(2);
  }
  const started = performance.now();
  seedBareDb(out, generateRows(rows));
  console.log(`seed: ${rows} rows → ${out} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
}
