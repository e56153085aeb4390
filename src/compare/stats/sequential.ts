import { mulberry32 } from './prng.js';
import { signedRankDistribution } from './signed-rank.js';

/**
 * A group-sequential design for the paired signed-rank test with a look after every round
 * from `min` to `max`.
 *
 * Why a simulation, and why it is exact up to Monte Carlo error: when head and base do not
 * differ, every per-round log ratio is symmetric about 0, so its sign is a fair coin
 * independent of its size, and the order of the |ratios| is a uniformly random permutation.
 * The whole sequence of signed-rank statistics over the looks therefore has one null law,
 * whatever the noise looks like (drift and bursts included, as long as the order of the two
 * sides within a round is random). `paths` draws of that law give the distribution of the
 * smallest p-value seen over all looks; `sequentialP` maps a p-value to the probability
 * that some look of a null run reaches it. Rejecting when that probability is below alpha
 * keeps the false-alarm rate over every look at alpha: a Pocock-like constant nominal
 * boundary, calibrated for the discrete test instead of read from normal tables.
 */
export interface SequentialDesign {
  min: number;
  max: number;
  /** The smallest two-sided p over looks min..max of each simulated null run, sorted. */
  minP: Float64Array;
}

const designs = new Map<string, SequentialDesign>();

/** Two-sided exact p for each T+ = 0..n(n+1)/2 with n untied non-zero differences. */
function pTable(n: number): Float64Array {
  const dist = signedRankDistribution(Array.from({ length: n }, (_, i) => i + 1));
  const top = (n * (n + 1)) / 2;
  const lower = new Float64Array(top + 1);
  let acc = 0;
  for (let t = 0; t <= top; t++) lower[t] = acc += dist[2 * t]!;
  const table = new Float64Array(top + 1);
  for (let t = 0; t <= top; t++) table[t] = Math.min(1, 2 * Math.min(lower[t]!, lower[top - t]!));
  return table;
}

/** Builds (and caches) the design; 40,000 paths resolve a level of 0.005 to about +-7%. */
export function sequentialDesign(min: number, max: number, options: { paths?: number; seed?: number } = {}): SequentialDesign {
  const paths = options.paths ?? 40_000;
  const seed = options.seed ?? 0x5eed;
  const key = `${min}:${max}:${paths}:${seed}`;
  const hit = designs.get(key);
  if (hit) return hit;
  const tables: Float64Array[] = [];
  for (let n = min; n <= max; n++) tables.push(pTable(n));
  const random = mulberry32(seed);
  const minP = new Float64Array(paths);
  const sizes = new Float64Array(max);
  const positive = new Uint8Array(max);
  for (let path = 0; path < paths; path++) {
    let tPlus = 0;
    let best = 1;
    for (let n = 0; n < max; n++) {
      // A new |ratio| is a uniform draw; its rank among the others is all that matters.
      const size = random();
      const up = random() < 0.5;
      let rank = 1;
      for (let i = 0; i < n; i++) {
        if (sizes[i]! < size) rank++;
        else if (positive[i]) tPlus++;
      }
      if (up) tPlus += rank;
      sizes[n] = size;
      positive[n] = up ? 1 : 0;
      if (n + 1 >= min) best = Math.min(best, tables[n + 1 - min]![tPlus]!);
    }
    minP[path] = best;
  }
  minP.sort();
  const design = { min, max, minP };
  designs.set(key, design);
  return design;
}

/**
 * P(some look of a null run gives a p-value <= p), with the +1 of a Monte Carlo p so it is
 * never 0, plus two standard errors of the simulation: the design's own sampling error must
 * not push the false-alarm rate above alpha.
 */
export function sequentialP(p: number, design: SequentialDesign): number {
  const a = design.minP;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= p * (1 + 1e-9)) lo = mid + 1;
    else hi = mid;
  }
  const q = (lo + 1) / (a.length + 1);
  return Math.min(1, q + 2 * Math.sqrt((q * (1 - q)) / a.length));
}

/**
 * The nominal per-look p-value a metric must reach for an overall level `level` (a p at or
 * below it has a sequential p of at most `level`, up to ties between paths): the boundary.
 */
export function nominalLevel(level: number, design: SequentialDesign): number {
  const a = design.minP;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sequentialP(a[mid]!, design) <= level) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : a[lo - 1]!;
}
