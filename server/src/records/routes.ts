import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { json, noContent, respond, tagCollectionRoute } from '../http/route-kit.ts';
import { createRecord } from './create.ts';
import { deleteRecord } from './delete.ts';
import { listRecords } from './list.ts';
import { hasRecordRequestHooks, runListRequestHooks, runViewRequestHooks } from './read-request-hooks.ts';
import { describeUploadLimits, prepareRecordInput } from './record-uploads.ts';
import { updateRecord } from './update.ts';
import { viewRecord } from './view.ts';

// wire: PocketBase's rate-limit tags of the two reads; one array each, not one per request
const LIST_TAGS: readonly string[] = ['list'];
const VIEW_TAGS: readonly string[] = ['view'];

/** GET /api/collections/{collection}/records: the route's whole answer (http/fast-reads.ts calls it without the router). */
export function answerListRecords(core: Core, request: Request, collection: string): Promise<Response> {
  return respond(
    core,
    request,
    async (req) => {
      const result = await listRecords(core, req.info, collection, req.query);
      return json(hasRecordRequestHooks(core) ? await runListRequestHooks(core, req.info, collection, result) : result);
    },
    { collection, rateLimitTags: LIST_TAGS },
  );
}

/** GET /api/collections/{collection}/records/{id}: the route's whole answer (http/fast-reads.ts calls it without the router). */
export function answerViewRecord(core: Core, request: Request, collection: string, id: string): Promise<Response> {
  return respond(
    core,
    request,
    async (req) => {
      const record = await viewRecord(core, req.info, collection, id, req.query);
      return json(hasRecordRequestHooks(core) ? await runViewRequestHooks(core, req.info, collection, record) : record);
    },
    { collection, rateLimitTags: VIEW_TAGS },
  );
}

/** PocketBase's record CRUD paths, verbatim. */
export function recordRoutes(core: Core) {
  const base = '/api/collections/:collection/records';
  return new Elysia({ name: 'galley-records' })
    .get(base, ({ request, params }) => answerListRecords(core, request, params.collection))
    .post(base, ({ request, params }) =>
      respond(core, request, async (req) => {
        const body = await req.body(describeUploadLimits(core, params.collection, 'Failed to create record.'));
        return json(await createRecord(core, req.info, params.collection, await prepareRecordInput(core, params.collection, body), req.query));
      }, tagCollectionRoute(params.collection, 'create')),
    )
    .get(`${base}/:id`, ({ request, params }) => answerViewRecord(core, request, params.collection, params.id))
    .patch(`${base}/:id`, ({ request, params }) =>
      respond(core, request, async (req) => {
        const body = await req.body(describeUploadLimits(core, params.collection, 'Failed to update record.'));
        return json(await updateRecord(core, req.info, params.collection, params.id, await prepareRecordInput(core, params.collection, body), req.query));
      }, tagCollectionRoute(params.collection, 'update')),
    )
    .delete(`${base}/:id`, ({ request, params }) =>
      respond(core, request, async (req) => {
        await deleteRecord(core, req.info, params.collection, params.id);
        return noContent();
      }, tagCollectionRoute(params.collection, 'delete')),
    );
}
