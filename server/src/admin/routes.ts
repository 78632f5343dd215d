import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { json, respond } from '../http/route-kit.ts';
import { listCollectionsJson, viewCollectionJson } from './collections.ts';
import { describeHealth } from './health.ts';

export function adminRoutes(core: Core) {
  return new Elysia({ name: 'galley-admin' })
    .get('/api/health', ({ request }) => respond(core, request, async () => json(describeHealth())))
    .head('/api/health', () => new Response(null, { status: 200 }))
    .get('/api/collections', ({ request }) => respond(core, request, async (req) => json(listCollectionsJson(core, req.info, req.query))))
    .get('/api/collections/:collection', ({ request, params }) =>
      respond(core, request, async (req) => json(viewCollectionJson(core, req.info, params.collection))),
    );
}
