/**
 * The parent's side of a child process that answers in JSON lines (the SQL console's and the backup snapshot's
 * children): each whole line of `stream` that parses as a JSON object is handed to `onMessage`, in order. Other
 * lines are skipped: the runtime may print something of its own on the same stdout.
 */
import type { Readable } from 'node:stream';

export function readJsonLines<T extends object>(stream: Readable, onMessage: (msg: T) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        continue; // not the protocol's
      }
      if (typeof msg === 'object' && msg !== null) onMessage(msg as T);
    }
  });
}
