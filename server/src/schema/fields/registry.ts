/** Every field type by its PocketBase name. Shared code asks here instead of switching on `field.type`. */
import type { FieldModel } from '../model.ts';
import { autodateField } from './autodate.ts';
import { boolField } from './bool.ts';
import { dateField } from './date.ts';
import { editorField } from './editor.ts';
import { emailField } from './email.ts';
import type { FieldType } from './field-type.ts';
import { fileField } from './file.ts';
import { geoPointField } from './geo-point.ts';
import { jsonField } from './json.ts';
import { numberField } from './number.ts';
import { passwordField } from './password.ts';
import { relationField } from './relation.ts';
import { selectField } from './select.ts';
import { textField } from './text.ts';
import { urlField } from './url.ts';

// the dashboard's order, which is also the order the JSON Schema lists them in
const TYPES: readonly FieldType[] = [
  textField,
  editorField,
  numberField,
  boolField,
  emailField,
  urlField,
  dateField,
  autodateField,
  selectField,
  fileField,
  relationField,
  jsonField,
  geoPointField,
  passwordField,
];

const BY_NAME = new Map(TYPES.map((t) => [t.name, t]));

export function getFieldType(name: string): FieldType | undefined {
  return BY_NAME.get(name);
}

/** The type of a loaded field; throws for a type the loader would have rejected. */
export function fieldTypeOf(field: FieldModel): FieldType {
  const type = BY_NAME.get(field.type);
  if (!type) throw new Error(`unknown field type ${JSON.stringify(field.type)} on field ${JSON.stringify(field.name)}`);
  return type;
}

export function fieldTypeNames(): string[] {
  return TYPES.map((t) => t.name);
}
