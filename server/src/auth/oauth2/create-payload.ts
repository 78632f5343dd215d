/**
 * The body of the record an OAuth2 sign-up creates (PocketBase's oauth2Submit): the client's `createData`,
 * the provider's verified email unless the client gave one, and `oauth2.mappedFields` filled from the
 * provider's user unless the client set them.
 */
import type { Core } from '../../core.ts';
import { findSingleColumnUniqueIndex } from '../../schema/index-sql.ts';
import type { CollectionModel } from '../../schema/model.ts';
import type { OAuth2User } from './oauth2-user.ts';

type Row = Record<string, unknown>;

/** wire: PocketBase's oldCanAssignUsername: the value fits the field's text limits and no record has it yet. */
async function canAssignUsername(core: Core, collection: CollectionModel, fieldName: string, username: string): Promise<boolean> {
  const field = collection.fields.find((f) => f.name === fieldName);
  if (!field || username === '') return false;
  if (field.type === 'text') {
    const max = typeof field['max'] === 'number' && field['max'] > 0 ? field['max'] : 5000;
    const min = typeof field['min'] === 'number' ? field['min'] : 0;
    const length = [...username].length;
    if (length > max || length < min) return false;
    const pattern = typeof field['pattern'] === 'string' ? field['pattern'] : '';
    try {
      if (pattern !== '' && !new RegExp(pattern).test(username)) return false;
    } catch {
      return false;
    }
  }
  if (!findSingleColumnUniqueIndex(collection.indexes, fieldName)) return true;
  const table = collection.name;
  const taken = await core.db.read
    .selectFrom(table)
    .select('id')
    .where((eb) => eb(eb.fn('lower', [eb.ref(fieldName)]), '=', username.toLowerCase()))
    .executeTakeFirst();
  return taken === undefined;
}

export async function buildCreatePayload(core: Core, collection: CollectionModel, user: OAuth2User, createData: Row): Promise<Row> {
  const payload: Row = { ...createData };
  if (typeof payload['email'] !== 'string' || payload['email'] === '') payload['email'] = user.email;
  const mapped = collection.auth?.oauth2.mappedFields ?? { id: '', name: '', username: '', avatarURL: '' };
  const unset = (name: string) => name !== '' && !(name in payload);
  if (unset(mapped.id)) payload[mapped.id] = user.id;
  if (unset(mapped.name)) payload[mapped.name] = user.name;
  if (unset(mapped.username) && (await canAssignUsername(core, collection, mapped.username, user.username))) {
    payload[mapped.username] = user.username;
  }
  if (unset(mapped.avatarURL) && user.avatarURL !== '') {
    const field = collection.fields.find((f) => f.name === mapped.avatarURL);
    if (field?.type === 'file') {
      // Downloading into a file field (through lib/guarded-fetch.ts) waits for file uploads in records; skipped until then.
      core.log.debug(`oauth2: avatar of a new ${collection.name} record not downloaded (file fields cannot be filled yet)`);
    } else if (field) payload[mapped.avatarURL] = user.avatarURL;
  }
  return payload;
}
