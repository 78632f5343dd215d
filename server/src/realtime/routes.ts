import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { triggerRealtimeConnect } from '../hooks/realtime-hook-points.ts';
import { noContent, respond } from '../http/route-kit.ts';
import { newClientId } from '../lib/ids.ts';
import { openRealtimeStream } from './stream.ts';
import { readSubscriptionsInput, setClientSubscriptions } from './subscribe.ts';

/** PocketBase's realtime paths: the SSE stream (after the connect hooks) and the subscription POST. */
export function realtimeRoutes(core: Core) {
  return new Elysia({ name: 'galley-realtime' })
    .get('/api/realtime', async ({ request }) => {
      // respond() gives the stream the same rate limit and error shape as any route; its 204 is replaced
      let stream: Response | undefined;
      const answer = await respond(core, request, async (req) => {
        const clientId = newClientId();
        await triggerRealtimeConnect(core.hooks.registry, core.log, { request, clientId, auth: req.info.auth }, () => {
          stream = openRealtimeStream(core, req.ip, clientId).response;
        });
        return noContent();
      });
      return stream ?? answer;
    })
    .post('/api/realtime', ({ request }) =>
      respond(core, request, async (req) => {
        const body = await req.body();
        const input = readSubscriptionsInput(body.values, core.realtime.limits, core.settings.current().realtime.maxSubscriptionBytes);
        await setClientSubscriptions(core, input, req.info.auth, req.ip, request);
        return noContent();
      }),
    );
}
