import { Elysia } from 'elysia';
import { requireSuperuser } from '../admin/collections.ts';
import type { Core } from '../core.ts';
import { json, noContent, respond } from '../http/route-kit.ts';

/**
 * PocketBase's cron routes (apis/cron.go), superusers only. The list answers PocketBase's `{id, expression}`
 * plus Galley's lastRun, lastDurationMs, lastError and nextRun. wire: a run is started and answered 204 at
 * once; it goes on after the answer (its outcome lands in lastError).
 */
export function cronRoutes(core: Core) {
  return new Elysia({ name: 'galley-crons' })
    .get('/api/crons', ({ request }) =>
      respond(core, request, async (req) => {
        requireSuperuser(req.info);
        return json(core.cron.list());
      }),
    )
    .post('/api/crons/:id', ({ request, params }) =>
      respond(core, request, async (req) => {
        requireSuperuser(req.info);
        void core.cron.run(params.id);
        return noContent();
      }),
    );
}
