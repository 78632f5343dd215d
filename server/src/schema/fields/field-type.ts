import type { TObject } from '@sinclair/typebox';
import type { FieldIssue } from '../../errors.ts';
import type { CollectionType, FieldModel } from '../model.ts';

/**
 * What shared code needs to know about a field type. Each type declares it in its own file
 * (schema/fields/<type>.ts) and registers in registry.ts; shared code never switches on `field.type`.
 */
export interface FieldType {
  /** PocketBase's type name: "text", "number", … */
  readonly name: string;
  /** TypeBox schema of the type-specific option keys (common keys are added by the loader). */
  readonly options: TObject;
  /** Default values of the type-specific options, filled in by the loader. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Extra checks of a field's options against the whole schema (e.g. relation target exists). */
  checkOptions?(field: FieldModel, ctx: OptionCheckContext): OptionProblem[];
  /** Rewrite options that name other collections into their final form (relation: collection name → id). */
  resolveOptions?(field: FieldModel, ctx: OptionCheckContext): FieldModel;

  /** The column this field stores into; null for no column (none today, kept for computed types). */
  column(field: FieldModel): ColumnSpec | null;
  /** True when the value is an array (multi select/relation/file). */
  isMulti(field: FieldModel): boolean;
  /** wire: the value PocketBase sends for an unset field ("", 0, false, [], null, {lon:0,lat:0}). */
  zero(field: FieldModel): unknown;

  /** Coerce a raw body value into the field's value (PocketBase's PrepareValue). Never throws. */
  prepare(raw: unknown, field: FieldModel): unknown;
  /** Server-side value just before validation: text autogeneratePattern on create, autodate stamps. */
  autofill?(value: unknown, field: FieldModel, ctx: AutofillContext): unknown;
  /** Body modifiers `field+`, `+field`, `field-` (only types that support them define this). */
  modify?(current: unknown, op: ModifierOp, arg: unknown, field: FieldModel): unknown;
  /** Validate a prepared value. Async only for types that look at the database (relation). */
  validate(value: unknown, field: FieldModel, ctx: ValidateContext): FieldIssue | null | Promise<FieldIssue | null>;

  /** Async transform right before storage, outside the write transaction (password hashing). */
  prepareForStorage?(value: unknown, field: FieldModel): Promise<unknown>;
  /** Prepared value → SQL parameter. */
  toStorage(value: unknown, field: FieldModel): string | number | null;
  /** Raw column value → wire value. */
  fromStorage(raw: unknown, field: FieldModel): unknown;

  /** How the filter language treats this field's values. */
  filterKind(field: FieldModel): FilterKind;
  /** For relation fields: which collection and how many. */
  relation?(field: FieldModel): { collectionId: string; multi: boolean; cascadeDelete: boolean } | null;
  /** Never sent on the wire (password). */
  readonly neverOnWire?: boolean;
  /** Set by the server, not by a body (autodate). */
  readonly serverManaged?: boolean;
}

export type ModifierOp = 'append' | 'prepend' | 'remove' | 'add' | 'subtract';

export type FilterKind = 'text' | 'number' | 'bool' | 'json' | 'date' | 'geo' | 'multi';

/** Dialect-neutral column description; db/ turns it into DDL. */
export interface ColumnSpec {
  type: 'text' | 'numeric' | 'boolean' | 'json';
  notNull: boolean;
  /** default value as a JS value ('' / 0 / false / '[]' / null) */
  defaultValue: string | number | boolean | null;
  primaryKey?: boolean;
}

export interface OptionCheckContext {
  /** Resolve a collection by id or name in the schema being loaded. */
  hasCollection(idOrName: string): boolean;
  /** A collection of the schema being loaded, by exact id or case-insensitive name. */
  findCollection(idOrName: string): { id: string; name: string; type: CollectionType } | undefined;
  /** The collection that owns the field being checked. */
  owner: { name: string; type: CollectionType };
}

export interface AutofillContext {
  /** True on create, false on update. */
  isNew: boolean;
  /** The request's clock, so all autodate fields of one write get the same instant. */
  now: Date;
}

export interface OptionProblem {
  /** option key relative to the field, e.g. "collectionId" */
  key: string;
  message: string;
}

export interface ValidateContext {
  /** True when the request is from a superuser. */
  isSuperuser: boolean;
  /** True on create, false on update. */
  isNew: boolean;
  /** Which of the given ids exist in a collection (relation validation). */
  existingIds(collectionId: string, ids: string[]): Promise<Set<string>>;
  /** The stored value before this write (update only; file names already kept, a password hash). */
  original?: unknown;
}
