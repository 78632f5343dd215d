import { Elysia } from 'elysia';
import type { Core } from '../../core.ts';
import { buildHttpRequest, json, respond, tagCollectionRoute } from '../../http/route-kit.ts';
import { isMfaChallenge } from '../mfa.ts';
import { authWithOAuth2 } from './auth-with-oauth2.ts';
import { forwardOAuth2Redirect, type SendToRealtimeClient } from './redirect.ts';

// wire: PocketBase's texts when no dashboard is embedded
const SUCCESS = 'Auth completed. You can close this window and go back to the app.';
const FAILURE = 'Failed to authenticate. You can close this window and go back to the app to try again.';

/** The provider's return address: never an error page, always one of the two short answers. */
async function answerRedirect(core: Core, request: Request, send: SendToRealtimeClient): Promise<Response> {
  let ok = false;
  try {
    const req = await buildHttpRequest(core, request);
    const values = request.method === 'POST' ? (await req.body(64 * 1024)).values : req.query;
    ok = forwardOAuth2Redirect(core, values, req.ip, send).ok;
  } catch (err) {
    core.log.debug(`oauth2-redirect: ${(err as Error).message}`);
  }
  return ok
    ? new Response(SUCCESS, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } })
    : new Response(FAILURE, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** OAuth2 sign-in (code + PKCE) and the all-in-one flow's redirect target; `send` is realtime's sendToClient. */
export function oauth2Routes(core: Core, send: SendToRealtimeClient) {
  return new Elysia({ name: 'galley-oauth2' })
    .post('/api/collections/:collection/auth-with-oauth2', ({ request, params }) =>
      respond(core, request, async (req) => {
        const out = await authWithOAuth2(core, { info: req.info, ip: req.ip, body: (await req.body()).values }, params.collection);
        // wire: PocketBase's MFA challenge is a 401 with exactly {mfaId}
        return isMfaChallenge(out) ? json(out, 401) : json(out);
      }, tagCollectionRoute(params.collection, 'authWithOAuth2', 'auth')),
    )
    .get('/api/oauth2-redirect', ({ request }) => answerRedirect(core, request, send))
    .post('/api/oauth2-redirect', ({ request }) => answerRedirect(core, request, send));
}
