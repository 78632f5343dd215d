/**
 * The records import's dry run (the dashboard's, a Galley route: docs/records-extensions.md): every row of the
 * file goes through the ordinary create (or, for a row whose id is stored, update) in ONE writer job that is
 * then rolled back. Each row runs in its own savepoint (a nested writer job), so a refused row is noted and the
 * next one still sees every row accepted before it: a unique value that two rows of the file share is caught
 * however far apart they are, as is one a stored row holds, and so are rules and relations. Nothing is kept and
 * no event is sent (events leave after a COMMIT only).
 *
 * The job holds the writer while it runs: other writes wait for it (100k small rows: about a minute on a busy
 * 2-core machine). Reads go on: the loop lets the event loop turn every YIELD_EVERY rows.
 */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { findCollectionOr404 } from '../records/access.ts';
import { createRecord } from '../records/create.ts';
import { assertWritable } from '../records/create.ts';
import { updateRecord } from '../records/update.ts';
import type { RequestInfo } from '../rules/request-info.ts';

export interface DryRunRowFailure {
  /** 0-based position of the row in the request */
  index: number;
  /** what the create or update threw (the route turns it into PocketBase's error shape) */
  error: unknown;
}

export interface DryRunOutcome {
  checked: number;
  failures: DryRunRowFailure[];
}

/** Thrown out of the job so that its transaction (or savepoint) rolls back with everything in it. */
class DryRunFinished extends Error {}

/** rows checked between two turns of the event loop */
const YIELD_EVERY = 100;

const notARow = () => new GalleyError('invalid', 'A row must be an object of field values.');

/** Check `rows` (request bodies, as the batch's creates/upserts would send them) as one import would write them. */
export async function dryRunRecordImport(
  core: Core,
  info: RequestInfo,
  collectionIdOrName: string,
  rows: readonly unknown[],
  signal?: AbortSignal,
): Promise<DryRunOutcome> {
  const collection = findCollectionOr404(core.schema, collectionIdOrName);
  assertWritable(collection);
  const table = collection.name;
  const failures: DryRunRowFailure[] = [];
  let checked = 0;
  try {
    await core.db.writer.run(async () => {
      for (let index = 0; index < rows.length; index++) {
        if (signal?.aborted) throw new GalleyError('invalid', 'The dry run was interrupted.');
        const row = rows[index];
        try {
          if (!row || typeof row !== 'object' || Array.isArray(row)) throw notARow();
          const body = row as Record<string, unknown>;
          const id = typeof body['id'] === 'string' ? body['id'] : '';
          // as the import's upsert: an id that is stored (or written by an earlier row) updates that record
          const stored = id === '' ? undefined : await core.db.read.selectFrom(table).select(`${table}.id`).where(`${table}.id`, '=', id).executeTakeFirst();
          if (stored) await updateRecord(core, { ...info, method: 'PATCH' }, table, id, body, {});
          else await createRecord(core, { ...info, method: 'POST' }, table, body, {});
        } catch (error) {
          failures.push({ index, error });
        }
        checked++;
        // SQLite answers synchronously, so a long run never left the microtask queue: let other requests in
        if (checked % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      throw new DryRunFinished();
    });
  } catch (err) {
    if (!(err instanceof DryRunFinished)) throw err;
  }
  return { checked, failures };
}
