/**
 * A batch: record create/update/upsert/delete sub-requests run in order inside ONE write job, so they
 * commit together or not at all. Each calls the ordinary record service, whose own `writer.run` nests
 * in that job (db/write-scope.ts) and whose reads see the earlier sub-requests' writes; events leave
 * only after the one COMMIT.
 */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { pickFields } from '../query/fields.ts';
import { createRecord } from '../records/create.ts';
import { deleteRecord } from '../records/delete.ts';
import { prepareRecordInput, type FormFilePart } from '../records/record-uploads.ts';
import { updateRecord } from '../records/update.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { matchBatchAction, type BatchAction } from './batch-action.ts';
import type { BatchSubRequest } from './parse-batch.ts';

/** One sub-request's answer: the record (with its own `fields` applied), or null for a delete. */
export interface BatchOutcome {
  body: Record<string, unknown> | null;
}

/** Sub-request `index` failed with `cause`; everything before it has been rolled back. */
export class BatchRequestFailed extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`batch request ${index} failed`);
    this.name = 'BatchRequestFailed';
  }
}

export interface BatchOptions {
  /** the whole batch must finish within this (wire: settings.batch.timeout seconds) */
  timeoutMs: number;
  /** aborted when the client goes away */
  signal?: AbortSignal;
  /** throws to refuse one sub-request before it runs (wire: the rate limits count each one as a request) */
  admit?: (sub: SubRequestAdmission) => void;
}

/** A sub-request as the rate limits see it: the record route it stands for, with that route's metadata. */
export interface SubRequestAdmission {
  method: string;
  path: string;
  info: RequestInfo;
  /** wire: the record route's tag (`create`, `update`, `delete`), as that route declares it */
  route: { collection: string; rateLimitTags: readonly string[] };
}

// wire: a timeout or an interrupted request fails the batch with this 400 and empty data.
const abandoned = () => new GalleyError('invalid', 'Batch transaction failed.');

function snakeHeader(name: string): string {
  return name.toLowerCase().replace(/-/g, '_');
}

/**
 * wire: a sub-request runs as the outer caller (its own Authorization is not read), sees the outer
 * headers with its own laid over them, its own method and query, and `@request.context` "batch".
 */
function buildSubRequestInfo(outer: RequestInfo, method: string, sub: BatchSubRequest, query: Record<string, string>): RequestInfo {
  const headers = { ...outer.headers };
  for (const [k, v] of Object.entries(sub.headers)) headers[snakeHeader(k)] = v;
  return { auth: outer.auth, method, query, headers, body: {}, context: 'batch' };
}

/** wire: PUT is an upsert: an update when `body.id` names an existing record (no rule asked), else a create. */
async function resolveUpsert(core: Core, action: BatchAction, body: Record<string, unknown>): Promise<BatchAction> {
  const { collection, query } = action;
  const raw = body['id'];
  const id = raw === undefined || raw === null || raw === '' ? '' : String(raw);
  const model = id === '' ? undefined : core.schema.findCollection(collection);
  if (model) {
    const table = model.name;
    const found = await core.db.read.selectFrom(table).select(`${table}.id`).where(`${table}.id`, '=', id).executeTakeFirst();
    if (found) return { kind: 'update', collection, id, query };
  }
  return { kind: 'create', collection, query };
}

/** The path the sub-request runs as (an upsert's turns into its create or update path). */
function describePath(action: BatchAction): string {
  const base = `/api/collections/${action.collection}/records`;
  return action.kind === 'update' || action.kind === 'delete' ? `${base}/${action.id}` : base;
}

type SubRequest = BatchSubRequest<FormFilePart>;

async function runSubRequest(core: Core, outer: RequestInfo, sub: SubRequest, opts: BatchOptions): Promise<BatchOutcome> {
  let action = matchBatchAction(sub.method, sub.url);
  // wire: anything but the four record actions fails the batch with PocketBase's generic 400.
  if (!action) throw new GalleyError('invalid', 'Something went wrong while processing your request.');
  if (action.kind === 'upsert') action = await resolveUpsert(core, action, sub.body);
  const method = { create: 'POST', upsert: 'POST', update: 'PATCH', delete: 'DELETE' }[action.kind];
  const info = buildSubRequestInfo(outer, method, sub, action.query);
  opts.admit?.({ method, path: describePath(action), info, route: { collection: action.collection, rateLimitTags: [action.kind] } });
  if (action.kind === 'delete') {
    await deleteRecord(core, info, action.collection, action.id);
    return { body: null };
  }
  // wire: the sub-request's files (`requests.N.field`) join its body as uploads, as on the record routes.
  const input = await prepareRecordInput(core, action.collection, { values: sub.body, files: sub.files });
  const record =
    action.kind === 'update'
      ? await updateRecord(core, info, action.collection, action.id, input, action.query)
      : await createRecord(core, info, action.collection, input, action.query);
  const fields = action.query['fields'];
  return { body: fields ? (pickFields(record, fields) as Record<string, unknown>) : record };
}

/**
 * Run the sub-requests in order in one transaction. Resolves after the COMMIT; rejects with
 * BatchRequestFailed naming the first failing sub-request, or a 400 on timeout or disconnect, having
 * written nothing.
 */
export function runBatch(core: Core, outer: RequestInfo, requests: SubRequest[], opts: BatchOptions): Promise<BatchOutcome[]> {
  return core.db.writer.run(async () => {
    let stopped = false;
    const work = (async () => {
      const outcomes: BatchOutcome[] = [];
      for (let i = 0; i < requests.length && !stopped; i++) {
        try {
          outcomes.push(await runSubRequest(core, outer, requests[i]!, opts));
        } catch (err) {
          throw new BatchRequestFailed(i, err);
        }
      }
      return outcomes;
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(abandoned()), opts.timeoutMs);
      onAbort = () => reject(abandoned());
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      // A sub-request still running when the limit fires is cut off by the writer: its job has ended.
      return await Promise.race([work, limit]);
    } finally {
      stopped = true;
      clearTimeout(timer);
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
      work.catch(() => {});
    }
  });
}
