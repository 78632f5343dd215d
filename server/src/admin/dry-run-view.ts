/**
 * `POST /api/collections/meta/dry-run-view` (PocketBase: apis/collection.go collectionDryRunView, core/view.go
 * DryRunView) for superusers: the fields a view collection with this query would get — inferred exactly as the
 * schema loader infers them (schema/view-fields.ts) — and up to 10 of its records. The sample runs read-only
 * (`query_only`) in the SQL console's child process with its deadline, so a slow query never holds the server.
 */
import type { Core } from '../core.ts';
import { trimViewQuery } from '../db/migrate/ddl.ts';
import type { SqlChildCell } from '../db/sql-console-child.ts';
import { GalleyError } from '../errors.ts';
import { randomString } from '../lib/ids.ts';
import { serializeRecord } from '../records/serialize.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { toFieldJson } from '../schema/collection-json.ts';
import type { CollectionModel } from '../schema/model.ts';
import { deriveCollectionId } from '../schema/normalize.ts';
import { inferViewFields } from '../schema/view-fields.ts';
import { describeSqlPosition } from '../schema/view-sql-tokens.ts';
import { requireSuperuser } from './collections.ts';
import { readSqlQuery } from './sql-console.ts';

/** wire: DryRunView's sample size as the route asks for it. */
const SAMPLE_SIZE = 10;

/** wire: every failure after the form's checks is this 400 with `data: {}`. */
const invalidView = (message: string) => new GalleyError('invalid', `Invalid view query. Raw error: \n${message}`);

export async function dryRunView(core: Core, info: RequestInfo, values: Record<string, unknown>): Promise<{ fields: unknown[]; sample: unknown[] }> {
  requireSuperuser(info);
  const query = trimViewQuery(readSqlQuery(values));
  const schema = core.schema;
  const inferred = inferViewFields(query, (name) => schema.collections.find((c) => c.name.toLowerCase() === name));
  if ('problem' in inferred) {
    const { message, offset } = inferred.problem;
    throw invalidView(offset === null ? message : `${message} ${describeSqlPosition(query, offset)}`);
  }
  // wire: a temp view collection named temp_view_ + 5 random characters
  const name = `temp_view_${randomString(5)}`;
  const fields = inferred.fields.map((f) => f.field);
  const collection: CollectionModel = {
    id: deriveCollectionId('view', name, () => false), name, type: 'view', system: false,
    listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null,
    fields, indexes: [], viewQuery: query,
  };
  const outcome = await core.db.sqlConsole.run({
    // the newline keeps a trailing `-- comment` from swallowing the parenthesis
    statements: [{ text: `SELECT * FROM (${query}\n) LIMIT ${SAMPLE_SIZE}`, explained: false, maintenance: false }],
    readOnly: true,
    maxRows: SAMPLE_SIZE,
    synchronous: core.config.synchronous,
    busyTimeoutMs: core.config.busyTimeoutMs,
    timeoutMs: core.config.sqlTimeoutMs,
  });
  if (!outcome.ok) throw invalidView(outcome.reason === 'sql' ? outcome.message : `${outcome.message}`);
  const columns = outcome.result.columns.map((c) => c.name);
  if (columns.length !== fields.length || columns.some((c, i) => c !== fields[i]!.name)) {
    throw invalidView(`SQLite names the query's columns ${columns.join(', ')}; the view's fields would be ${fields.map((f) => f.name).join(', ')}`);
  }
  const viewer = { superuser: true, authId: null, authCollectionId: null };
  const sample = outcome.result.rows.map((cells) => serializeRecord(collection, Object.fromEntries(cells.map((cell, i) => [columns[i]!, fromCell(cell)])), viewer));
  const ids = new Set<string>();
  for (const record of sample) {
    const id = String(record['id'] ?? '');
    if (id === '') throw invalidView('the query could return records with empty or invalid ids');
    if (ids.has(id)) throw invalidView('the query could return records with non-unique ids');
    ids.add(id);
  }
  return { fields: fields.map(toFieldJson), sample };
}

/** A cell as data.db's own connection would hand it over (numbers as numbers, blobs as bytes). */
function fromCell(cell: SqlChildCell): unknown {
  if (cell === null) return null;
  const [kind, text] = cell;
  if (kind === 'i' || kind === 'r') return Number(text);
  if (kind === 'b') return new Uint8Array(Buffer.from(text, 'base64'));
  return text;
}
