import { Elysia } from 'elysia';
import type { Core } from '../../core.ts';
import { buildHttpRequest, json, respond, tagCollectionRoute } from '../../http/route-kit.ts';
import { isMfaChallenge } from '../mfa.ts';
import { authWithOAuth2 } from './auth-with-oauth2.ts';
import { forwardOAuth2Redirect, type SendToRealtimeClient } from './redirect.ts';

/**
 * wire: PocketBase's landing pages on its dashboard (relative, so a path prefix before /api stays). `/_/` always
 * answers them here: the dashboard hands `#/auth/…` to the confirmation page, which is also `/_/` itself while no
 * dashboard is built; it says how the sign-in ended and closes the popup.
 */
export const OAUTH2_SUCCESS_PAGE = '../_/#/auth/oauth2-redirect-success';
export const OAUTH2_FAILURE_PAGE = '../_/#/auth/oauth2-redirect-failure';

/** The provider's return address: never an error, always a redirect to one of the two landing pages. */
async function answerRedirect(core: Core, request: Request, send: SendToRealtimeClient): Promise<Response> {
  let ok = false;
  try {
    const req = await buildHttpRequest(core, request);
    const values = request.method === 'POST' ? (await req.body(64 * 1024)).values : req.query;
    ok = forwardOAuth2Redirect(core, values, req.ip, send).ok;
  } catch (err) {
    core.log.debug(`oauth2-redirect: ${(err as Error).message}`);
  }
  // wire: 307 after a GET; 303 after a POST (Apple's form_post), so the browser follows with a GET
  return new Response(null, { status: request.method === 'GET' ? 307 : 303, headers: { location: ok ? OAUTH2_SUCCESS_PAGE : OAUTH2_FAILURE_PAGE } });
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
