/**
 * GET /api/files/{collection}/{recordId}/{filename}: which stored object answers, after PocketBase's checks.
 * wire: every refusal (unknown collection, record or name, a protected file without a valid token or
 * without view access) is the same 404, so a protected file's existence is not revealed.
 * A view collection's file lives under the source record that holds it (PocketBase's FindRecordByViewFile);
 * the view's own record, field options and view rule decide, as in PocketBase.
 */
import type { Core } from '../core.ts';
import { notFound } from '../errors.ts';
import { ruleClauseOrDeny, scopeOf } from '../records/access.ts';
import { relationHolds } from '../records/relation-values.ts';
import { deriveRequest, isSuperuser, type RequestInfo } from '../rules/request-info.ts';
import { loadStrings } from '../schema/fields/multi-value.ts';
import type { CollectionModel, FieldModel } from '../schema/model.ts';
import { findViewColumnSource } from '../schema/view-fields.ts';
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
  /** false: the client's address is outside `superuserIPs`, so a superuser's file token counts for nothing */
  superuserIpAllowed?: boolean;
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
async function canViewProtected(core: Core, info: RequestInfo, collection: CollectionModel, recordId: string, input: DownloadInput): Promise<boolean> {
  let asked = deriveRequest(info, { auth: await resolveFileToken(core, input.token), context: 'protectedFile' });
  // wire: PocketBase drops a superuser's file token used from outside superuserIPs (then the rule decides as for a guest)
  if (isSuperuser(asked) && input.superuserIpAllowed === false) asked = deriveRequest(info, { auth: null, context: 'protectedFile' });
  const clause = ruleClauseOrDeny(scopeOf(core.schema, collection, asked, core.db.dialect), 'viewRule');
  if (clause === 'deny') return false;
  if (clause === null) return true;
  const table = collection.name;
  const row = await core.db.read.selectFrom(table).select(`${table}.id`).where(`${table}.id`, '=', recordId).where(clause).executeTakeFirst();
  return row !== undefined;
}

/** wire: PocketBase follows a view's file column through at most 5 views to the collection storing it. */
const MAX_VIEW_DEPTH = 5;

/** The storage folder of the record whose `fieldName` holds `filename`, following view columns to their source. */
async function findViewFileFolder(core: Core, view: CollectionModel, fieldName: string, filename: string): Promise<string | undefined> {
  const schema = core.schema;
  let source = { collection: view, field: view.fields.find((f) => f.name === fieldName) };
  for (let level = 0; source.collection.type === 'view'; level++) {
    if (level === MAX_VIEW_DEPTH || !source.field) return undefined;
    const next = findViewColumnSource(source.collection.viewQuery ?? '', (name) => schema.findCollection(name), source.field.name);
    if (!next) return undefined;
    source = next;
  }
  const { collection, field } = source;
  if (field?.type !== 'file') return undefined;
  const table = collection.name;
  const owner = await core.db.read
    .selectFrom(table)
    .select(`${table}.id`)
    .where(relationHolds(table, field, [filename], core.db.dialect))
    .limit(1)
    .executeTakeFirst();
  return owner ? `${collection.id}/${String(owner['id'])}` : undefined;
}

export async function resolveDownload(core: Core, info: RequestInfo, input: DownloadInput): Promise<ServedFile> {
  const collection = core.schema.findCollection(input.collection);
  if (!collection || !input.recordId || !isPlausibleFilename(input.filename)) throw notFound();
  const row = (await core.db.read.selectFrom(collection.name).selectAll().where('id', '=', input.recordId).executeTakeFirst()) as
    | Record<string, unknown>
    | undefined;
  if (!row) throw notFound();
  const field = findFileField(collection, row, input.filename);
  if (!field) throw notFound();
  if (field['protected'] === true && !(await canViewProtected(core, info, collection, input.recordId, input))) throw notFound();

  const folder =
    collection.type === 'view' ? await findViewFileFolder(core, collection, field.name, input.filename) : `${collection.id}/${String(row['id'])}`;
  if (folder === undefined) throw notFound();
  const originalKey = `${folder}/${input.filename}`;
  const thumb = pickThumbSize(field, input.thumb);
  if (thumb) {
    const thumbKey = thumbKeyOf(folder, input.filename, thumb.text);
    if (await ensureThumbnail(core, originalKey, thumbKey, thumb.size)) return { key: thumbKey, name: `${thumb.text}_${input.filename}` };
  }
  return { key: originalKey, name: input.filename };
}
