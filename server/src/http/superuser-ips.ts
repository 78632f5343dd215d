/**
 * wire: `settings.superuserIPs` (PocketBase's superuserIPsWhitelist): when the list is not empty, a request
 * authenticated as a superuser from an address outside it is answered 403. Galley also refuses, from such an
 * address, every route of the `_superusers` collection itself (its logins, OTP and MFA included), so no
 * superuser token is handed out there in the first place.
 */
import { matchesIpList } from '../admin/settings-ip.ts';
import type { Core } from '../core.ts';
import { forbidden } from '../errors.ts';
import { isSuperuser, SUPERUSERS, type RequestInfo } from '../rules/request-info.ts';

/** `collection`: the one the matched route names (its RouteMeta), if any. */
function isSuperusersRoute(core: Core, collection: string | undefined): boolean {
  return collection !== undefined && core.schema.findCollection(collection)?.name === SUPERUSERS;
}

/** Whether a superuser may act from `ip`: always when `superuserIPs` is empty, else only from a listed address. */
export function isSuperuserIpAllowed(core: Core, ip: string): boolean {
  const allowed = core.settings.current().superuserIPs;
  return allowed.length === 0 || (ip !== '' && matchesIpList(ip, allowed));
}

/** `client.ip` is read only when the list is set and the request concerns a superuser (it may cost a getpeername). */
export function enforceSuperuserIps(core: Core, info: RequestInfo, client: { readonly ip: string }, collection: string | undefined): void {
  if (core.settings.current().superuserIPs.length === 0) return;
  if (!isSuperuser(info) && !isSuperusersRoute(core, collection)) return;
  if (!isSuperuserIpAllowed(core, client.ip)) throw forbidden();
}
