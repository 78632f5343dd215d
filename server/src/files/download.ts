/**
 * GET /api/files/{collection}/{recordId}/{filename}: which stored object answers, after PocketBase's checks.
 * wire: every refusal (unknown collection, record or name, a protected file without a valid token or
 * without view access) is the same 404, so a protected file's existence is not revealed.
 */
import type { Core } from '../core.ts';
import { notFound } from '../errors.ts';
import { ruleClauseOrDeny, scopeOf } from '../records/access.ts';
import { deriveRequest, type RequestInfo } from '../rules/request-info.ts';
import { loadStrings } from '../schema/fields/multi-value.ts';
import type { CollectionModel, FieldModel } from '../schema/model.ts';
import { resolveFileToken } from './file-token.ts';
import { ensureThumbnail, thumbKeyOf } from './thumbnail.ts';
import { pickThumbSize } from './thumb-size.ts';

export interface DownloadInput {
  collection: string;
  recordId: string;
  filename: string;
  /** `?thumb=` */
  thumb?: string;
  /** `?token=` (protected files) */
  token?: string;
}

export interface ServedFile {
  key: string;
  /** the name the client sees: the original's, or `<size>_<name>` for a thumb */
  name: string;
}

/** A name that could be a stored file at all: one path segment, no control characters. */
function isPlausibleFilename(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name !== '' && name !== '.' && name !== '..' && name.length <= 255 && !/[/\\\u0000-\u001f\u007f]/.test(name);
}

function findFileField(collection: CollectionModel, row: Record<string, unknown>, filename: string): FieldModel | undefined {
  return collection.fields.find((field) => {
    if (field.type !== 'file') return false;
    // Read as multi-valued whatever maxSelect says, so every stored name counts.
    const names = loadStrings(row[field.name], { ...field, maxSelect: 2 });
    return Array.isArray(names) ? names.includes(filename) : names === filename;
  });
}

/** wire: the view rule decides, for the file token's record (the Authorization header does not count). */
async function canViewProtected(core: Core, info: RequestInfo, collection: CollectionModel, recordId: string, token: string | undefined): Promise<boolean> {
  const auth = await resolveFileToken(core, token);
  const asked = deriveRequest(info, { auth, context: 'protectedFile' });
  const clause = ruleClauseOrDeny(scopeOf(core.schema, collection, asked), 'viewRule');
  if (clause === 'deny') return false;
  if (clause === null) return true;
  const table = collection.name;
  const row = await core.db.read.selectFrom(table).select(`${table}.id`).where(`${table}.id`, '=', recordId).where(clause).executeTakeFirst();
  return row !== undefined;
}

export async function resolveDownload(core: Core, info: RequestInfo, input: DownloadInput): Promise<ServedFile> {
  const collection = core.schema.findCollection(input.collection);
  // View collections' files live under their source records; not served yet.
  if (!collection || collection.type === 'view' || !input.recordId || !isPlausibleFilename(input.filename)) throw notFound();
  const row = (await core.db.read.selectFrom(collection.name).selectAll().where('id', '=', input.recordId).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  if (!row) throw notFound();
  const field = findFileField(collection, row, input.filename);
  if (!field) throw notFound();
  if (field['protected'] === true && !(await canViewProtected(core, info, collection, input.recordId, input.token))) throw notFound();

  const folder = `${collection.id}/${String(row['id'])}`;
  const originalKey = `${folder}/${input.filename}`;
  const thumb = pickThumbSize(field, input.thumb);
  if (thumb) {
    const thumbKey = thumbKeyOf(folder, input.filename, thumb.text);
    if (await ensureThumbnail(core, originalKey, thumbKey, thumb.size)) return { key: thumbKey, name: `${thumb.text}_${input.filename}` };
  }
  return { key: originalKey, name: input.filename };
}
