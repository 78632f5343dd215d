/**
 * PocketBase's token `secret` options on the collections API (`authToken.secret`, `passwordResetToken.secret`,
 * `emailChangeToken.secret`, `verificationToken.secret`, `fileToken.secret`): taken out of the body before it
 * becomes a schema file entry (the file is committed to git), checked as PocketBase checks them (30–255
 * characters), and written to the key store beside the generated ones once the schema change is in, so a
 * PocketBase export with secrets imports and the tokens it signed verify. Never answered back.
 */
import type { Core, TokenType } from '../core.ts';
import { GalleyError, issue, type IssueTree } from '../errors.ts';
import { loadSecretStore, tokenSecretKey } from '../auth/secrets.ts';
import { setParam } from '../db/params.ts';

const OPTION_TYPES: ReadonlyArray<[string, TokenType]> = [
  ['authToken', 'auth'],
  ['passwordResetToken', 'passwordReset'],
  ['emailChangeToken', 'emailChange'],
  ['verificationToken', 'verification'],
  ['fileToken', 'file'],
];

/** The secrets one collections API entry brings, by token type. */
export type TokenSecrets = Map<TokenType, string>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** PocketBase's TokenConfig check of each secret `body` carries (30–255 characters), under `<option>.secret`. */
export function checkTokenSecrets(body: Record<string, unknown>): IssueTree {
  const issues: IssueTree = {};
  for (const [option] of OPTION_TYPES) {
    const value = body[option];
    if (!isObject(value) || !Object.hasOwn(value, 'secret')) continue;
    const secret = value['secret'];
    if (secret === '' || secret === null) continue; // wire: the dashboard sends none; the stored one stays
    if (typeof secret !== 'string' || secret.length < 30 || secret.length > 255) {
      issues[option] = { secret: issue('validation_length_out_of_range', 'The length must be between 30 and 255.') };
    }
  }
  return issues;
}

/**
 * `body` without its token secrets (a shallow copy; the body is left as it is), and the secrets. A secret that
 * PocketBase would refuse is a 400 under `<option>.secret`.
 */
export function takeTokenSecrets(body: Record<string, unknown>): { body: Record<string, unknown>; secrets: TokenSecrets } {
  const issues = checkTokenSecrets(body);
  if (Object.keys(issues).length > 0) throw new GalleyError('invalid', 'An error occurred while validating the submitted data.', { issues });
  const out: Record<string, unknown> = { ...body };
  const secrets: TokenSecrets = new Map();
  for (const [option, type] of OPTION_TYPES) {
    const value = out[option];
    if (!isObject(value) || !Object.hasOwn(value, 'secret')) continue;
    const { secret, ...rest } = value;
    out[option] = rest;
    if (typeof secret === 'string' && secret !== '') secrets.set(type, secret);
  }
  return { body: out, secrets };
}

/** An issue tree as PocketBase serialises a validation error into a message: nested keys, each leaf its message. */
function issueMessages(tree: IssueTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    out[key] = typeof (value as { code?: unknown }).code === 'string' ? (value as { message: string }).message : issueMessages(value as IssueTree);
  }
  return out;
}

/**
 * wire: an import whose collection fails its checks (a bad token secret among them) answers PocketBase's one
 * `collections` issue, as its ImportCollections does: `Data validations failed for collection "<name>" (<id>):`
 * and the problems as indented JSON.
 */
export function toImportValidationFailure(name: string, id: string, issues: IssueTree): GalleyError {
  const detail = `Data validations failed for collection ${JSON.stringify(name)} (${id}):\n${JSON.stringify(issueMessages(issues), null, 2)}`;
  return new GalleyError('invalid', 'Failed to import collections.', { issues: { collections: issue('validation_collections_import_failure', detail) } });
}

/** Store the secrets of each auth collection (by id) and swap in a key store that has them. */
export async function storeTokenSecrets(core: Core, byCollection: ReadonlyMap<string, TokenSecrets>): Promise<void> {
  const writes = [...byCollection].filter(([id, secrets]) => secrets.size > 0 && core.schema.findCollection(id)?.type === 'auth');
  if (writes.length === 0) return;
  await core.db.writer.run(async (tx) => {
    for (const [id, secrets] of writes) {
      for (const [type, secret] of secrets) await setParam(tx, tokenSecretKey(id, type), secret);
    }
  });
  // both are read per use (as the schema reloader's swap does), so replacing the store is the whole switch-over
  (core as { secrets: Core['secrets'] }).secrets = await loadSecretStore(core.db, core.schema);
}
