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

  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
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

  /**
   * The kept text. When the middle was dropped the tail starts at its first whole line (so
   * no half JSON line is parsed) and a marker line separates the two parts.
   */
  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    let tailBuf = Buffer.concat(this.tail);
    if (tailBuf.length > this.tailBytes) tailBuf = tailBuf.subarray(tailBuf.length - this.tailBytes);
    if (!this.truncated) return head + tailBuf.toString('utf8');
    const nl = tailBuf.indexOf(0x0a);
    const kept = nl >= 0 ? tailBuf.subarray(nl + 1) : tailBuf;
    const dropped = this.total - this.headBytes - kept.length;
    return `${head}\n[kdelta: ${dropped} bytes of output not kept]\n${kept.toString('utf8')}`;
  }
}

/** The last `bytes` of a text cut at a line start where one is near, for a report's stderr tail. */
export function textTail(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return text;
  const cut = buf.subarray(buf.length - bytes);
  const nl = cut.indexOf(0x0a);
  return (nl >= 0 && nl < 256 ? cut.subarray(nl + 1) : cut).toString('utf8');
}
