// POST /api/settings/apple/generate-client-secret as PocketBase's apis/settings_test.go and
// forms/apple_client_secret_create.go: superusers only, PocketBase's field checks and codes, and an ES256 JWT
// that Apple's checks accept (verified here with the key pair's public half).
import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from '../helpers/scenario.ts';
import { signUp, startTestGalley, superuserToken, type TestGalley } from '../helpers/test-galley.ts';

const PATH = '/api/settings/apple/generate-client-secret';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const GOOD = { clientId: 'com.example.app', teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: PEM, duration: 3600 };

describe('apple client secret', () => {
  let g: TestGalley;
  const tokens: Record<string, string | null> = { guest: null };
  beforeAll(async () => {
    g = await startTestGalley({ collections: [{ name: 'users', type: 'auth', createRule: '', fields: [] }] });
    tokens['root'] = await superuserToken(g);
    tokens['user'] = (await signUp(g, 'users', { email: 'u@example.com' })).token;
  });
  afterAll(() => g?.close());

  const table: Scenario[] = [
    { name: 'a guest asks for auth', method: 'POST', path: PATH, as: 'guest', body: GOOD, status: 401 },
    { name: 'a user is forbidden', method: 'POST', path: PATH, as: 'user', body: GOOD, status: 403 },
    {
      name: 'an empty body: every field is required',
      method: 'POST', path: PATH, as: 'root', body: {}, status: 400,
      contains: ['"message":"Invalid client secret data."', '"clientId":{"code":"validation_required"', '"teamId":{"code":"validation_required"', '"keyId":{"code":"validation_required"', '"privateKey":{"code":"validation_required"', '"duration":{"code":"validation_required"'],
    },
    {
      name: 'ids of the wrong length, a key that is not PEM, a duration out of range',
      method: 'POST', path: PATH, as: 'root', body: { clientId: 'x', teamId: 'short', keyId: '12345678901', privateKey: 'not a key', duration: 15777001 }, status: 400,
      contains: ['"teamId":{"code":"validation_length_invalid"', '"keyId":{"code":"validation_length_invalid"', '"privateKey":{"code":"validation_match_invalid"', '"duration":{"code":"validation_max_less_equal_than_required"'],
      notContains: ['"clientId"'],
    },
    { name: 'a negative duration', method: 'POST', path: PATH, as: 'root', body: { ...GOOD, duration: -1 }, status: 400, contains: ['"duration":{"code":"validation_min_greater_equal_than_required"'] },
    {
      name: 'a PEM block that is not an EC key fails to sign (400, not 500)',
      method: 'POST', path: PATH, as: 'root', body: { ...GOOD, privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }, status: 400,
      contains: ['Failed to generate client secret.'],
    },
    {
      name: 'a good request answers an ES256 JWT with PocketBase’s claims',
      method: 'POST', path: PATH, as: 'root', body: GOOD, status: 200,
      check: async (j) => {
        expect(Object.keys(j)).toEqual(['secret']);
        expect(decodeProtectedHeader(j.secret)).toMatchObject({ alg: 'ES256', kid: 'KEY1234567' });
        const { payload } = await jwtVerify(j.secret, await importSPKI(PUBLIC, 'ES256'), { audience: 'https://appleid.apple.com', issuer: 'TEAM123456', subject: 'com.example.app' });
        expect(payload.exp! - payload.iat!).toBe(3600);
      },
    },
  ];
  it.each(table)('$name', async (s) => {
    await runScenario(g, s, tokens);
  });
});
