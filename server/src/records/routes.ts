import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { json, noContent, respond, tagCollectionRoute } from '../http/route-kit.ts';
import { createRecord } from './create.ts';
import { deleteRecord } from './delete.ts';
import { listRecords } from './list.ts';
import { runListRequestHooks, runViewRequestHooks } from './read-request-hooks.ts';
import { describeUploadLimits, prepareRecordInput } from './record-uploads.ts';
import { updateRecord } from './update.ts';
import { viewRecord } from './view.ts';

/** PocketBase's record CRUD paths, verbatim. */
export function recordRoutes(core: Core) {
  const base = '/api/collections/:collection/records';
  return new Elysia({ name: 'galley-records' })
    .get(base, ({ request, params }) =>
      respond(
        core,
        request,
        async (req) => json(await runListRequestHooks(core, req.info, params.collection, await listRecords(core, req.info, params.collection, req.query))),
        tagCollectionRoute(params.collection, 'list'),
      ),
    )
    .post(base, ({ request, params }) =>
      respond(core, request, async (req) => {
        const body = await req.body(describeUploadLimits(core, params.collection, 'Failed to create record.'));
        return json(await createRecord(core, req.info, params.collection, await prepareRecordInput(core, params.collection, body), req.query));
      }, tagCollectionRoute(params.collection, 'create')),
    )
    .get(`${base}/:id`, ({ request, params }) =>
      respond(
        core,
        request,
        async (req) => json(await runViewRequestHooks(core, req.info, params.collection, await viewRecord(core, req.info, params.collection, params.id, req.query))),
        tagCollectionRoute(params.collection, 'view'),
      ),
    )
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
