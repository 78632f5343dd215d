/** JSON equality that ignores object key order (arrays keep theirs); `undefined` members count as absent. */
export function stringifySorted(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function isSameJson(a: unknown, b: unknown): boolean {
  return stringifySorted(a) === stringifySorted(b);
}
