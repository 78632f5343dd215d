import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { json, noContent, respond, tagCollectionRoute, type Reply } from '../http/route-kit.ts';
import { triggerRecordRequestHooks } from '../hooks/record-hook-registry.ts';
import { describeAuthMethods } from './auth-methods.ts';
import type { AuthResponse } from './auth-response.ts';
import { confirmEmailChange, requestEmailChange } from './email-change.ts';
import { impersonateRecord } from './impersonate.ts';
import { logoutAllSessions } from './logout-all.ts';
import { isMfaChallenge, type MfaChallenge } from './mfa.ts';
import { authWithOtp } from './otp-auth.ts';
import { requestOtp } from './otp-request.ts';
import { authWithPassword, findAuthCollection } from './password-auth.ts';
import { confirmPasswordReset, requestPasswordReset } from './password-reset.ts';
import { refreshAuth } from './refresh.ts';
import { requireSameCollectionContext } from './require-auth.ts';
import { confirmVerification, requestVerification } from './verification.ts';

/** wire: a login's answer: the auth response, or PocketBase's 401 `{mfaId}` when a second factor is due. */
export function replyWithAuth(out: AuthResponse | MfaChallenge): Reply {
  return isMfaChallenge(out) ? json(out, 401) : json(out);
}

/** PocketBase's auth routes (§6.1); OAuth2 has its own plugin. */
export function authRoutes(core: Core) {
  const base = '/api/collections/:collection';
  return new Elysia({ name: 'galley-auth' })
    .get(`${base}/auth-methods`, ({ request, params }) =>
      respond(
        core,
        request,
        async () => json(await describeAuthMethods(core, findAuthCollection(core, params.collection))),
        tagCollectionRoute(params.collection, 'listAuthMethods'),
      ),
    )
    .post(`${base}/auth-with-password`, ({ request, params }) =>
      respond(core, request, async (req) => {
        const body = await req.body();
        return replyWithAuth(await authWithPassword(core, req.info, params.collection, body.values, req.ip));
      }, tagCollectionRoute(params.collection, 'authWithPassword', 'auth')),
    )
    .post(`${base}/request-otp`, ({ request, params }) =>
      respond(
        core,
        request,
        async (req) => json(await requestOtp(core, params.collection, (await req.body()).values)),
        tagCollectionRoute(params.collection, 'requestOTP'),
      ),
    )
    .post(`${base}/auth-with-otp`, ({ request, params }) =>
      respond(
        core,
        request,
        async (req) =>
          replyWithAuth(await authWithOtp(core, { info: req.info, ip: req.ip, body: (await req.body()).values }, params.collection)),
        tagCollectionRoute(params.collection, 'authWithOTP', 'auth'),
      ),
    )
    .post(`${base}/auth-refresh`, ({ request, params }) =>
      respond(
        core,
        request,
        async (req) => {
          requireSameCollectionContext(core.schema, req.info, params.collection);
          // the hooks file's onRecordAuthRefreshRequest: e.record is the signed-in record (hooks/record-hook-registry.ts)
          if (req.info.auth) {
            const { collection, record } = req.info.auth;
            await triggerRecordRequestHooks(core.hooks.registry, 'onRecordAuthRefreshRequest', core.log, { collection, values: { ...record }, form: 'storage', auth: record });
          }
          return json(await refreshAuth(core, req.info, params.collection, request.headers.get('authorization')));
        },
        tagCollectionRoute(params.collection, 'authRefresh'),
      ),
    )
    .post(`${base}/request-verification`, ({ request, params }) =>
      respond(core, request, async (req) => {
        await requestVerification(core, params.collection, (await req.body()).values);
        return noContent();
      }, tagCollectionRoute(params.collection, 'requestVerification')),
    )
    .post(`${base}/confirm-verification`, ({ request, params }) =>
      respond(core, request, async (req) => {
        await confirmVerification(core, params.collection, (await req.body()).values);
        return noContent();
      }, tagCollectionRoute(params.collection, 'confirmVerification')),
    )
    .post(`${base}/request-password-reset`, ({ request, params }) =>
      respond(core, request, async (req) => {
        await requestPasswordReset(core, params.collection, (await req.body()).values);
        return noContent();
      }, tagCollectionRoute(params.collection, 'requestPasswordReset')),
    )
    .post(`${base}/confirm-password-reset`, ({ request, params }) =>
      respond(core, request, async (req) => {
        await confirmPasswordReset(core, params.collection, (await req.body()).values);
        return noContent();
      }, tagCollectionRoute(params.collection, 'confirmPasswordReset')),
    )
    .post(`${base}/request-email-change`, ({ request, params }) =>
      respond(core, request, async (req) => {
        requireSameCollectionContext(core.schema, req.info, params.collection);
        await requestEmailChange(core, req.info, params.collection, (await req.body()).values);
        return noContent();
      }, tagCollectionRoute(params.collection, 'requestEmailChange')),
    )
    .post(`${base}/confirm-email-change`, ({ request, params }) =>
      respond(core, request, async (req) => {
        await confirmEmailChange(core, params.collection, (await req.body()).values);
        return noContent();
      }, tagCollectionRoute(params.collection, 'confirmEmailChange')),
    )
    // Galley extension (not in PocketBase): end every session of a record at once.
    .post(`${base}/auth-logout-all`, ({ request, params }) =>
      respond(core, request, async (req) => {
        await logoutAllSessions(core, req.info, params.collection, (await req.body()).values);
        return noContent();
      }, tagCollectionRoute(params.collection, 'authLogoutAll')),
    )
    .post(`${base}/impersonate/:id`, ({ request, params }) =>
      respond(
        core,
        request,
        async (req) =>
          json(await impersonateRecord(core, req.info, params.collection, params.id, (await req.body()).values)),
        tagCollectionRoute(params.collection),
      ),
    );
}
