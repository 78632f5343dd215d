/**
 * What an import would change, per collection, before it is sent: new collections, changed ones (fields added,
 * removed or changed; rules, indexes and other options that differ) and, with "delete missing", the ones it
 * removes. Collections are matched as the server matches them: by id, else by name.
 */
import type { CollectionModel } from 'pocketbase';

type Json = Record<string, unknown>;

export interface CollectionDiff {
  name: string;
  kind: 'new' | 'changed' | 'unchanged' | 'deleted';
  changes: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const IGNORED = new Set(['created', 'updated', 'id', 'fields', 'name']);

function diffFields(current: Json[], next: Json[], deleteMissing: boolean): string[] {
  const out: string[] = [];
  const find = (f: Json) => current.find((c) => (f['id'] && c['id'] === f['id']) || (c['name'] === f['name'] && c['type'] === f['type']));
  for (const f of next) {
    const had = find(f);
    if (!had) out.push(`field ${f['name']} (${f['type']}) added`);
    else {
      if (had['name'] !== f['name']) out.push(`field ${had['name']} renamed to ${f['name']}`);
      const keys = new Set([...Object.keys(had), ...Object.keys(f)].filter((k) => k !== 'id' && k !== 'name'));
      const changed = [...keys].filter((k) => k in f && !same(had[k], f[k]));
      if (changed.length > 0) out.push(`field ${f['name']}: ${changed.join(', ')} changed`);
    }
  }
  for (const c of current) {
    if (c['system']) continue;
    if (!next.some((f) => find(f) === c) && deleteMissing) out.push(`field ${c['name']} (${c['type']}) removed`);
  }
  return out;
}

export function diffImport(current: readonly CollectionModel[], imported: unknown[], deleteMissing: boolean): CollectionDiff[] {
  const out: CollectionDiff[] = [];
  const matched = new Set<string>();
  for (const raw of imported) {
    const item = (raw ?? {}) as Json;
    const had = current.find((c) => (item['id'] && c.id === item['id']) || c.name === item['name']) as unknown as Json | undefined;
    const name = String(item['name'] ?? item['id'] ?? '(unnamed)');
    if (!had) {
      const fields = Array.isArray(item['fields']) ? item['fields'].length : 0;
      out.push({ name, kind: 'new', changes: [`new ${String(item['type'] ?? 'base')} collection with ${fields} field${fields === 1 ? '' : 's'}`] });
      continue;
    }
    matched.add(String(had['id']));
    const changes: string[] = [];
    if (item['name'] !== undefined && item['name'] !== had['name']) changes.push(`renamed from ${had['name']} to ${item['name']}`);
    for (const key of Object.keys(item)) {
      if (IGNORED.has(key)) continue;
      if (!same(had[key], item[key])) changes.push(key.endsWith('Rule') ? `${key}: ${JSON.stringify(had[key] ?? null)} → ${JSON.stringify(item[key])}` : `${key} changed`);
    }
    if (Array.isArray(item['fields'])) changes.push(...diffFields((had['fields'] as Json[]) ?? [], item['fields'] as Json[], deleteMissing));
    out.push({ name, kind: changes.length > 0 ? 'changed' : 'unchanged', changes });
  }
  if (deleteMissing) {
    for (const c of current) if (!c.system && !matched.has(c.id)) out.push({ name: c.name, kind: 'deleted', changes: ['deleted with its records'] });
  }
  return out;
}
