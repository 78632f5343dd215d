import { Elysia } from 'elysia';
import { requireSuperuser } from '../admin/collections.ts';
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { resolveFileToken } from '../files/file-token.ts';
import { isSuperuserIpAllowed, json, noContent, respond } from '../http/route-kit.ts';
import { SUPERUSERS_NAME } from '../schema/system-collections.ts';

/** wire: PocketBase's answer to a download without a superuser's file token (apis/backup.go). */
const downloadRefused = () => new GalleyError('forbidden', 'Insufficient permissions to access the resource.');

/**
 * PocketBase's backup routes (apis/backup*.go), superusers only; the download takes a superuser's file token
 * (`?token=`) instead of the Authorization header, so a browser link can fetch it.
 */
export function backupRoutes(core: Core) {
  return new Elysia({ name: 'galley-backups' })
    .get('/api/backups', ({ request }) =>
      respond(core, request, async (req) => {
        requireSuperuser(req.info);
        return json(await core.backups.list());
      }),
    )
    .post('/api/backups', ({ request }) =>
      respond(core, request, async (req) => {
        requireSuperuser(req.info);
        const name = (await req.body()).values['name'];
        if (name !== undefined && name !== null && typeof name !== 'string') {
          throw new GalleyError('invalid', 'An error occurred while loading the submitted data.');
        }
        await core.backups.create(name ?? undefined);
        return noContent();
      }),
    )
    .post('/api/backups/upload', ({ request }) =>
      respond(core, request, async (req) => {
        requireSuperuser(req.info);
        await core.backups.upload(req.raw);
        return noContent();
      }),
    )
    .get('/api/backups/:key', async ({ request, params }) => {
      let file: Response | undefined;
      const answer = await respond(core, request, async (req) => {
        const holder = await resolveFileToken(core, req.query['token']);
        if (holder?.collection.name !== SUPERUSERS_NAME || !isSuperuserIpAllowed(core, req.ip)) throw downloadRefused();
        file = await core.backups.download(params.key, request);
        return noContent();
      });
      return file ?? answer;
    })
    .delete('/api/backups/:key', ({ request, params }) =>
      respond(core, request, async (req) => {
        requireSuperuser(req.info);
        await core.backups.remove(params.key);
        return noContent();
      }),
    )
    .post('/api/backups/:key/restore', ({ request, params }) =>
      respond(core, request, async (req) => {
        requireSuperuser(req.info);
        await core.backups.restore(params.key);
        return noContent();
      }),
    );
}
