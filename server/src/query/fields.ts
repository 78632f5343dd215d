import { GalleyError } from '../errors.ts';

/**
 * The `fields` query parameter: a projection of response JSON by dotted paths, `*` for every key at a
 * level, and the `:excerpt(max, withEllipsis?)` modifier on a leaf. Lists project each item, not the envelope.
 */
interface FieldTree {
  children: Map<string, FieldTree>;
  excerpt?: { max: number; ellipsis: boolean };
}

const EXCERPT = /^(.*):excerpt\(\s*(\d+)\s*(?:,\s*(true|false|1|0|t|f)\s*)?\)$/i;

function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function parseFieldsParam(input: string): FieldTree {
  const root: FieldTree = { children: new Map() };
  for (const part of splitTopLevel(input)) {
    let path = part;
    let excerpt: FieldTree['excerpt'];
    if (part.includes(':')) {
      const m = EXCERPT.exec(part);
      if (!m) throw new GalleyError('invalid', `fields: unknown modifier in "${part.slice(0, 50)}"`);
      path = m[1]!;
      excerpt = { max: Number(m[2]), ellipsis: /^(true|1|t)$/i.test(m[3] ?? 'false') };
    }
    let node = root;
    for (const seg of path.split('.')) {
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { children: new Map() }));
      node = next;
    }
    if (excerpt) node.excerpt = excerpt;
  }
  return root;
}

/** Plain text of HTML, cut to about `max` characters. */
export function excerptText(html: string, max: number, ellipsis: boolean): string {
  const text = html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if ([...text].length <= max) return text;
  const cut = [...text].slice(0, max).join('').trimEnd();
  return ellipsis ? cut + '...' : cut;
}

function project(value: unknown, tree: FieldTree): unknown {
  if (tree.excerpt && typeof value === 'string') return excerptText(value, tree.excerpt.max, tree.excerpt.ellipsis);
  if (tree.children.size === 0) return value;
  if (Array.isArray(value)) return value.map((v) => project(v, tree));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const star = tree.children.get('*');
  if (star) for (const key of Object.keys(source)) out[key] = project(source[key], star);
  for (const [key, child] of tree.children) {
    if (key === '*' || !Object.hasOwn(source, key)) continue;
    out[key] = project(source[key], child);
  }
  return out;
}

function isListEnvelope(data: unknown): data is { items: unknown[] } {
  return !!data && typeof data === 'object' && Array.isArray((data as { items?: unknown }).items) && 'page' in data;
}

export function pickFields(data: unknown, fields: string): unknown {
  const tree = parseFieldsParam(fields);
  if (tree.children.size === 0) return data;
  if (isListEnvelope(data)) return { ...data, items: data.items.map((item) => project(item, tree)) };
  return project(data, tree);
}
