/**
 * Random migration scenarios for the property test, built deterministically from a few arrays of numbers
 * (so fast-check can shrink them): schema A with rows, schema B derived from A by keeping, dropping,
 * renaming (renamedFrom, or a kept id) and retyping fields among convertible pairs, changing maxSelect,
 * adding fields and changing indexes; and the model of what every B column must hold afterwards.
 */
import type { CollectionModel, FieldModel } from '../../src/schema/model.ts';
import { makeCollection, makeField } from '../../src/db/migrate/testing.ts';

export type Kind = 'text' | 'number' | 'bool' | 'select' | 'relation' | 'json';
export interface FieldSpec {
  kind: Kind;
  /** maxSelect of select and relation fields (1 = one value) */
  max: number;
}
export interface ModelField {
  name: string;
  spec: FieldSpec;
  model: FieldModel;
}
export interface BField extends ModelField {
  /** the A field whose values this one continues (null: added) */
  source: ModelField | null;
}
export interface Scenario {
  a: ModelField[];
  b: BField[];
  aCollection: CollectionModel;
  bCollection: CollectionModel;
  targets: CollectionModel;
  rows: Array<Record<string, unknown>>;
}

export const TARGET_IDS = ['t1', 't2', 't3', 't4'];
const SELECT_VALUES = ['a', 'b', 'c', 'd'];
const TEXTS = ['', '12', '-3.5', '1e3', '0', '7', 'abc', 't1', 't2', '42'];
const NUMBERS = [0, 1, -2, 12.5, 1e21, 7, 3, 0.1];
const JSONS = [null, '{"x":1}', '[1,2]', '"s"', 'true'];
const KINDS: Kind[] = ['text', 'number', 'bool', 'select', 'relation', 'json'];

/** The kinds a field of `kind` may become (planner's convertible pairs); the first is "unchanged". */
const CONVERTIBLE: Record<Kind, Kind[]> = {
  text: ['text', 'number', 'select', 'relation'],
  number: ['number', 'text', 'bool'],
  bool: ['bool', 'number'],
  select: ['select', 'text', 'relation'],
  relation: ['relation', 'text', 'select'],
  json: ['json'],
};

function buildField(name: string, spec: FieldSpec, id: string): FieldModel {
  if (spec.kind === 'select') return makeField(name, 'select', { id, maxSelect: spec.max, values: SELECT_VALUES });
  if (spec.kind === 'relation') return makeField(name, 'relation', { id, maxSelect: spec.max, collectionId: 'pbc_targets' });
  return makeField(name, spec.kind, { id });
}

/** A reader of the random numbers: each call takes the next one modulo n. */
function makePicker(choices: readonly number[]): (n: number) => number {
  let i = 0;
  return (n) => (choices[i++ % choices.length] ?? 0) % n;
}

const hasList = (spec: FieldSpec) => (spec.kind === 'select' || spec.kind === 'relation') && spec.max > 1;

/** The stored value of a field of A for a random number. */
function makeValue(spec: FieldSpec, r: number): unknown {
  switch (spec.kind) {
    case 'text': return TEXTS[r % TEXTS.length];
    case 'number': return NUMBERS[r % NUMBERS.length];
    case 'bool': return r % 2;
    case 'json': return JSONS[r % JSONS.length];
    case 'select':
    case 'relation': {
      const pool = spec.kind === 'select' ? SELECT_VALUES : TARGET_IDS;
      if (spec.max <= 1) return r % 5 === 0 ? '' : pool[r % pool.length];
      const size = r % (spec.max + 1);
      return JSON.stringify(Array.from({ length: size }, (_, i) => pool[(r + i * 3) % pool.length]).filter((v, i, all) => all.indexOf(v) === i));
    }
  }
}

