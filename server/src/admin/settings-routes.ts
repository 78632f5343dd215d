import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { json, noContent, respond } from '../http/route-kit.ts';
import { patchSettings, readSettingsJson, sendTestEmail } from './settings.ts';
import { generateAppleClientSecret } from './settings-apple.ts';
import { testS3Settings } from './settings-test-s3.ts';

/** PocketBase's settings routes (superusers only). */
export function settingsRoutes(core: Core) {
  return new Elysia({ name: 'galley-settings' })
    .get('/api/settings', ({ request }) => respond(core, request, async (req) => json(readSettingsJson(core, req.info))))
    .patch('/api/settings', ({ request }) =>
      respond(core, request, async (req) => {
        const body = await req.body();
        return json(await patchSettings(core, req.info, body.values));
      }),
    )
    .post('/api/settings/test/email', ({ request }) =>
      respond(core, request, async (req) => {
        const body = await req.body();
        await sendTestEmail(core, req.info, body.values);
        return noContent();
      }),
    )
    .post('/api/settings/apple/generate-client-secret', ({ request }) =>
      respond(core, request, async (req) => json(await generateAppleClientSecret(req.info, (await req.body()).values))),
    )
    .post('/api/settings/test/s3', ({ request }) =>
      respond(core, request, async (req) => {
        const body = await req.body();
        await testS3Settings(core, req.info, body.values);
        return noContent();
      }),
    );
}
