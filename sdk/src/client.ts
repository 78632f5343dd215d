/**
 * The runtime of createClient: the official `pocketbase` client, unchanged but for three additions that
 * only rewrite options before the SDK sends them — `where` objects become filters, `sort` arrays become
 * PocketBase's comma list, and `client.filter` also works as a tagged template. Everything else (auth store,
 * refresh, realtime, OAuth2, FormData, cancellation) is the SDK's own code.
 */
import PocketBase, { type BaseAuthStore, type SendOptions } from 'pocketbase';
import { compileWhere, filter as filterTag } from './filter.ts';

type Options = Record<string, unknown> & { query?: Record<string, unknown> };

/** `where` joins a given `filter` with `&&`; the SDK would otherwise send the object as `where=[object Object]`. */
function rewriteQuery(q: Options): void {
  if (q['where'] !== undefined) {
    const compiled = compileWhere(q['where'] as Record<string, unknown>);
    const given = q['filter'];
    q['filter'] = given && compiled ? `(${given}) && (${compiled})` : given || compiled;
    delete q['where'];
  }
  if (Array.isArray(q['sort'])) q['sort'] = q['sort'].join(',');
}

export function rewriteOptions<T extends object | undefined>(options: T): T {
  if (!options) return options;
  const out: Options = { ...options };
  rewriteQuery(out);
  if (out.query) rewriteQuery((out.query = { ...out.query }));
  return out as T;
}

export class GalleyClient extends PocketBase {
  constructor(baseURL?: string, authStore?: BaseAuthStore | null, lang?: string) {
    super(baseURL, authStore, lang);
    // subscriptions carry their options in the topic, not through send()
    const realtime = this.realtime;
    const subscribe = realtime.subscribe.bind(realtime);
    realtime.subscribe = (topic, callback, options) => subscribe(topic, callback, rewriteOptions(options));
  }

  /** PocketBase's `filter(raw, params)`, and also a tag: `` client.filter`title ~ ${q}` ``. */
  override filter(raw: string | TemplateStringsArray, ...rest: unknown[]): string {
    return typeof raw === 'string' ? super.filter(raw, rest[0] as Record<string, unknown> | undefined) : filterTag(raw, ...rest);
  }

  override send<T = any>(path: string, options: SendOptions): Promise<T> {
    return super.send<T>(path, rewriteOptions(options));
  }
}
