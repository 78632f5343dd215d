import { Elysia } from 'elysia';
import { requireSuperuser } from '../admin/collections.ts';
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { json, respond } from '../http/route-kit.ts';
import { listLogs, readLogsStats, viewLog } from './list-logs.ts';

/**
 * PocketBase's logs routes (superusers only). wire: SkipSuccessActivityLog: reading the logs is not logged
 * itself, a refused or failed read is.
 */
export function logRoutes(core: Core) {
  const read = (request: Request, handler: Parameters<typeof respond>[2]) =>
    respond(
      core,
      request,
      async (req) => {
        requireSuperuser(req.info);
        // every request answered so far is read, the batches a busy writer staged too (log-writer-worker.ts)
        await core.logs.flush();
        return handler(req);
      },
      { log: 'skip-success' },
    );
  return new Elysia({ name: 'galley-logs' })
    .get('/api/logs', ({ request }) => read(request, async (req) => json(await listLogs(core.logs.table, req.query))))
    .get('/api/logs/stats', ({ request }) =>
      read(request, async (req) => {
        try {
          return json(await readLogsStats(core.logs.table, req.query['filter'] ?? ''));
        } catch (err) {
          // wire: PocketBase's message for a filter it cannot build
          if (err instanceof GalleyError && err.kind === 'invalid') throw new GalleyError('invalid', 'Invalid filter format.', { cause: err });
          throw err;
        }
      }),
    )
    .get('/api/logs/:id', ({ request, params }) => read(request, async () => json(await viewLog(core.logs.table, params.id))));
}
