/**
 * Whether a column has a single-column UNIQUE index among a collection's `indexes` (CREATE INDEX text).
 * wire: a back-relation through such a column has at most one record, so PocketBase skips the all-of check.
 */
const CREATE_INDEX = /^\s*create\s+unique\s+index\s+(?:if\s+not\s+exists\s+)?\S*\s+on\s+\S*\s*\(([\s\S]*)\)(?:\s*where\s+[\s\S]*)?\s*$/i;
const COLUMN = /^([\s\S]+?)(?:\s+collate\s+\w+)?(?:\s+(?:asc|desc))?$/i;

function unquote(name: string): string {
  const t = name.trim();
  const m = /^(["`[])([\s\S]*)["`\]]$/.exec(t);
  return m ? m[2]! : t;
}

export function hasSingleColumnUniqueIndex(indexes: readonly string[], column: string): boolean {
  return indexes.some((ix) => {
    const m = CREATE_INDEX.exec(ix);
    if (!m) return false;
    const columns = m[1]!.split(',');
    if (columns.length !== 1) return false;
    const col = COLUMN.exec(columns[0]!.trim());
    return col !== null && unquote(col[1]!).toLowerCase() === column.toLowerCase();
  });
}
