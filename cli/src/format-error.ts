/** Shape of @galley/server's GalleyError that the CLI relies on (duck-typed: the server module loads lazily). */
interface IssueLike {
  code: string;
  message: string;
}
type IssueTreeLike = { [key: string]: IssueLike | IssueTreeLike };

function isIssue(value: unknown): value is IssueLike {
  return typeof value === 'object' && value !== null && typeof (value as IssueLike).message === 'string'
    && typeof (value as IssueLike).code === 'string';
}

/** Every leaf of an issue tree as `path: message`, nested keys joined with dots (`fields.2.name`). */
export function flattenIssues(tree: IssueTreeLike, prefix = ''): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isIssue(value)) lines.push(`${path}: ${value.message}`);
    else if (typeof value === 'object' && value !== null) lines.push(...flattenIssues(value, path));
  }
  return lines;
}

/** Lines to print for an error that ends a command: the message, then every issue it carries. */
export function formatError(err: unknown): string[] {
  if (!(err instanceof Error)) return [`Error: ${String(err)}`];
  const lines = [`Error: ${err.message}`];
  const issues = (err as { issues?: unknown }).issues;
  if (typeof issues === 'object' && issues !== null) {
    // a message that already lists a problem verbatim does not get it twice
    lines.push(...flattenIssues(issues as IssueTreeLike).filter((l) => !err.message.includes(l)).map((l) => `  ${l}`));
  }
  return lines;
}
