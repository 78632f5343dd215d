/**
 * POST /api/settings/apple/generate-client-secret: the client secret Sign in with Apple wants, an ES256 JWT
 * signed with the developer's private key (jose). wire: PocketBase's forms/apple_client_secret_create.go —
 * its checks and codes, its claims (iss team, sub client id, aud appleid.apple.com, iat, exp iat+duration) and
 * the `kid` header; `{secret}` on success.
 */
import { SignJWT, importPKCS8 } from 'jose';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { requireSuperuser } from './collections.ts';

const PRIVATE_KEY = /-----BEGIN PRIVATE KEY----[\s\S]+-----END PRIVATE KEY-----/m;
/** wire: PocketBase's upper bound, about six months (Apple's own limit) */
const MAX_DURATION = 15777000;

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function readDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return v === undefined || v === null || v === '' ? 0 : null;
}

export async function generateAppleClientSecret(info: RequestInfo, body: Record<string, unknown>): Promise<{ secret: string }> {
  requireSuperuser(info);
  const clientId = text(body['clientId']);
  const teamId = text(body['teamId']);
  const keyId = text(body['keyId']);
  const privateKey = text(body['privateKey']);
  const duration = readDuration(body['duration']);
  const issues: IssueTree = {};
  const blank = () => issue('validation_required', 'Cannot be blank.');
  const exactly10 = (v: string) => (v === '' ? blank() : v.length !== 10 ? issue('validation_length_invalid', 'The length must be exactly 10.', { min: 10, max: 10 }) : null);
  if (clientId === '') issues['clientId'] = blank();
  const team = exactly10(teamId);
  if (team) issues['teamId'] = team;
  const key = exactly10(keyId);
  if (key) issues['keyId'] = key;
  if (privateKey === '') issues['privateKey'] = blank();
  else if (!PRIVATE_KEY.test(privateKey)) issues['privateKey'] = issue('validation_match_invalid', 'Must be in a valid format.');
  if (duration === 0) issues['duration'] = blank();
  else if (duration === null) issues['duration'] = issue('validation_unsupported_value_type', 'Must be an integer.');
  else if (duration < 1) issues['duration'] = issue('validation_min_greater_equal_than_required', 'Must be no less than 1.', { threshold: 1 });
  else if (duration > MAX_DURATION) issues['duration'] = issue('validation_max_less_equal_than_required', `Must be no greater than ${MAX_DURATION}.`, { threshold: MAX_DURATION });
  if (Object.keys(issues).length > 0) throw new GalleyError('invalid', 'Invalid client secret data.', { issues });

  let signingKey: CryptoKey;
  try {
    signingKey = (await importPKCS8(privateKey.trim(), 'ES256')) as CryptoKey;
  } catch (err) {
    throw new GalleyError('invalid', `Failed to generate client secret. Raw error: \n${err instanceof Error ? err.message : String(err)}`);
  }
  const now = Math.floor(Date.now() / 1000);
  const secret = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: keyId })
    .setIssuer(teamId)
    .setSubject(clientId)
    .setAudience('https://appleid.apple.com')
    .setIssuedAt(now)
    .setExpirationTime(now + duration!)
    .sign(signingKey);
  return { secret };
}
