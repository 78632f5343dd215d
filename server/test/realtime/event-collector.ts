import type { RecordSubscription } from 'pocketbase';

/** Collects a subscription's events; `until(n)` waits for the n-th (tests bound it with their own timeout). */
export function collector() {
  const got: RecordSubscription[] = [];
  const wake: Array<() => void> = [];
  return {
    got,
    push: (e: RecordSubscription) => {
      got.push(e);
      wake.splice(0).forEach((f) => f());
    },
    async until(n: number) {
      while (got.length < n) await new Promise<void>((r) => wake.push(r));
    },
  };
}
