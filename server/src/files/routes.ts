import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { isSuperuserIpAllowed, json, noContent, respond } from '../http/route-kit.ts';
import { resolveDownload } from './download.ts';
import { serveStoredFile } from './file-response.ts';
import { issueFileToken } from './file-token.ts';

/** wire: strconv.ParseBool's true spellings, as PocketBase reads `?download=`. */
const TRUE_WORDS = ['1', 't', 'T', 'TRUE', 'true', 'True'];

/** PocketBase's file routes: downloads (with thumbs, ranges, protected-file tokens) and file tokens. */
export function fileRoutes(core: Core) {
  const download = async ({ request, params }: { request: Request; params: Record<string, string> }) => {
    // respond() gives the download the same rate limit, auth and error shape as any route; its 204 is replaced.
    let file: Response | undefined;
    const answer = await respond(core, request, async (req) => {
      const served = await resolveDownload(core, req.info, {
        collection: params['collection'] ?? '',
        recordId: params['recordId'] ?? '',
        filename: params['filename'] ?? '',
        thumb: req.query['thumb'],
        token: req.query['token'],
        superuserIpAllowed: isSuperuserIpAllowed(core, req.ip),
      });
      file = await serveStoredFile(core.storage, served.key, request, {
        name: served.name,
        download: TRUE_WORDS.includes(req.query['download'] ?? ''),
      });
      return noContent();
    }, { collection: params['collection'] ?? '', rateLimitTags: ['file'] });
    return file ?? answer;
  };
  return new Elysia({ name: 'galley-files' })
    .post('/api/files/token', ({ request }) => respond(core, request, async (req) => json(await issueFileToken(core, req.info))))
    // HEAD is answered by Elysia through this GET route (it measures and drops the body).
    .get('/api/files/:collection/:recordId/:filename', download);
}
