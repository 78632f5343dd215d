/**
 * The SQL views of view collections. A view holds no data, so any change is a drop and a create; what matters
 * is when. SQLite checks every view on ALTER TABLE … RENAME (a rebuild ends with one), so a view that reads
 * a table the plan changes, or a view that goes away or is renamed, is dropped before the table steps and
 * created after them; so are the views that read such a view. A view whose query alone changes is replaced
 * (drop + create in one step) once the tables are done. Views are created after every table, each after the
 * views it reads.
 */
import type { CollectionModel, FieldModel } from '../../schema/model.ts';
import { sortViewsByReads } from '../../schema/view-collections.ts';
import { isName, tokenizeSql } from '../../schema/view-sql-tokens.ts';
import { trimViewQuery } from './ddl.ts';
import { stringifyCanonical } from './history.ts';
import { matchByIdentity } from './match.ts';
import { listChangedKeys, planCollectionUpdate } from './plan-meta.ts';
import type { SchemaDialect } from './schema-dialect.ts';
import type { MigrationStep } from './step.ts';

export interface ViewSteps {
  /** before any table step */
  drops: MigrationStep[];
  /** after every table and index step */
  creates: MigrationStep[];
  /** record-only changes (rules, field options) */
  meta: MigrationStep[];
}

const q = (s: string) => JSON.stringify(s);
const lower = (s: string) => s.toLowerCase();

const makeStep = (s: Partial<MigrationStep> & Pick<MigrationStep, 'kind' | 'description'>): MigrationStep => ({
  details: [], sql: [], lossy: false, why: '', checks: [], ...s,
});

/** Every name the query mentions (more than the tables it reads; recreating a view too many is harmless). */
function listMentionedNames(query: string): Set<string> {
  return new Set(tokenizeSql(query).filter(isName).map((t) => lower(t.value)));
}

const describeColumns = (c: CollectionModel) => c.fields.map((f) => f.name).join(', ');

/**
 * Keys a change already explains: inferred ids derive from type and name, and a new type brings its own
 * options (only the keys every field has are compared then).
 */
function listExplainedKeys(h: FieldModel, w: FieldModel): string[] {
  const common = ['type', 'system', 'hidden', 'presentable', 'required', 'help'];
  const typeOnly = h.type === w.type ? [] : Object.keys({ ...h, ...w }).filter((k) => !common.includes(k));
  return [...(h.type !== w.type || h.name !== w.name ? ['id'] : []), ...typeOnly];
}

/** What a view's fields changed in, one line per field (added, dropped, or option by option). */
function listFieldChanges(had: FieldModel[], want: FieldModel[]): string[] {
  const lines: string[] = [];
  const pairs = matchByIdentity(had, want);
  for (const w of want) {
    const h = pairs.get(w);
    if (!h) lines.push(`${q(w.name)} is added (${w.type})`);
    else if (stringifyCanonical(h) !== stringifyCanonical(w)) lines.push(...listChangedKeys(h, w, listExplainedKeys(h, w)).map((d) => `${q(w.name)} ${d}`));
  }
  const kept = new Set(pairs.values());
  for (const h of had) if (!kept.has(h)) lines.push(`${q(h.name)} is dropped`);
  return lines;
}

/**
 * `touchedTables`: lower-cased names (as applied) of the tables the plan drops, renames or changes the
 * columns of.
 */
export function planViews(
  applied: readonly CollectionModel[],
  desired: readonly CollectionModel[],
  touchedTables: ReadonlySet<string>,
  dialect: SchemaDialect,
): ViewSteps {
  const before = applied.filter((c) => c.type === 'view');
  const after = desired.filter((c) => c.type === 'view');
  const match = matchByIdentity(before, after);
  const continued = new Map([...match].map(([want, had]) => [had, want]));
  const mentions = new Map(before.map((v) => [v, listMentionedNames(v.viewQuery ?? '')]));
  const queryChanged = (had: CollectionModel) => trimViewQuery(had.viewQuery ?? '') !== trimViewQuery(continued.get(had)?.viewQuery ?? '');

  // early: gone, renamed, or reading a changed table; then whatever reads an early view (to a fixed point)
  const early = new Set(before.filter((v) => !continued.has(v) || continued.get(v)!.name !== v.name || [...mentions.get(v)!].some((n) => touchedTables.has(n))));
  const late = new Set(before.filter((v) => !early.has(v) && queryChanged(v)));
  const readsOneOf = (v: CollectionModel, set: Set<CollectionModel>) => [...set].some((e) => mentions.get(v)!.has(lower(e.name)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const v of before) {
      if (!early.has(v) && readsOneOf(v, early)) {
        early.add(v);
        late.delete(v);
        grew = true;
      } else if (!early.has(v) && !late.has(v) && readsOneOf(v, late)) {
        late.add(v);
        grew = true;
      }
    }
  }

  const steps: ViewSteps = { drops: [], creates: [], meta: [] };
  for (const had of [...sortViewsByReads(before.map((model) => ({ model })))].reverse().map((x) => x.model).filter((v) => early.has(v))) {
    const want = continued.get(had);
    const why = !want ? '' : want.name !== had.name ? ` (created again as ${q(want.name)} below)` : ' (created again below, after the tables it reads change)';
    steps.drops.push(makeStep({ kind: 'dropView', description: `drop view ${q(had.name)}${why}`, sql: [dialect.dropView(had.name)] }));
  }
  for (const { model: want } of sortViewsByReads(after.map((model) => ({ model })))) {
    const had = match.get(want);
    const create = dialect.createView(want.name, want.viewQuery ?? '');
    if (!had || early.has(had)) {
      const again = had ? (had.name !== want.name ? `, renamed from ${q(had.name)}` : ', again') : '';
      steps.creates.push(makeStep({ kind: 'createView', description: `create view ${q(want.name)}${again} (${describeColumns(want)})`, sql: [create] }));
    } else if (late.has(had)) {
      const why = queryChanged(had) ? 'its query changed' : 'a view it reads is replaced';
      const details = listFieldChanges(had.fields, want.fields);
      steps.creates.push(makeStep({ kind: 'replaceView', description: `replace view ${q(want.name)} (${why})`, details, sql: [dialect.dropView(had.name), create] }));
    }
    if (!had) continue;
    const update = planCollectionUpdate({ ...had, viewQuery: want.viewQuery, fields: [] }, { ...want, fields: [] }, false, false);
    if (update) steps.meta.push(update);
    const fieldChanges = late.has(had) ? [] : listFieldChanges(had.fields, want.fields);
    if (fieldChanges.length > 0) {
      steps.meta.push(makeStep({ kind: 'updateCollection', description: `update the fields of view ${q(want.name)}`, details: fieldChanges }));
    }
  }
  return steps;
}
