import { GalleyError } from '../errors.ts';

export interface ListParams {
  page: number;
  perPage: number;
  skipTotal: boolean;
  filter: string;
  sort: string;
  expand: string;
}

/** wire: PocketBase's caps and defaults (perPage 30, at most 1000; page ≤ 0 → 1). */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;

const INT = /^[+-]?\d{1,15}$/;
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function parseIntParam(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!INT.test(raw.trim())) throw new GalleyError('invalid', `${name}: "${raw.slice(0, 20)}" is not an integer`);
  return Number(raw);
}

/** Go's strconv.ParseBool, as PocketBase reads skipTotal. */
function parseBoolParam(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw new GalleyError('invalid', `${name}: "${raw.slice(0, 20)}" is not a boolean`);
}

export function parseListParams(query: Record<string, string>): ListParams {
  const page = parseIntParam('page', query['page'], 1);
  const perPage = parseIntParam('perPage', query['perPage'], DEFAULT_PER_PAGE);
  return {
    page: page <= 0 ? 1 : page,
    perPage: perPage <= 0 ? DEFAULT_PER_PAGE : Math.min(perPage, MAX_PER_PAGE),
    skipTotal: parseBoolParam('skipTotal', query['skipTotal']),
    filter: query['filter'] ?? '',
    sort: query['sort'] ?? '',
    expand: query['expand'] ?? '',
  };
}
