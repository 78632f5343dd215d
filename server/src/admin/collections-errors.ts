/**
 * Schema problems → PocketBase's validation error shape for the collections API: problems of the
 * collection being written become `data.<key>…` (e.g. `data.fields.2.name.code`); problems elsewhere in
 * the schema file (another collection that named this one) are listed in the message.
 */
import { GalleyError, issue, type IssueTree, type ValidationCode } from '../errors.ts';
import { formatSchemaProblem, SchemaError, type SchemaProblem } from '../schema/schema-error.ts';

/** wire: PocketBase's code for a rule its compiler refuses (core/collection_validate.go checkRule). */
const RULE_KEYS = /^(listRule|viewRule|createRule|updateRule|deleteRule|authRule|manageRule|mfa\/rule)$/;

function codeOf(problem: SchemaProblem, path: string): ValidationCode {
  const message = problem.message;
  if (problem.code) return problem.code;
  if (RULE_KEYS.test(path)) return 'validation_invalid_rule';
  if (message.startsWith('missing')) return 'validation_required';
  if (message.startsWith('duplicate collection name')) return 'validation_collection_name_exists';
  return 'validation_invalid_value';
}

// Own properties only: a problem under a key such as "constructor" or "__proto__" is named, not lost.
const ownAt = (node: IssueTree, key: string) => (Object.hasOwn(node, key) ? node[key] : undefined);
function setOwn<T>(node: IssueTree, key: string, value: T): T {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

function putIssue(tree: IssueTree, keys: string[], problem: SchemaProblem): void {
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = ownAt(node, key);
    // a deeper problem under a key that already has its own issue: keep the first
    if (next && 'code' in next) return;
    node = (next ?? setOwn(node, key, {})) as IssueTree;
  }
  const last = keys.at(-1)!;
  if (!ownAt(node, last)) setOwn(node, last, issue(codeOf(problem, keys.join('/')), problem.message));
}

/** `err` (a SchemaError of the new schema file) as the API error for the collection at entry `index`. */
export function toCollectionError(err: unknown, index: number, message: string): unknown {
  if (!(err instanceof SchemaError)) return err;
  const prefix = `collections/${index}`;
  const data: IssueTree = {};
  const elsewhere: string[] = [];
  for (const p of err.problems) {
    if (p.path === prefix || p.path.startsWith(prefix + '/')) {
      const keys = p.path.slice(prefix.length + 1).split('/').filter((k) => k !== '');
      if (keys.length === 0) elsewhere.push(p.message);
      else putIssue(data, keys, p);
    } else elsewhere.push(p.path === '' ? p.message : `${p.path}: ${p.message}`);
  }
  const text = elsewhere.length > 0 ? `${message}\n${elsewhere.join('\n')}` : message;
  return new GalleyError('invalid', text, { issues: data });
}

/** wire: an import's problems are one `collections` issue whose message lists them. */
export function toImportError(err: unknown): unknown {
  if (!(err instanceof GalleyError) || err.kind !== 'invalid') return err;
  // wire: PocketBase's message names the collection that failed; each line names its collection and field
  const detail = err instanceof SchemaError ? err.problems.map((p) => formatSchemaProblem(p, err.places)).join('\n') : err.message;
  return new GalleyError('invalid', 'Failed to import collections.', {
    issues: { collections: issue('validation_collections_import_failure', `Failed to import the collections configuration:\n${detail}`) },
  });
}
