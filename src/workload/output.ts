/**
 * Keeps a bounded copy of a stream: its first `headBytes` and its last `tailBytes`. A
 * benchmark that logs gigabytes must not exhaust kdelta's memory, yet its figures are
 * usually printed at the start (configuration) or the end (results), so both ends are kept.
 */
export class BoundedOutput {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  /** Bytes seen in total, kept or not. */
  total = 0;
  /** Line ends seen in total, to say how many lines a cut took. */
  private newlines = 0;

  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.newlines += countNewlines(chunk);
    let rest = chunk;
    if (this.headLen < this.headBytes) {
      const take = Math.min(this.headBytes - this.headLen, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headLen += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailBytes === 0) return;
    this.tail.push(rest);
    this.tailLen += rest.length;
    while (this.tailLen - (this.tail[0]?.length ?? 0) >= this.tailBytes) {
      this.tailLen -= this.tail.shift()?.length ?? 0;
    }
  }

  /** True when bytes between the head and the tail were dropped. */
  get truncated(): boolean {
    return this.total > this.headBytes + this.tailBytes;
  }

  /** What a cut took: the bytes and lines between the kept head and tail that were never read; null when nothing was cut. */
  cut(): { bytes: number; lines: number } | null {
    if (!this.truncated) return null;
    const head = Buffer.concat(this.head);
    const kept = this.keptTail();
    return { bytes: this.total - head.length - kept.length, lines: this.newlines - countNewlines(head) - countNewlines(kept) };
  }

  /** The tail from its first whole line on. */
  private keptTail(): Buffer {
    let tailBuf = Buffer.concat(this.tail);
    if (tailBuf.length > this.tailBytes) tailBuf = tailBuf.subarray(tailBuf.length - this.tailBytes);
    const nl = tailBuf.indexOf(0x0a);
    return nl >= 0 ? tailBuf.subarray(nl + 1) : tailBuf;
  }

  /**
   * The kept text. When the middle was dropped the tail starts at its first whole line (so
   * no half JSON line is parsed) and a marker line separates the two parts.
   */
  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    let tailBuf = Buffer.concat(this.tail);
    if (tailBuf.length > this.tailBytes) tailBuf = tailBuf.subarray(tailBuf.length - this.tailBytes);
    if (!this.truncated) return head + tailBuf.toString('utf8');
    const kept = this.keptTail();
    const dropped = this.total - this.headBytes - kept.length;
    return `${head}\n[kdelta: ${dropped} bytes of output not kept]\n${kept.toString('utf8')}`;
  }
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** The last `bytes` of a text cut at a line start where one is near, for a report's stderr tail. */
export function textTail(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return text;
  const cut = buf.subarray(buf.length - bytes);
  const nl = cut.indexOf(0x0a);
  return (nl >= 0 && nl < 256 ? cut.subarray(nl + 1) : cut).toString('utf8');
}
