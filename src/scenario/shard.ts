/**
 * Which scenarios shard i of n runs (1-based: `--shard 2/3`). Each name is placed by its own
 * hash alone, so adding or removing a scenario never moves another; and the placement is a
 * jump consistent hash (Lamping and Veach, 2014), so going from n to n + 1 shards moves only
 * about 1/(n + 1) of the names.
 */
export function selectShard<T extends string>(names: readonly T[], index: number, count: number): T[] {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 1 || index > count) {
    throw new RangeError(`shard ${index}/${count}: expected i/N with 1 <= i <= N`);
  }
  return names.filter((name) => shardOf(name, count) === index - 1);
}

/** 0-based shard of one name among `count`. */
export function shardOf(name: string, count: number): number {
  let key = fnv1a64(name);
  let b = -1n;
  let j = 0n;
  const n = BigInt(count);
  const mask = (1n << 64n) - 1n;
  while (j < n) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & mask;
    j = BigInt(Math.floor(((Number(b) + 1) * 2 ** 31) / Number((key >> 33n) + 1n)));
  }
  return Number(b);
}

function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(text);
  for (const byte of bytes) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & ((1n << 64n) - 1n);
  }
  return h;
}

/** `2/3` -> { index: 2, count: 3 }; null when the text is not of that shape. */
export function parseShard(text: string): { index: number; count: number } | null {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && count >= 1 && index <= count ? { index, count } : null;
}
