import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { json, respond } from '../http/route-kit.ts';
import { describeAuthMethods } from './auth-methods.ts';
import { authWithPassword, findAuthCollection } from './password-auth.ts';
import { refreshAuth } from './refresh.ts';

/** The auth routes this issue needs; the auth issue adds OAuth2, OTP, MFA and the mail flows. */
export function authRoutes(core: Core) {
  const base = '/api/collections/:collection';
  return new Elysia({ name: 'galley-auth' })
    .get(`${base}/auth-methods`, ({ request, params }) =>
      respond(core, request, async () => json(describeAuthMethods(findAuthCollection(core, params.collection)))),
    )
    .post(`${base}/auth-with-password`, ({ request, params }) =>
      respond(core, request, async (req) => {
        const body = await req.body();
        return json(await authWithPassword(core, req.info, params.collection, body.values));
      }),
    )
    .post(`${base}/auth-refresh`, ({ request, params }) =>
      respond(core, request, async (req) =>
        json(await refreshAuth(core, req.info, params.collection, request.headers.get('authorization'))),
      ),
    );
}
