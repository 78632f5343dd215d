// Before measuring: both servers must answer the same rows for the same requests, or the ratios compare
// different work (an unseeded table answering 404 fast, a list in another order, a rule that hides everything).
import type { BenchRow } from './seed.ts';
import type { RunningServer } from './servers.ts';

interface ListBody {
  items: { id: string }[];
  totalItems: number;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sanity: GET ${url} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function checkEquivalence(bare: RunningServer, galley: RunningServer, rows: readonly BenchRow[]): Promise<void> {
  const row = rows[Math.floor(rows.length / 2)]!;
  const a = await getJson<Record<string, unknown>>(`${bare.base}/items/${row.id}`);
  const b = await getJson<Record<string, unknown>>(`${galley.base}/api/collections/items/records/${row.id}`);
  for (const key of ['id', 'category', 'body', 'created', 'updated', 'collectionName'] as const) {
    if (a[key] !== b[key]) throw new Error(`sanity: record ${row.id}.${key} differs: bare ${JSON.stringify(a[key])}, galley ${JSON.stringify(b[key])}`);
  }
  const missing = Object.keys(a).filter((k) => !(k in b));
  if (missing.length) throw new Error(`sanity: Galley's record lacks ${missing.join(', ')}`);

  const filter = encodeURIComponent("(category='c3')");
  const bareList = await getJson<ListBody>(`${bare.base}/items?category=c3`);
  const galleyList = await getJson<ListBody>(`${galley.base}/api/collections/items/records?filter=${filter}&sort=-created&perPage=50`);
  const bareIds = bareList.items.map((i) => i.id).join(',');
  const galleyIds = galleyList.items.map((i) => i.id).join(',');
  if (bareList.items.length !== 50 || bareIds !== galleyIds) {
    throw new Error(`sanity: list of c3 differs (bare ${bareList.items.length} items, galley ${galleyList.items.length}; same order: ${bareIds === galleyIds})`);
  }
  if (bareList.totalItems !== galleyList.totalItems) {
    throw new Error(`sanity: totals of c3 differ: bare ${bareList.totalItems}, galley ${galleyList.totalItems}`);
  }
}
