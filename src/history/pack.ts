/**
 * Samples are stored as little-endian float64s packed into one blob per (run, metric): 8
 * bytes a repetition, exact, and no JSON text to parse. Only gated metrics keep them (the
 * ones a verdict was made from and a merge or re-analysis needs); every other metric keeps
 * its summary, since a year of the shipped suite is ~1,800 metrics a night and per-sample
 * rows for all of them would be ten times the summaries.
 */
export function packSamples(samples: readonly number[]): Buffer {
  const buf = Buffer.alloc(samples.length * 8);
  samples.forEach((v, i) => buf.writeDoubleLE(v, i * 8));
  return buf;
}

export function unpackSamples(blob: Uint8Array): number[] {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 8 <= buf.length; i += 8) out.push(buf.readDoubleLE(i));
  return out;
}

/** SQL has no NaN; a summary of no samples is stored as NULL and read back as NaN. */
export function toSql(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export function fromSql(v: unknown): number {
  return v === null || v === undefined ? NaN : Number(v);
}
