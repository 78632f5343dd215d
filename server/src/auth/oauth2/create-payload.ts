/**
 * The body of the record an OAuth2 sign-up creates (PocketBase's oauth2Submit): the client's `createData`,
 * the provider's verified email unless the client gave one, and `oauth2.mappedFields` filled from the
 * provider's user unless the client set them.
 */
import { posix } from 'node:path';
import type { Core } from '../../core.ts';
import { guardedFetch, type GuardedFetchOptions } from '../../lib/guarded-fetch.ts';
import { toUploadedFile } from '../../records/record-uploads.ts';
import { readFileMaxSize } from '../../schema/fields/file.ts';
import { findSingleColumnUniqueIndex } from '../../schema/index-sql.ts';
import type { CollectionModel, FieldModel } from '../../schema/model.ts';
import type { OAuth2User } from './oauth2-user.ts';

type Row = Record<string, unknown>;

/** How avatars are fetched for this Galley: an operator allow-list, or tests reaching 127.0.0.1 under a fake name. */
export function configureAvatarFetch(core: Core, options: GuardedFetchOptions): void {
  core.oauth2.avatarFetch = options;
}

/**
 * The provider's avatar as an upload for a file field: the URL comes from the provider's claims, so it goes
 * through the guarded fetch (public addresses only, no redirects, the field's size cap, 10 s). Failing is
 * not fatal (wire: PocketBase logs and signs up without it).
 */
async function downloadAvatar(core: Core, field: FieldModel, url: string): Promise<unknown[] | undefined> {
  try {
    const res = await guardedFetch(url, { timeoutMs: 10_000, ...core.oauth2.avatarFetch, maxBytes: readFileMaxSize(field) });
    const name = posix.basename(new URL(url).pathname) || 'avatar';
    return [await toUploadedFile({ name, arrayBuffer: async () => res.body.slice().buffer })];
  } catch (err) {
    core.log.warn(`oauth2: avatar not downloaded: ${(err as Error).message}`);
    return undefined;
  }
}

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
      const upload = await downloadAvatar(core, field, user.avatarURL);
      if (upload) payload[mapped.avatarURL] = upload;
    } else if (field) payload[mapped.avatarURL] = user.avatarURL;
  }
  return payload;
}
