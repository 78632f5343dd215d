/** The record editor's form: starting values per field type, and the request body a save sends. */
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';
import { isMultiple } from './record-fields.ts';

/** per file field: files picked to upload, and stored names marked for removal */
export type FileChanges = Record<string, { uploads: File[]; removed: string[] }>;

/** the fields the editor shows, in schema order (a hidden tokenKey never) */
export function formFields(collection: CollectionModel): CollectionField[] {
  return collection.fields.filter((f) => !(f.hidden && f.name === 'tokenKey'));
}

function startValue(field: CollectionField, value: unknown): unknown {
  switch (field.type) {
    case 'bool':
      return Boolean(value);
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'geoPoint': {
      const p = (value ?? {}) as { lat?: number; lon?: number };
      return { lat: p.lat ?? 0, lon: p.lon ?? 0 };
    }
    case 'select':
    case 'relation':
      if (isMultiple(field)) return Array.isArray(value) ? [...value] : value ? [value] : [];
      return typeof value === 'string' ? value : '';
    case 'json':
      // edited as text; an absent value starts empty (saved as null)
      return value === undefined || value === null ? '' : JSON.stringify(value, null, 2);
    case 'password':
      return '';
    default:
      return value ?? '';
  }
}

export function startValues(collection: CollectionModel, record: RecordModel | null): Record<string, unknown> {
  return Object.fromEntries(formFields(collection).filter((f) => f.type !== 'file').map((f) => [f.name, startValue(f, record?.[f.name])]));
}

export function startFiles(collection: CollectionModel): FileChanges {
  return Object.fromEntries(collection.fields.filter((f) => f.type === 'file').map((f) => [f.name, { uploads: [], removed: [] }]));
}

/**
 * The body of a create/update. Files go as `field+` (appended) and `field-` (removed) as the API reads them;
 * the SDK sends multipart when a File is present. Throws `{ field: message }` for values the browser
 * already knows are wrong (JSON that does not parse).
 */
export function buildBody(
  collection: CollectionModel,
  values: Record<string, unknown>,
  files: FileChanges,
  passwordConfirm: string,
  isNew: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const invalid: Record<string, string> = {};
  for (const f of collection.fields) {
    if (f.type === 'autodate' || (f.hidden && f.name === 'tokenKey')) continue;
    if (f.name === 'id') {
      if (isNew && values['id']) body['id'] = values['id'];
      continue;
    }
    if (f.type === 'file') {
      const change = files[f.name]!;
      if (change.removed.length > 0) body[`${f.name}-`] = change.removed;
      if (change.uploads.length > 0) body[isMultiple(f) ? `${f.name}+` : f.name] = isMultiple(f) ? change.uploads : change.uploads[0];
      continue;
    }
    const value = values[f.name];
    if (f.type === 'password') {
      if (value) {
        body[f.name] = value;
        body['passwordConfirm'] = passwordConfirm;
      }
      continue;
    }
    if (f.type === 'json') {
      const text = String(value ?? '').trim();
      if (text === '') body[f.name] = null;
      else
        try {
          body[f.name] = JSON.parse(text);
        } catch (err) {
          invalid[f.name] = `Not valid JSON: ${(err as Error).message}`;
        }
      continue;
    }
    body[f.name] = value;
  }
  if (Object.keys(invalid).length > 0) throw invalid;
  return body;
}
