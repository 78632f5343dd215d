/**
 * An auth collection the plan drops takes along its rows in `_externalAuths`, `_otps`, `_mfas` and
 * `_authOrigins`, in the migration's own transaction (wire: PocketBase deletes them by collectionRef when a
 * collection is deleted). Renamed collections keep their id, and so their rows.
 */
import type { Kysely } from 'kysely';
import type { CollectionModel } from '../../schema/model.ts';
import { AUTH_ORIGINS_NAME, MFAS_NAME, OTPS_NAME } from '../../schema/system-auth-records.ts';
import { EXTERNAL_AUTHS_NAME } from '../../schema/system-external-auths.ts';
import { matchByIdentity } from './match.ts';

const REF_TABLES = [EXTERNAL_AUTHS_NAME, OTPS_NAME, MFAS_NAME, AUTH_ORIGINS_NAME];

export async function deleteRefsOfDroppedAuthCollections(db: Kysely<any>, applied: readonly CollectionModel[], desired: readonly CollectionModel[]): Promise<number> {
  const continued = new Set(matchByIdentity(applied, desired).values());
  const gone = applied.filter((c) => c.type === 'auth' && !continued.has(c));
  // only tables the desired schema keeps (a hand-made desired list may lack them)
  const tables = REF_TABLES.filter((t) => desired.some((c) => c.name === t));
  let count = 0;
  for (const c of gone) {
    for (const table of tables) {
      const result = await db.deleteFrom(table).where('collectionRef', '=', c.id).executeTakeFirst();
      count += Number(result.numDeletedRows);
    }
  }
  return count;
}
