/** "did you mean …?" hints for misspelt names (field types, option keys, collection types). */

/** Edit distance (insert, delete, substitute, swap of neighbours), case-insensitive. */
export function measureEditDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/** The closest candidate, if it is close enough to be a plausible typo (or a prefix/case slip). */
export function suggestName(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const distance = measureEditDistance(input, c);
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(input.length, best.length) / 3));
  const lower = input.toLowerCase();
  const other = best.toLowerCase();
  const prefix = Math.min(lower.length, other.length) >= 3 && (other.startsWith(lower) || lower.startsWith(other));
  return bestDistance <= allowed || prefix ? best : undefined;
}

/** `; did you mean "x"?` or nothing. */
export function formatSuggestion(input: string, candidates: readonly string[]): string {
  const s = suggestName(input, candidates);
  return s === undefined ? '' : `; did you mean ${JSON.stringify(s)}?`;
}
