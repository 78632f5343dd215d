/**
 * The index picker's model: a `CREATE [UNIQUE] INDEX name ON table (col, …)` read into its parts and written back.
 * Only that plain shape is read (no expressions, COLLATE, ASC/DESC or WHERE); anything else is edited as SQL.
 */
export interface IndexSpec {
  name: string;
  unique: boolean;
  columns: string[];
}

const IDENT = String.raw`(?:\x60([^\x60]+)\x60|"([^"]+)"|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_]*))`;
const STATEMENT = new RegExp(String.raw`^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?${IDENT}\s+ON\s+${IDENT}\s*\((.*)\)\s*;?\s*$`, 'is');
const COLUMN = new RegExp(String.raw`^\s*${IDENT}\s*$`, 's');

const pick = (m: RegExpExecArray, from: number): string | undefined => m[from] ?? m[from + 1] ?? m[from + 2] ?? m[from + 3];

/** The parts of a plain index statement, or null when it has more than the picker shows. */
export function parseIndexSql(sql: string): IndexSpec | null {
  const m = STATEMENT.exec(sql);
  if (!m) return null;
  const name = pick(m, 2);
  const columns: string[] = [];
  for (const part of (m[10] ?? '').split(',')) {
    const c = COLUMN.exec(part);
    const column = c ? pick(c, 1) : undefined;
    if (!column) return null;
    columns.push(column);
  }
  if (!name || columns.length === 0) return null;
  return { name, unique: !!m[1], columns };
}

/** The statement for `spec` on `table`, names quoted as PocketBase writes them. */
export function buildIndexSql(spec: IndexSpec, table: string): string {
  const cols = spec.columns.map((c) => `\`${c}\``).join(', ');
  return `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX \`${spec.name}\` ON \`${table}\` (${cols})`;
}

/** `idx_<table>_<columns>`, with a number added when another index of the collection has that name. */
export function generateIndexName(table: string, columns: readonly string[], taken: readonly string[]): string {
  const stem = `idx_${[table || 'collection', ...columns].join('_')}`.replace(/[^A-Za-z0-9_]/g, '_');
  const used = new Set(taken.map((t) => t.toLowerCase()));
  let name = stem;
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${stem}_${n}`;
  return name;
}

/** The name an index statement gives, plain or not (for the names already taken). */
export function readIndexName(sql: string): string | undefined {
  const m = new RegExp(String.raw`^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?${IDENT}`, 'i').exec(sql);
  return m ? pick(m, 1) : undefined;
}
