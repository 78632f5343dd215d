import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { noContent, respond } from '../http/route-kit.ts';
import { openRealtimeStream } from './stream.ts';
import { readSubscriptionsInput, setClientSubscriptions } from './subscribe.ts';

/** PocketBase's realtime paths: the SSE stream and the subscription POST. */
export function realtimeRoutes(core: Core) {
  return new Elysia({ name: 'galley-realtime' })
    .get('/api/realtime', async ({ request }) => {
      // respond() gives the stream the same rate limit and error shape as any route; its 204 is replaced
      let stream: Response | undefined;
      const answer = await respond(core, request, async (req) => {
        stream = openRealtimeStream(core, req.ip).response;
        return noContent();
      });
      return stream ?? answer;
    })
    .post('/api/realtime', ({ request }) =>
      respond(core, request, async (req) => {
        const body = await req.body();
        const input = readSubscriptionsInput(body.values, core.realtime.limits, core.settings.current().realtime.maxSubscriptionBytes);
        setClientSubscriptions(core, input, req.info.auth, req.ip);
        return noContent();
      }),
    );
}
