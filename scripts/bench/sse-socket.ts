// A bare SSE subscriber on a raw TCP socket for the realtime bench: thousands of them in one process, where
// fetch would queue streams past its connection limit. After PB_CONNECT it does not parse messages: it
// scans the bytes for `"seq":N` (one per message in the bench, sse-scan.ts) so the bench process stays
// cheaper than the server it measures. Bun's own sockets (Bun.connect), not node:net: at 10k subscribers
// node:net's stream layer (emit, addChunk, nextTick per read) was most of the load generator's time.
import type { Socket } from 'bun';
import { SeqScanner } from './sse-scan.ts';

export interface SseSocket {
  /** the client id from PB_CONNECT */
  readonly clientId: Promise<string>;
  close(): void;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Opens GET /api/realtime; calls `onSeq` with the `seq` of every record message after PB_CONNECT and the
 * time (performance.now()) the read that carried it arrived, taken once per read; `onRead` once per read
 * after PB_CONNECT (messages per read: at least the messages per server write, more when reads join writes).
 */
export function openSseSocket(host: string, port: number, onSeq: (seq: number, arrivedAt: number) => void, onRead?: () => void): SseSocket {
  let pending: Buffer | null = Buffer.alloc(0); // bytes before PB_CONNECT was read
  let arrivedAt = 0;
  const scanner = new SeqScanner((seq) => onSeq(seq, arrivedAt));
  let resolveId!: (id: string) => void;
  let rejectId!: (err: Error) => void;
  const clientId = new Promise<string>((resolve, reject) => {
    resolveId = resolve;
    rejectId = reject;
  });
  let closed = false;
  let socket: Socket | undefined;
  /** the bytes before and up to PB_CONNECT: the status line, then the client id */
  const handshake = (s: Socket, data: Buffer) => {
    pending = Buffer.concat([pending!, data]);
    const head = pending.indexOf(HEAD_END);
    if (head < 0) return;
    const status = pending.subarray(0, pending.indexOf('\r\n')).toString('latin1');
    if (!/^HTTP\/1\.1 200/.test(status)) {
      rejectId(new Error(`realtime connect answered: ${status}`));
      s.terminate();
      return;
    }
    const body = pending.subarray(head + 4).toString('latin1');
    const m = /id:([A-Za-z0-9]+)\nevent:PB_CONNECT\ndata:[^\n]*\n\n/.exec(body);
    if (!m) return;
    const rest = pending.subarray(head + 4 + Buffer.byteLength(body.slice(0, m.index + m[0].length), 'latin1'));
    pending = null;
    resolveId(m[1]!);
    scanner.scan(rest);
  };
  Bun.connect({
    hostname: host,
    port,
    socket: {
      open(s) {
        socket = s;
        if (closed) return void s.terminate();
        s.setNoDelay(true);
        s.write(`GET /api/realtime HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      },
      data(s, data) {
        arrivedAt = performance.now();
        if (pending) handshake(s, data);
        else {
          onRead?.();
          scanner.scan(data);
        }
      },
      error(_s, err) {
        rejectId(err);
      },
      connectError(_s, err) {
        rejectId(err);
      },
      close() {
        rejectId(new Error('realtime stream closed before PB_CONNECT'));
      },
    },
  }).catch((err: Error) => rejectId(err));
  return {
    clientId,
    close: () => {
      closed = true;
      socket?.terminate();
    },
  };
}
