/**
 * The joins one compiled filter needs, shared by the filter and the listRule checks it triggers.
 * An alias names one join for good (aliases spell out the path that led to them), so registering the
 * same alias twice is one join and both identifiers see the same joined row (wire: as PocketBase).
 */
import type { Join } from '../query/resolver.ts';
import type { CollectionModel } from '../schema/model.ts';

export interface RuleTarget {
  readonly collection: CollectionModel;
  readonly alias: string;
}

export class JoinRegistry {
  readonly #joins: Join[] = [];
  readonly #targets: RuleTarget[] = [];
  #checkContexts = 0;
  #rowChecks = 0;
  #touches = 0;

  /**
   * Register a join. With `enforceListRule`, the joined collection's listRule must hold for the joined
   * rows (wire: client filters may only look into records the caller could list); a null listRule
   * refuses the join (returns false).
   */
  add(join: Join, joined?: CollectionModel, enforceListRule = false): boolean {
    this.#touches++;
    if (joined && enforceListRule) {
      if (joined.listRule === null) return false;
      if (joined.listRule !== '' && !this.#targets.some((t) => t.alias === join.alias)) {
        this.#targets.push({ collection: joined, alias: join.alias });
      }
    }
    const at = this.#joins.findIndex((j) => j.alias === join.alias);
    if (at === -1) this.#joins.push(join);
    else this.#joins[at] = join;
    return true;
  }

  get joins(): readonly Join[] {
    return this.#joins;
  }

  /** How many times a join was asked for (new or already there): tells whether an identifier joined. */
  get touches(): number {
    return this.#touches;
  }

  get ruleTargets(): readonly RuleTarget[] {
    return this.#targets;
  }

  /** A fresh alias suffix for the joins of one nested rule check, so they never merge with the filter's. */
  nextCheckSuffix(): string {
    return `~${++this.#checkContexts}`;
  }

  /** The same for a check wrapped in its own EXISTS (all-of items, sort values): never equal to the above. */
  nextRowCheckSuffix(): string {
    return `~v${++this.#rowChecks}`;
  }
}
