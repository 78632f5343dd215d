import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { json, noContent, respond, type RouteMeta } from '../http/route-kit.ts';
import { createCollection, deleteCollection, importCollections, updateCollection } from './collections-write.ts';
import { listCollectionScaffolds, truncateCollection } from './collections-truncate.ts';
import { listCollectionsJson, viewCollectionJson } from './collections.ts';
import { describeHealth } from './health.ts';
import { dryRunView } from './dry-run-view.ts';
import { runSqlQuery } from './sql-console.ts';
import { listOAuth2ProviderInfo } from './oauth2-providers.ts';
import { galleyRecordTransferRoutes } from './records-transfer-routes.ts';

/** wire: PocketBase gives the SQL console and the view dry-run no collection and no rate-limit tag, and logs them. */
const SQL_ROUTE: RouteMeta = { rateLimitTags: [] };

export function adminRoutes(core: Core) {
  return new Elysia({ name: 'galley-admin' })
    // the dashboard's record export and import dry run (Galley-only, /api/galley/collections/:c/…)
    .use(galleyRecordTransferRoutes(core))
    .get('/api/health', ({ request }) => respond(core, request, async (req) => json(describeHealth(core, { info: req.info, ip: req.ip, headers: req.raw.headers }))))
    .head('/api/health', () => new Response(null, { status: 200 }))
    .get('/api/collections', ({ request }) => respond(core, request, async (req) => json(await listCollectionsJson(core, req.info, req.query))))
    .post('/api/collections', ({ request }) =>
      respond(core, request, async (req) => json(await createCollection(core, req.info, (await req.body()).values))),
    )
    .put('/api/collections/import', ({ request }) =>
      respond(core, request, async (req) => (await importCollections(core, req.info, (await req.body()).values), noContent())),
    )
    .get('/api/collections/meta/scaffolds', ({ request }) => respond(core, request, async (req) => json(listCollectionScaffolds(req.info))))
    .get('/api/collections/meta/oauth2-providers', ({ request }) => respond(core, request, async (req) => json(listOAuth2ProviderInfo(req.info))))
    .post('/api/collections/meta/dry-run-view', ({ request }) =>
      respond(core, request, async (req) => json(await dryRunView(core, req.info, (await req.body()).values)), SQL_ROUTE),
    )
    .post('/api/sql', ({ request }) => respond(core, request, async (req) => json(await runSqlQuery(core, req.info, (await req.body()).values)), SQL_ROUTE))
    .get('/api/collections/:collection', ({ request, params }) =>
      respond(core, request, async (req) => json(await viewCollectionJson(core, req.info, params.collection))),
    )
    .patch('/api/collections/:collection', ({ request, params }) =>
      respond(core, request, async (req) => json(await updateCollection(core, req.info, params.collection, (await req.body()).values))),
    )
    .delete('/api/collections/:collection', ({ request, params }) =>
      respond(core, request, async (req) => (await deleteCollection(core, req.info, params.collection), noContent())),
    )
    .delete('/api/collections/:collection/truncate', ({ request, params }) =>
      respond(
        core,
        request,
        async (req) => (await truncateCollection(core, req.info, params.collection), noContent()),
        { collection: params.collection },
      ),
    );
}
