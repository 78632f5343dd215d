// Run by lifecycle.test.ts under Bun, in a process of its own: the workload, close(), then this process must
// end by itself. Bun's getActiveResourcesInfo() lists nothing and async_hooks does not track, so the timers
// Galley sets (most are unref'd: they would not keep the process alive) are tracked here by wrapping the globals.
const live = new Map<unknown, string>();
const wrapped = globalThis as unknown as Record<string, (...args: any[]) => any>;
for (const [set, clear, once] of [['setTimeout', 'clearTimeout', true], ['setInterval', 'clearInterval', false]] as const) {
  const original = wrapped[set]!;
  const originalClear = wrapped[clear]!;
  wrapped[set] = (fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
    const handle = original((...a: unknown[]) => {
      if (once) live.delete(handle);
      fn(...a);
    }, ms, ...rest);
    const stack = new Error().stack ?? '';
    // set by Galley's own code (a dependency's timers, as Elysia's schema-cache sweep, are the dependency's)
    const caller = stack.split('\n').filter((l) => l.includes(' at '))[1] ?? '';
    if (caller.includes('/server/src/')) live.set(handle, stack);
    return handle;
  };
  wrapped[clear] = (handle: unknown) => {
    live.delete(handle);
    originalClear(handle);
  };
}

export {};

const { createLogger } = await import('../../src/lib/log.ts');
const { runLifecycleWorkload, startLifecycleGalley } = await import('./workload.ts');
const started = await startLifecycleGalley(createLogger('warn'));
const report = await runLifecycleWorkload(started.galley);
await started.galley.close();
started.remove();
process.stdout.write(JSON.stringify({ report, resources: process.getActiveResourcesInfo(), timers: [...live.values()] }) + '\n');
