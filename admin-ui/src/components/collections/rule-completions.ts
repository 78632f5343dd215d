/**
 * What a rule may name, for the rule editor's completion: the collection's fields (and one level into relations),
 * `@request.*`, `@collection.<name>.<field>`, modifiers (`:isset`, `:changed`, `:length`, `:each`, `:lower`),
 * date macros and functions. The server compiles the rule; this only helps typing it.
 */
import type { CollectionModel } from 'pocketbase';

export interface RuleContext {
  /** the collection being edited (its draft fields) */
  fields: Array<{ name: string; type: string; collectionId?: string }>;
  collections: CollectionModel[];
}

export interface Suggestion {
  label: string;
  detail: string;
  type: 'property' | 'variable' | 'keyword' | 'function' | 'constant';
}

export const MACROS = [
  '@now', '@second', '@minute', '@hour', '@weekday', '@day', '@month', '@year',
  '@yesterday', '@tomorrow', '@todayStart', '@todayEnd', '@monthStart', '@monthEnd', '@yearStart', '@yearEnd',
];
export const MODIFIERS = [
  { label: ':isset', detail: 'was the key sent (@request.body / query / headers)' },
  { label: ':changed', detail: 'sent and different from the stored value' },
  { label: ':length', detail: 'number of items of a multi-value field' },
  { label: ':each', detail: 'every item of a multi-value field' },
  { label: ':lower', detail: 'lower-cased value' },
];
const REQUEST = [
  { label: '@request.auth.id', detail: 'the signed-in record’s id ("" for guests)' },
  { label: '@request.auth.collectionName', detail: 'the signed-in record’s collection' },
  { label: '@request.auth.', detail: 'a field of the signed-in record' },
  { label: '@request.body.', detail: 'a submitted body field' },
  { label: '@request.query.', detail: 'a query parameter' },
  { label: '@request.headers.', detail: 'a request header (lower-case, - as _)' },
  { label: '@request.method', detail: 'GET, POST, …' },
  { label: '@request.context', detail: 'default, oauth2, otp, password, realtime, protectedFile' },
];
const FUNCTIONS = [{ label: 'geoDistance(', detail: 'geoDistance(lonA, latA, lonB, latB) in km' }, { label: 'strftime(', detail: 'strftime(format, date)' }];

function fieldNamesOf(c: CollectionModel | undefined): string[] {
  return (c?.fields ?? []).map((f) => f.name);
}

/** Suggestions for the word before the cursor (`word` may hold dots, @ and :). */
export function suggest(word: string, ctx: RuleContext): Suggestion[] {
  const out: Suggestion[] = [];
  const add = (label: string, detail: string, type: Suggestion['type']) => out.push({ label, detail, type });
  const colon = word.lastIndexOf(':');
  if (colon > 0) {
    for (const m of MODIFIERS) add(word.slice(0, colon) + m.label, m.detail, 'keyword');
    return out;
  }
  if (word.startsWith('@collection.')) {
    const rest = word.slice('@collection.'.length);
    const dot = rest.indexOf('.');
    if (dot < 0) for (const c of ctx.collections) add(`@collection.${c.name}.`, `${c.type} collection`, 'variable');
    else {
      const c = ctx.collections.find((x) => x.name === rest.slice(0, dot));
      for (const f of fieldNamesOf(c)) add(`@collection.${c!.name}.${f}`, 'field', 'property');
    }
    return out;
  }
  if (word.startsWith('@request.auth.')) {
    const auth = ctx.collections.filter((c) => c.type === 'auth' && !c.system);
    const names = new Set(['id', 'collectionId', 'collectionName', 'email', 'verified', ...auth.flatMap(fieldNamesOf)]);
    for (const n of names) add(`@request.auth.${n}`, 'signed-in record', 'property');
    return out;
  }
  if (word.startsWith('@request.body.')) {
    for (const f of ctx.fields) add(`@request.body.${f.name}`, `${f.type} (submitted)`, 'property');
    return out;
  }
  if (word.startsWith('@')) {
    for (const r of REQUEST) add(r.label, r.detail, 'variable');
    add('@collection.', 'another collection (join)', 'variable');
    for (const m of MACROS) add(m, 'date macro', 'constant');
    return out;
  }
  const dot = word.indexOf('.');
  if (dot > 0) {
    // one level into a relation: author.name
    const rel = ctx.fields.find((f) => f.name === word.slice(0, dot) && f.type === 'relation');
    const target = ctx.collections.find((c) => c.id === rel?.collectionId);
    for (const f of fieldNamesOf(target)) add(`${rel!.name}.${f}`, `${target!.name} field`, 'property');
    return out;
  }
  for (const f of ctx.fields) add(f.name, f.type, 'property');
  for (const f of ctx.fields.filter((x) => x.type === 'relation')) add(`${f.name}.`, 'fields of the related record', 'property');
  for (const fn of FUNCTIONS) add(fn.label, fn.detail, 'function');
  add('@request.', 'the request', 'variable');
  add('@collection.', 'another collection (join)', 'variable');
  return out;
}
