// The realtime bench's reader of record messages: finds every `"seq":N` in an SSE byte stream however the
// socket cut it into reads, without copying or joining reads (at 10k subscribers a Buffer.concat of the
// previous read's tail with each new read, and the subarray kept from it, were half of the load
// generator's JavaScript time). Pure, no runtime APIs: tests run it under Bun and Node.

const SEQ = new TextEncoder().encode('"seq":');
const SEQ_LEN = SEQ.length;
/** `"seq"` matched: the only prefix whose end is again a prefix (`"`) */
const QUOTED = 5;

/** Calls `onSeq` once per `"seq":N` in the bytes given to `scan`, in order, across any cuts between reads. */
export class SeqScanner {
  /** bytes of `"seq":` matched at the end of the last read; SEQ_LEN while its digits are being read */
  private matched = 0;
  /** the digits read so far when a read ended inside the number */
  private value = 0;

  constructor(private readonly onSeq: (seq: number) => void) {}

  scan(buf: Uint8Array): void {
    const len = buf.length;
    let i = 0;
    // a `"seq":` the previous read cut: go on matching it
    while (this.matched > 0 && this.matched < SEQ_LEN && i < len) {
      if (buf[i] === SEQ[this.matched]) {
        this.matched++;
        i++;
      } else if (this.matched === QUOTED) {
        // `"seq"` and no colon: its closing quote may open the next match (the pattern's one self-overlap)
        this.matched = 1;
      } else {
        this.matched = 0;
      }
    }
    if (this.matched === SEQ_LEN) {
      i = this.digits(buf, i);
      if (i < 0) return;
    }
    for (;;) {
      const at = indexOfSeq(buf, i);
      if (at < 0) break;
      this.matched = SEQ_LEN;
      i = this.digits(buf, at + SEQ_LEN);
      if (i < 0) return;
    }
    // the read may end with the start of the next `"seq":`
    for (let k = Math.min(SEQ_LEN - 1, len - i); k > 0; k--) {
      if (endsWith(buf, k)) {
        this.matched = k;
        return;
      }
    }
  }

  /** Reads digits from `i`; reports the number at the first non-digit and returns its index, or -1 at the end of `buf`. */
  private digits(buf: Uint8Array, i: number): number {
    let n = this.value;
    for (; i < buf.length; i++) {
      const c = buf[i]!;
      if (c < 48 || c > 57) {
        this.matched = 0;
        this.value = 0;
        this.onSeq(n);
        return i;
      }
      n = n * 10 + (c - 48);
    }
    this.value = n;
    return -1;
  }
}

/** Buffer's native search when `buf` is a Buffer (Bun's and Node's socket reads are), else a plain loop. */
function indexOfSeq(buf: Uint8Array, from: number): number {
  if (buf instanceof Buffer) return buf.indexOf(SEQ, from);
  outer: for (let i = from; i + SEQ_LEN <= buf.length; i++) {
    for (let j = 0; j < SEQ_LEN; j++) if (buf[i + j] !== SEQ[j]) continue outer;
    return i;
  }
  return -1;
}

/** Whether `buf` ends with the first `k` bytes of `"seq":`. */
function endsWith(buf: Uint8Array, k: number): boolean {
  const start = buf.length - k;
  for (let j = 0; j < k; j++) if (buf[start + j] !== SEQ[j]) return false;
  return true;
}
