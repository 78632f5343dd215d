/**
 * Which record action a batch sub-request names. wire: PocketBase allows exactly these four (apis/batch.go,
 * ValidBatchActions), matched against "METHOD url" with the url as sent (no host, not decoded).
 */
export type BatchAction =
  | { kind: 'create' | 'upsert'; collection: string; query: Record<string, string> }
  | { kind: 'update' | 'delete'; collection: string; id: string; query: Record<string, string> };

const PATTERNS: Array<[BatchAction['kind'], RegExp]> = [
  ['upsert', /^PUT \/api\/collections\/([^/?]+)\/records(\?.*)?$/],
  ['create', /^POST \/api\/collections\/([^/?]+)\/records(\?.*)?$/],
  ['update', /^PATCH \/api\/collections\/([^/?]+)\/records\/([^/?]+)(\?.*)?$/],
  ['delete', /^DELETE \/api\/collections\/([^/?]+)\/records\/([^/?]+)(\?.*)?$/],
];

/** First value of each query parameter, as the record routes read them. */
function readQuery(search: string | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  if (!search) return query;
  for (const [k, v] of new URLSearchParams(search.slice(1))) if (!(k in query)) query[k] = v;
  return query;
}

/** The action of `method url`, or undefined when it is not one a batch may run. */
export function matchBatchAction(method: string, url: string): BatchAction | undefined {
  const line = `${method.toUpperCase()} ${url}`;
  for (const [kind, pattern] of PATTERNS) {
    const m = pattern.exec(line);
    if (!m) continue;
    if (kind === 'update' || kind === 'delete') return { kind, collection: m[1]!, id: m[2]!, query: readQuery(m[3]) };
    return { kind, collection: m[1]!, query: readQuery(m[2]) };
  }
  return undefined;
}
