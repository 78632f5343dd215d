/** The collections list the sidebar shows (and pages may read); loaded once signed in, reloaded after changes. */
import type { CollectionModel } from 'pocketbase';
import { untrack } from 'svelte';
import { pb } from './api.ts';
import { explainError, type ExplainedError } from './errors.ts';

export const collections = $state<{ items: CollectionModel[]; loading: boolean; error: ExplainedError | null }>({
  items: [],
  loading: false,
  error: null,
});

export async function loadCollections(): Promise<void> {
  // callable from an effect: the writes below must not become the effect's dependencies
  untrack(() => (collections.loading = true));
  try {
    collections.items = await pb.collections.getFullList({ sort: 'name' });
    collections.error = null;
  } catch (err) {
    collections.error = explainError(err);
  } finally {
    collections.loading = false;
  }
}
