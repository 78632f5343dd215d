// A bare SSE subscriber on a raw TCP socket for the realtime bench: thousands of them in one process, where
// fetch would queue streams past its connection limit. After PB_CONNECT it does not parse messages: it
// scans the bytes for `"seq":N` (one per message in the bench) so the bench process stays cheaper than the
// server it measures.
import { connect, type Socket } from 'node:net';

export interface SseSocket {
  /** the client id from PB_CONNECT */
  readonly clientId: Promise<string>;
  close(): void;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const SEQ = Buffer.from('"seq":');
/** bytes kept from the end of one read, in case `"seq":N` is split across reads */
const TAIL = 24;

/** Opens GET /api/realtime; calls `onSeq` with the `seq` of every record message after PB_CONNECT. */
export function openSseSocket(host: string, port: number, onSeq: (seq: number) => void): SseSocket {
  const socket: Socket = connect(port, host);
  socket.setNoDelay(true);
  socket.write(`GET /api/realtime HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
  let pending: Buffer | null = Buffer.alloc(0); // bytes before PB_CONNECT was read
  let carry = Buffer.alloc(0);
  let resolveId!: (id: string) => void;
  let rejectId!: (err: Error) => void;
  const clientId = new Promise<string>((resolve, reject) => {
    resolveId = resolve;
    rejectId = reject;
  });
  const scan = (buf: Buffer) => {
    let at = buf.indexOf(SEQ);
    let consumed = 0;
    while (at >= 0) {
      let n = 0;
      let i = at + SEQ.length;
      while (i < buf.length && buf[i]! >= 48 && buf[i]! <= 57) n = n * 10 + (buf[i++]! - 48);
      if (i === buf.length) break; // the number may go on in the next read
      onSeq(n);
      consumed = i;
      at = buf.indexOf(SEQ, i);
    }
    const rest = buf.subarray(Math.max(consumed, buf.length - TAIL));
    carry = Buffer.from(rest);
  };
  socket.on('data', (data: Buffer) => {
    if (!pending) return scan(carry.length ? Buffer.concat([carry, data]) : data);
    pending = Buffer.concat([pending, data]);
    const head = pending.indexOf(HEAD_END);
    if (head < 0) return;
    const status = pending.subarray(0, pending.indexOf('\r\n')).toString('latin1');
    if (!/^HTTP\/1\.1 200/.test(status)) {
      rejectId(new Error(`realtime connect answered: ${status}`));
      socket.destroy();
      return;
    }
    const body = pending.subarray(head + 4).toString('latin1');
    const m = /id:([A-Za-z0-9]+)\nevent:PB_CONNECT\ndata:[^\n]*\n\n/.exec(body);
    if (!m) return;
    const rest = pending.subarray(head + 4 + Buffer.byteLength(body.slice(0, m.index + m[0].length), 'latin1'));
    pending = null;
    resolveId(m[1]!);
    scan(rest);
  });
  socket.on('error', (err) => rejectId(err));
  socket.on('close', () => rejectId(new Error('realtime stream closed before PB_CONNECT')));
  return { clientId, close: () => socket.destroy() };
}
