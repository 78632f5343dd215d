import type { SecretStore, TokenType } from '../core.ts';
import type { Database } from '../db/database.ts';
import { ensureParam } from '../db/params.ts';
import { randomString } from '../lib/ids.ts';
import type { Schema } from '../schema/model.ts';

const TOKEN_TYPES: TokenType[] = ['auth', 'file', 'verification', 'passwordReset', 'emailChange'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The key store's key of one collection's secret for one token type. */
export const tokenSecretKey = (collectionId: string, type: TokenType) => `tokenSecret:${collectionId}:${type}`;
const paramKey = tokenSecretKey;

/**
 * Token signing secrets per auth collection and token type, generated once and kept in data.db,
 * never in the schema file (which is committed to git). Loaded into memory so signing stays sync.
 */
export async function loadSecretStore(db: Database, schema: Schema): Promise<SecretStore> {
  const secrets = new Map<string, string>();
  for (const collection of schema.collections) {
    if (collection.type !== 'auth') continue;
    for (const type of TOKEN_TYPES) {
      const key = paramKey(collection.id, type);
      secrets.set(key, await ensureParam(db, key, () => randomString(50, ALNUM)));
    }
  }
  return {
    tokenSecret(collectionId, type) {
      const secret = secrets.get(paramKey(collectionId, type));
      // A collection added after start (live reload) must reload the store; never sign with an empty key.
      if (!secret) throw new Error(`no token secret for collection ${collectionId}`);
      return secret;
    },
  };
}
