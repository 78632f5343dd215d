/** `expand({ author: true, comments_via_post: { author: true } })` → `"author,comments_via_post.author"`. */
import type { ExpandSpec, ExpandString } from './types/expand.ts';

export function expand<const T extends ExpandSpec>(spec: T): ExpandString<T> {
  const paths: string[] = [];
  const walk = (node: ExpandSpec, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (!value) continue;
      const path = prefix + key;
      const before = paths.length;
      if (typeof value === 'object') walk(value, `${path}.`);
      // a leaf, or a branch whose children were all false: expanding the path itself
      if (paths.length === before) paths.push(path);
    }
  };
  walk(spec, '');
  return paths.join(',') as ExpandString<T>;
}
