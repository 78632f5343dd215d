/**
 * Which applied collection (or field) a desired one continues. Declared identity only, never a guess:
 * first the same id, then a declared `renamedFrom`, then the same name (case-insensitive, as SQLite names
 * are). Each pass runs over every desired item before the next, so a new field that reuses an old name
 * never steals the column another field declares it was renamed from.
 */

interface Identified {
  id: string;
  name: string;
  renamedFrom?: string;
}

/** Desired item → the applied item it continues (absent: it is new). */
export function matchByIdentity<T extends Identified>(applied: readonly T[], desired: readonly T[]): Map<T, T> {
  const out = new Map<T, T>();
  const taken = new Set<T>();
  const lower = (s: string) => s.toLowerCase();
  const pass = (key: (want: T) => ((had: T) => boolean) | null): void => {
    for (const want of desired) {
      if (out.has(want)) continue;
      const test = key(want);
      if (!test) continue;
      const had = applied.find((a) => !taken.has(a) && test(a));
      if (had) {
        out.set(want, had);
        taken.add(had);
      }
    }
  };
  pass((want) => (want.id === '' ? null : (had) => had.id === want.id));
  pass((want) => (want.renamedFrom === undefined ? null : (had) => lower(had.name) === lower(want.renamedFrom!)));
  pass((want) => (had) => lower(had.name) === lower(want.name));
  return out;
}

/**
 * The renames to run, in order, so that no rename lands on a name still in use: a rename whose target is held
 * by another item of `present` (it is itself being renamed, or differs only in case) goes through a temporary
 * name first. `present`: the names in the database when the renames start.
 */
export function sequenceRenames(pairs: ReadonlyArray<{ from: string; to: string }>, present: readonly string[], tempPrefix: string): Array<{ from: string; to: string }> {
  const taken = new Set(present.map((n) => n.toLowerCase()));
  const direct: Array<{ from: string; to: string }> = [];
  const viaTemp: Array<{ from: string; to: string; temp: string }> = [];
  for (const p of pairs) {
    if (taken.has(p.to.toLowerCase())) viaTemp.push({ ...p, temp: `${tempPrefix}${viaTemp.length}` });
    else direct.push(p);
  }
  return [
    ...viaTemp.map((p) => ({ from: p.from, to: p.temp })),
    ...direct,
    ...viaTemp.map((p) => ({ from: p.temp, to: p.to })),
  ];
}
