// Issue 18 item 5 through the binary: 100 anonymous SSE clients from one address, each posting 1000 topics of
// 2400 characters, grow the server's RSS (read from /proc/<pid>/status) by well under 150 MB: half the streams
// are refused (realtime.maxStreamsPerIp 50), every set is refused (realtime.maxSubscriptionBytes 256 KiB).
// Prints the figures (scripts/bench/realtime-memory.ts measures them); the bound is generous on purpose.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatMemoryRow, measureRealtimeMemory, type MemoryRunOptions } from '../../scripts/bench/realtime-memory.ts';
import { BINARY } from './helpers/binary.ts';

const onLinux = existsSync('/proc/self/status');

describe.skipIf(!onLinux)('realtime memory under anonymous subscribers', () => {
  it('100 clients × 1000 topics × 2400 chars: RSS grows < 150 MB, streams and sets past the caps refused', async () => {
    const opts: MemoryRunOptions = { binary: BINARY, clients: 100, topics: 1000, chars: 2400, afterMs: 5000 };
    const r = await measureRealtimeMemory(opts);
    console.log(formatMemoryRow(opts, r));
    expect(r.refusedStreams).toBe(50);
    expect(r.refusedSubscriptions).toBe(50);
    expect(r.accepted).toBe(0);
    expect(r.connectedKb - r.beforeKb).toBeLessThan(150 * 1024);
  }, 120_000);
});
