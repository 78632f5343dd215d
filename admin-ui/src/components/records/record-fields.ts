/**
 * What the records pages need to know about a collection's fields: which are shown, how a value reads in a
 * cell or a CSV, how an imported text becomes a value, and the columns an operator chose (kept per browser).
 */
import type { CollectionField, CollectionModel, RecordModel } from 'pocketbase';

/** fields the server never sends (or only hashes): never columns, never exported */
const SECRET_TYPES = new Set(['password']);

export function isMultiple(field: CollectionField): boolean {
  return ['select', 'relation', 'file'].includes(field.type) && Number(field['maxSelect'] ?? 1) > 1;
}

/** fields that can be columns: everything the server returns to a superuser */
export function columnFields(collection: CollectionModel): CollectionField[] {
  return collection.fields.filter((f) => !SECRET_TYPES.has(f.type) && !(f.hidden && f.name === 'tokenKey'));
}

/** how a value reads in a table cell (short) */
export function cellText(field: CollectionField, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (field.type === 'bool') return value ? 'true' : 'false';
  if (field.type === 'geoPoint' && typeof value === 'object') {
    const p = value as { lat?: number; lon?: number };
    return `${p.lat ?? 0}, ${p.lon ?? 0}`;
  }
  if (field.type === 'editor') return String(value).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `2024-05-01 10:20:30.000Z` (the wire) → `2024-05-01T10:20:30` for a datetime-local input, read as UTC */
export function dateToInput(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  return value.replace(' ', 'T').replace(/(\.\d+)?Z$/, '').slice(0, 19);
}

/** the input's value back to the wire form (UTC) */
export function inputToDate(value: string): string {
  if (value === '') return '';
  const full = value.length === 16 ? `${value}:00` : value;
  return `${full.replace('T', ' ')}.000Z`;
}

/**
 * An imported cell (CSV text, or any JSON value) → the value the API takes for the field. Throws a readable
 * message when the text cannot be that type; the server still validates the rest.
 */
export function importValue(field: CollectionField, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  switch (field.type) {
    case 'number': {
      if (text === '') return null;
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`"${raw}" is not a number`);
      return n;
    }
    case 'bool':
      if (['', '0', 'false', 'no'].includes(text.toLowerCase())) return false;
      if (['1', 'true', 'yes'].includes(text.toLowerCase())) return true;
      throw new Error(`"${raw}" is not true/false`);
    case 'json':
    case 'geoPoint':
      if (text === '') return null;
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`"${raw.slice(0, 40)}" is not valid JSON`);
      }
    case 'select':
    case 'relation':
    case 'file':
      if (!isMultiple(field)) return text;
      if (text.startsWith('[')) {
        try {
          return JSON.parse(text);
        } catch {
          throw new Error(`"${raw.slice(0, 40)}" is not a JSON list`);
        }
      }
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    default:
      return raw;
  }
}

/** the fields a record's presentable label is built from (relation pickers, chips) */
export function presentableFields(collection: CollectionModel): CollectionField[] {
  const marked = collection.fields.filter((f) => f.presentable);
  if (marked.length > 0) return marked;
  const named = collection.fields.filter((f) => ['name', 'title', 'email', 'username', 'label', 'slug'].includes(f.name));
  if (named.length > 0) return named.slice(0, 1);
  return collection.fields.filter((f) => f.type === 'text' && f.name !== 'id' && !f.hidden).slice(0, 1);
}

export function recordLabel(collection: CollectionModel | undefined, record: RecordModel): string {
  if (!collection) return record.id;
  const parts = presentableFields(collection)
    .map((f) => cellText(f, record[f.name]))
    .filter((s) => s !== '');
  return parts.length > 0 ? parts.join(' · ') : record.id;
}

const COLUMNS_KEY = (collection: CollectionModel) => `galley.records.columns.${collection.id}`;

/** the column names chosen for this collection in this browser, or the default (the first 7 fields after id) */
export function loadColumns(collection: CollectionModel): string[] {
  const all = columnFields(collection)
    .map((f) => f.name)
    .filter((n) => n !== 'id');
  try {
    const saved = JSON.parse(localStorage.getItem(COLUMNS_KEY(collection)) ?? 'null') as unknown;
    if (Array.isArray(saved)) {
      const kept = saved.filter((n): n is string => typeof n === 'string' && all.includes(n));
      if (kept.length > 0) return kept;
    }
  } catch {
    // an unreadable entry is replaced on the next change
  }
  return all.slice(0, 7);
}

export function saveColumns(collection: CollectionModel, names: string[]): void {
  localStorage.setItem(COLUMNS_KEY(collection), JSON.stringify(names));
}

/**
 * Filter autocomplete: the names that can follow what is typed before the cursor (fields, a relation's
 * fields after `rel.`, a few `@` identifiers).
 */
export function filterSuggestions(collection: CollectionModel, all: readonly CollectionModel[], typed: string): string[] {
  const word = /[@\w.]*$/.exec(typed)?.[0] ?? '';
  const names: string[] = [];
  for (const f of collection.fields) {
    if (f.type === 'password') continue;
    names.push(f.name);
    if (f.type === 'relation') {
      const target = all.find((c) => c.id === f['collectionId']);
      if (target) for (const tf of target.fields) if (tf.type !== 'password') names.push(`${f.name}.${tf.name}`);
    }
  }
  names.push('@now', '@todayStart', '@todayEnd', '@request.auth.id', '@collection.');
  if (word === '') return [];
  const lower = word.toLowerCase();
  return names.filter((n) => n.toLowerCase().startsWith(lower) && n !== word).slice(0, 12);
}