export function buildScenario(input: { fields: number[]; choices: number[]; rows: number[][] }): Scenario {
  const pick = makePicker(input.choices);
  const a: ModelField[] = input.fields.map((n, i) => {
    const kind = KINDS[n % KINDS.length]!;
    const spec = { kind, max: kind === 'select' || kind === 'relation' ? 1 + pick(4) : 0 };
    return { name: `a${i}`, spec, model: buildField(`a${i}`, spec, `a_id_${i}`) };
  });

  // Fates: 0 keep, 1 drop, 2 rename (renamedFrom), 3 rename by keeping the id. A renamed field may take the
  // name of an A field that is dropped or renamed away (swaps and chains), never one still in use.
  const fates = a.map(() => pick(5) % 4);
  const freed = a.filter((_, i) => fates[i] !== 0).map((f) => f.name);
  const used = new Set(a.filter((_, i) => fates[i] === 0).map((f) => f.name));
  const b: BField[] = [];
  a.forEach((src, i) => {
    if (fates[i] === 1) return;
    const options = CONVERTIBLE[src.spec.kind];
    const kind = pick(2) === 0 ? src.spec.kind : options[pick(options.length)]!;
    const spec = { kind, max: kind === 'select' || kind === 'relation' ? 1 + pick(4) : 0 };
    let name = src.name;
    if (fates[i] !== 0) {
      const candidates = [...freed.filter((n) => !used.has(n) && n !== src.name), `r${i}`];
      name = candidates[pick(candidates.length)]!;
    }
    used.add(name);
    const id = fates[i] === 3 ? src.model.id : `b_id_${name}_${kind}`;
    const model = buildField(name, spec, id);
    if (fates[i] === 2) model.renamedFrom = src.name;
    b.push({ name, spec, model, source: src });
  });
  for (let i = pick(3); i > 0; i--) {
    const kind = KINDS[pick(KINDS.length)]!;
    const spec = { kind, max: kind === 'select' || kind === 'relation' ? 1 + pick(4) : 0 };
    b.push({ name: `n${i}`, spec, model: buildField(`n${i}`, spec, `b_id_n${i}`), source: null });
  }
  // shuffle B's order a little: field order is recorded too
  if (b.length > 1 && pick(3) === 0) b.push(b.shift()!);

  const renameCollection = pick(3);
  const bName = renameCollection === 0 ? 'items' : 'things';
  const indexable = (fields: ModelField[]) => fields.filter((f) => !hasList(f.spec) && f.spec.kind !== 'json');
  const aIdx = indexable(a);
  const aIndexes = aIdx.length > 0 && pick(2) === 0 ? [`CREATE INDEX idx_a ON items (${aIdx[pick(aIdx.length)]!.name})`] : [];
  const bIdx = indexable(b);
  const bIndexes: string[] = [];
  const keptA = aIndexes[0] && b.find((f) => f.source && f.name === f.source.name && aIndexes[0]!.includes(`(${f.name})`));
  if (keptA && bName === 'items' && pick(2) === 0) bIndexes.push(aIndexes[0]!);
  if (bIdx.length > 0 && pick(2) === 0) bIndexes.push(`CREATE INDEX idx_b ON ${bName} (${bIdx[pick(bIdx.length)]!.name})`);
  const uniqueOn = bIdx.filter((f) => f.spec.kind === 'text' || f.spec.kind === 'number');
  if (uniqueOn.length > 0 && pick(6) === 0) bIndexes.push(`CREATE UNIQUE INDEX idx_u ON ${bName} (${uniqueOn[pick(uniqueOn.length)]!.name})`);

  const targets = makeCollection('targets', []);
  const aCollection = makeCollection('items', a.map((f) => f.model), { indexes: aIndexes });
  const bCollection = makeCollection(bName, b.map((f) => f.model), {
    indexes: bIndexes,
    // 0: same name; 1: renamed under a new id, declared with renamedFrom; 2: renamed, the id kept
    ...(renameCollection === 1 ? { id: 'pbc_things', renamedFrom: 'items' } : { id: 'pbc_items' }),
  });
  const rows = input.rows.map((r, i) => Object.fromEntries([['id', `row${String(i).padStart(3, '0')}`], ...a.map((f, j) => [f.name, makeValue(f.spec, r[j % r.length]! + j)])]));
  return { a, b, aCollection, bCollection, targets, rows };
}

/** Items of a select/relation/text value as stored. */
function listItems(spec: FieldSpec, v: unknown): string[] {
  if (hasList(spec)) return JSON.parse(String(v)) as string[];
  return v === '' ? [] : [String(v)];
}

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The text values of a text → number conversion that are not numbers (the plan must refuse them). */
export function isNotNumberText(v: unknown): boolean {
  return v !== '' && !NUMBER_TEXT.test(String(v));
}

/** What a B column must hold, from the A value; `{ numberText }` = any text that reads back as that number. */
export function expectValue(b: BField, v: unknown): unknown {
  const from = b.source!.spec;
  const to = b.spec;
  if (from.kind === to.kind && !hasList(from) && !hasList(to) && from.kind !== 'select' && from.kind !== 'relation') return v;
  if (from.kind === 'number' && to.kind === 'text') return { numberText: v };
  if (from.kind === 'text' && to.kind === 'number') return v === '' ? 0 : Number(v);
  if (from.kind === 'bool' && to.kind === 'number') return v;
  if (from.kind === 'number' && to.kind === 'bool') return v === 0 ? 0 : 1;
  let items = listItems(from, v);
  if (to.kind === 'relation' && from.kind !== 'relation') items = items.filter((id) => TARGET_IDS.includes(id));
  if (!hasList(to)) return items.length > 0 ? items[items.length - 1] : '';
  return items.slice(Math.max(0, items.length - to.max));
}

/** A stored B value compared with the model (lists as arrays). */
export function readStored(b: BField, raw: unknown): unknown {
  return hasList(b.spec) ? (JSON.parse(String(raw)) as unknown) : raw;
}
