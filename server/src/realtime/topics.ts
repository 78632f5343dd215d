/**
 * A subscription string → its base topic and options. wire: `posts/*?options=<urlencoded JSON
 * {"query":{…},"headers":{…}}>` as the SDK builds it (tools/subscriptions/client.go): query values
 * stringified, header names snake_cased, anything unreadable is simply no options.
 */
import { createHash } from 'node:crypto';

export interface TopicOptions {
  query: Record<string, string>;
  headers: Record<string, string>;
  /**
   * A digest (SHA-256) of a canonical text of both, for grouping subscribers whose options are the same: grouping
   * keys are kept per subscription and per compiled check, and options may be 2500 characters.
   */
  key: string;
}

export interface ParsedTopic {
  /** the subscription string exactly as subscribed: the event name of its messages */
  topic: string;
  /** the part before `?` (wire: PocketBase matches `base + "?"` as a prefix) */
  base: string;
  options: TopicOptions;
}

const NO_OPTIONS: TopicOptions = Object.freeze({ query: Object.freeze({}), headers: Object.freeze({}), key: '' }) as TopicOptions;

/** wire: Go's cast.ToString for JSON values: strings, numbers and booleans; anything else is "". */
function stringifyOptionValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** wire: PocketBase's inflector.Snakecase: split at non-word characters, `_` before an inner capital. */
export function snakecaseHeaderName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  return words
    .map((word) => {
      let out = '';
      for (let i = 0; i < word.length; i++) {
        const c = word[i]!;
        const upper = c >= 'A' && c <= 'Z';
        const prevUpper = i > 0 && word[i - 1]! >= 'A' && word[i - 1]! <= 'Z';
        out += upper && i > 0 && !prevUpper ? '_' + c : c;
      }
      return out;
    })
    .join('_')
    .toLowerCase();
}

function readOptionsJson(raw: string): { query?: unknown; headers?: unknown } | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as { query?: unknown; headers?: unknown }) : null;
  } catch {
    return null;
  }
}

function readStringMap(value: unknown, rename: (k: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[rename(k)] = stringifyOptionValue(v);
  return out;
}

function sortedEntries(map: Record<string, string>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function parseTopic(topic: string): ParsedTopic {
  const at = topic.indexOf('?');
  if (at < 0) return { topic, base: topic, options: NO_OPTIONS };
  const base = topic.slice(0, at);
  let raw: string | null = null;
  try {
    raw = new URLSearchParams(topic.slice(at + 1)).get('options');
  } catch {
    raw = null;
  }
  const parsed = raw ? readOptionsJson(raw) : null;
  if (!parsed) return { topic, base, options: NO_OPTIONS };
  const query = readStringMap(parsed.query, (k) => k);
  const headers = readStringMap(parsed.headers, snakecaseHeaderName);
  const key = createHash('sha256').update(JSON.stringify([sortedEntries(query), sortedEntries(headers)])).digest('base64');
  return { topic, base, options: { query, headers, key } };
}
