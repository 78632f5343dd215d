/** wire: the identifier shapes PocketBase's record resolver accepts; anything else is an unknown field. */
const RECORD_IDENTIFIER_SHAPES = [
  /^\w+[\w.:]*$/,
  /^@request\.context$/,
  /^@request\.method$/,
  /^@request\.auth\.[\w.:]*\w+$/,
  /^@request\.body\.[\w.:]*\w+$/,
  /^@request\.query\.[\w.:]*\w+$/,
  /^@request\.headers\.[\w.:]*\w+$/,
  /^@collection\.\w+(:\w+)?\.[\w.:]*\w+$/,
];

/** Whether a filter identifier has a shape a record filter or rule may name (the rules resolver and the load-time rule check agree). */
export function isRecordIdentifierShape(name: string): boolean {
  return RECORD_IDENTIFIER_SHAPES.some((re) => re.test(name));
}
