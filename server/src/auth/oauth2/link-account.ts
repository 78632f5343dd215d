/**
 * Which record an OAuth2 sign-in lands on (PocketBase's oauth2Submit):
 *   1. the record linked to (provider, subject) in `_externalAuths`;
 *   2. else the caller's own record, when signed in to this collection (explicit linking);
 *   3. else the record with the provider's email (a provider reports an email only once it verified it). When
 *      that record is NOT verified, its address was an unproven claim, perhaps an attacker's pre-registration:
 *      as PocketBase does, the identity is linked, the record marked verified, its password reset to a random
 *      one (ending its sessions) and every link made before dropped, so the owner signs in and a pre-registered
 *      password or pre-linked provider (GHSA-m93w-4fxv-r35v, GHSA-pq7p-mc74-g65w) dies;
 *   4. else a new record through the normal create path (createRule, `@request.context = "oauth2"`).
 */
import type { Core } from '../../core.ts';
import { GalleyError } from '../../errors.ts';
import { randomString } from '../../lib/ids.ts';
import { createRecord } from '../../records/create.ts';
import { deriveRequest, type RequestInfo } from '../../rules/request-info.ts';
import type { CollectionModel } from '../../schema/model.ts';
import { buildIdentityMatch } from '../find-auth-record.ts';
import { writeAuthRecord, type AuthRecordChanges } from '../write-auth-record.ts';
import { deleteExternalAuth, deleteExternalAuthsOfRecord, findExternalAuth, insertExternalAuth } from './external-auths.ts';
import { buildCreatePayload } from './create-payload.ts';
import type { OAuth2User } from './oauth2-user.ts';

const FAILED = 'Failed to authenticate.';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

type Row = Record<string, unknown>;
const isVerified = (row: Row) => row['verified'] === 1 || row['verified'] === true;
const newRandomPassword = () => randomString(30, ALNUM);

async function findRow(core: Core, collection: CollectionModel, id: string): Promise<Row | undefined> {
  return (await core.db.read.selectFrom(collection.name).selectAll().where('id', '=', id).executeTakeFirst()) as Row | undefined;
}

async function findRowByEmail(core: Core, collection: CollectionModel, email: string): Promise<Row | undefined> {
  return (await core.db.read.selectFrom(collection.name).selectAll().where(buildIdentityMatch(collection, 'email', email, core.db.dialect)).executeTakeFirst()) as Row | undefined;
}

/** PocketBase's update of an existing record on OAuth2 sign-in, then the link if it is missing. */
async function updateAndLink(core: Core, info: RequestInfo, collection: CollectionModel, row: Row, user: OAuth2User, provider: string, linked: boolean): Promise<Row> {
  const id = String(row['id']);
  const verified = isVerified(row);
  const signedInAsIt = info.auth?.collection.id === collection.id && info.auth.record['id'] === id;
  const changes: AuthRecordChanges = {};
  // an unverified record may have been set up by someone else: its password goes (wire: PocketBase does the same)
  if (!signedInAsIt && !verified) changes.password = newRandomPassword();
  const email = String(row['email'] ?? '');
  if (email === '' && user.email !== '') changes.email = user.email;
  if (!verified && (email === '' || email === user.email)) changes.verified = true;
  // one write: the record's changes and its links commit together (writeAuthRecord nests in this job)
  return core.db.writer.run(async (tx) => {
    let current = row;
    if (Object.keys(changes).length > 0) {
      current = await writeAuthRecord(core, collection, id, changes, FAILED, (now) => {
        if (isVerified(now) !== verified || String(now['email'] ?? '') !== email) throw new GalleyError('invalid', FAILED);
      });
    }
    // an unverified record keeps at most the one link being made now
    if (!verified) await deleteExternalAuthsOfRecord(core, tx, collection, id);
    if (!verified || !linked) await insertExternalAuth(core, tx, collection, id, provider, user.id);
    return current;
  });
}

async function createAndLink(core: Core, info: RequestInfo, collection: CollectionModel, user: OAuth2User, provider: string, createData: Row): Promise<Row> {
  if (collection.name === '_superusers') throw new GalleyError('invalid', FAILED);
  const payload = await buildCreatePayload(core, collection, user, createData);
  if (!('password' in payload)) {
    payload['password'] = newRandomPassword();
    payload['passwordConfirm'] = payload['password'];
  }
  // one write: the record (normal create path, nested), its verified flag and its link commit together
  return core.db.writer.run(async (tx) => {
    const created = await createRecord(core, deriveRequest(info, { context: 'oauth2' }), collection.name, payload, {});
    const id = String(created['id']);
    let row = (await findRow(core, collection, id))!;
    // wire: the new record is verified when its email is the provider's (verified) one, even both empty
    if (String(row['email'] ?? '') === user.email && !isVerified(row)) row = await writeAuthRecord(core, collection, id, { verified: true }, FAILED);
    await insertExternalAuth(core, tx, collection, id, provider, user.id);
    return row;
  });
}

/** The record a sign-in names before anything is written (steps 1–3); undefined: a sign-up (step 4). */
export interface OAuth2Account {
  row: Row | undefined;
  /** the row came from the (provider, subject) link */
  linked: boolean;
}

export async function findOAuth2Account(core: Core, info: RequestInfo, collection: CollectionModel, provider: string, user: OAuth2User): Promise<OAuth2Account> {
  const link = await findExternalAuth(core, collection, provider, user.id);
  let row = link ? await findRow(core, collection, link.recordRef) : undefined;
  if (link && !row) await deleteExternalAuth(core, link.id); // its record was deleted since
  if (row) return { row, linked: true };

  if (info.auth?.collection.id === collection.id) row = await findRow(core, collection, String(info.auth.record['id']));
  if (!row && user.email !== '') {
    row = await findRowByEmail(core, collection, user.email);
  }
  return { row, linked: false };
}

/** PocketBase's oauth2Submit: updates and links the record found (or the one a hook chose), or signs up a new one. */
export async function submitOAuth2Account(
  core: Core,
  info: RequestInfo,
  collection: CollectionModel,
  provider: string,
  user: OAuth2User,
  createData: Row,
  account: OAuth2Account,
): Promise<Row> {
  if (account.row) return updateAndLink(core, info, collection, account.row, user, provider, account.linked);
  return createAndLink(core, info, collection, user, provider, createData);
}
