import type { Core } from '../core.ts';
import { isSuperuser, type RequestInfo } from '../rules/request-info.ts';

/** wire: headers PocketBase looks for, after the trusted ones, to hint that a proxy sits in front. */
const COMMON_PROXY_HEADERS = ['CF-Connecting-IP', 'Fly-Client-IP', 'X-Forwarded-For'];

/** wire: GET /api/health; superusers also get PocketBase's deployment hints (apis/health.go). */
export function describeHealth(core: Core, req: { info: RequestInfo; ip: string; headers: Headers }): Record<string, unknown> {
  if (!isSuperuser(req.info)) return { message: 'API is healthy.', code: 200, data: {} };
  const headers = [...core.settings.current().trustedProxy.headers, ...COMMON_PROXY_HEADERS];
  const possibleProxyHeader = headers.find((h) => (req.headers.get(h) ?? '') !== '') ?? '';
  // wire: canBackup is PocketBase's "no backup or restore is running" (here or in a `galley backup` process)
  return { message: 'API is healthy.', code: 200, data: { canBackup: core.backups.canBackup(), realIP: req.ip, possibleProxyHeader } };
}
