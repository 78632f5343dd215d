// What each bench scenario sends, to the bare server and to Galley: the same work expressed in each one's URLs.
import { CATEGORY_COUNT, createRng, makeBody } from './seed.ts';

export type Target = 'bare' | 'galley';
export type ScenarioName = 'get' | 'list-skip' | 'list-total' | 'create' | 'create-full';

export interface BenchRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface Scenario {
  name: ScenarioName;
  label: string;
  /** Galley's req/s ÷ the bare server's must reach this; null = shown for information only. */
  target: number | null;
  /** What the bare side runs, when it is not the obvious equivalent. */
  bareNote?: string;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'get', label: 'get by id (view rule)', target: 0.75 },
  { name: 'list-skip', label: 'list 50, skipTotal', target: 0.7 },
  { name: 'list-total', label: 'list 50, with totals', target: 0.4 },
  { name: 'create', label: 'create (G FULL vs bare NORMAL)', target: 0.8, bareNote: 'one commit/request, NORMAL' },
  { name: 'create-full', label: 'create (G FULL vs bare FULL)', target: null, bareNote: 'one commit/request, FULL' },
];

/** Galley against itself: get by id with the request log on (default) ÷ off (logs.maxDays=0); run.ts measures it. */
export const LOGGING_ROW: Scenario = { name: 'get', label: 'get by id, request log on ÷ off', target: 0.95, bareNote: 'Galley with logs.maxDays=0' };

const LIST_QUERY = (category: string, skipTotal: boolean): string =>
  `filter=${encodeURIComponent(`(category='${category}')`)}&sort=-created&perPage=50${skipTotal ? '&skipTotal=1' : ''}`;

/** A generator of requests; ids are the seeded ones (get by id), categories and bodies are drawn at random. */
export function createRequestFactory(scenario: ScenarioName, target: Target, ids: readonly string[], seed = 7): () => BenchRequest {
  const rng = createRng(seed);
  const category = (): string => `c${Math.floor(rng() * CATEGORY_COUNT)}`;
  switch (scenario) {
    case 'get': {
      if (ids.length === 0) throw new Error('scenario get needs ids');
      const pick = (): string => ids[Math.floor(rng() * ids.length)]!;
      return target === 'bare'
        ? () => ({ method: 'GET', path: `/items/${pick()}` })
        : () => ({ method: 'GET', path: `/api/collections/items/records/${pick()}` });
    }
    case 'list-skip':
    case 'list-total': {
      const skip = scenario === 'list-skip';
      return target === 'bare'
        ? () => ({ method: 'GET', path: `/items?category=${category()}${skip ? '&skipTotal=1' : ''}` })
        : () => ({ method: 'GET', path: `/api/collections/items/records?${LIST_QUERY(category(), skip)}` });
    }
    case 'create':
    case 'create-full': {
      // a pool of bodies, so the load generator does not spend its CPU building strings
      const bodies = Array.from({ length: 256 }, () => JSON.stringify({ category: category(), body: makeBody(rng) }));
      let next = 0;
      const body = (): string => bodies[next++ & 255]!;
      if (target === 'galley') return () => ({ method: 'POST', path: '/api/collections/items/records', body: body() });
      const path = scenario === 'create-full' ? '/items?sync=full' : '/items';
      return () => ({ method: 'POST', path, body: body() });
    }
  }
}
