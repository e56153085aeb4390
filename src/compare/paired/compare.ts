import type { Better } from '../../metrics/types.js';
import { studentTQuantile } from '../stats/distributions.js';
import { median, robustSd } from '../stats/effect.js';
import { hodgesLehmann } from '../stats/hodges-lehmann.js';
import { seedFromString } from '../stats/prng.js';
import { nominalLevel, sequentialDesign, sequentialP, type SequentialDesign } from '../stats/sequential.js';
import { signedRankTest } from '../stats/signed-rank.js';
import type { Decision } from '../types.js';
import { pairedBootstrap } from './bootstrap.js';

/** One gated metric measured on both sides, one value per round on each (index = round). */
export interface PairedComparand {
  name: string;
  label?: string;
  unit: string;
  better: Better;
  base: number[];
  head: number[];
  tolerance: number;
  alpha: number;
  /** This metric's scenario's rounds, when they differ from the run's (`PairedOptions.rounds`). */
  rounds?: { min: number; max: number };
}

export interface PairedOptions {
  rounds: { min: number; max: number };
  test: 'signed-rank' | 'bootstrap';
  seed: number;
}

/** What a look says about one metric, beside its verdict. */
export interface PairedDetail {
  rounds: number;
  /** Per-round head vs base: log(head / base), or (head - base) / |median base| with zeros or negatives. */
  differences: number[];
  scale: 'log' | 'relative';
  /** The p-value of this look mapped to "some look of a null run gets this low". */
  sequentialP: number;
  /** Settled at this look: significant beyond the tolerance, or the interval inside +- tolerance. */
  decided: boolean;
}

export interface PairedComparison {
  verdicts: Map<string, Decision>;
  details: Map<string, PairedDetail>;
  /** Every metric decided: the rounds loop may stop. */
  decided: boolean;
  family: { size: number; correction: 'holm' };
}

/** Per-round differences on the scale the change is reported on. */
export function pairedDifferences(base: readonly number[], head: readonly number[]): { d: number[]; scale: 'log' | 'relative' } {
  const n = Math.min(base.length, head.length);
  const b = base.slice(0, n);
  const h = head.slice(0, n);
  if (b.every((v) => v > 0) && h.every((v) => v > 0)) return { d: b.map((v, i) => Math.log(h[i]! / v)), scale: 'log' };
  const s = Math.abs(median(b));
  return { d: b.map((v, i) => (s > 0 ? (h[i]! - v) / s : Math.sign(h[i]! - v) * (h[i] === v ? 0 : Infinity))), scale: 'relative' };
}

const toChange = (x: number, scale: 'log' | 'relative'): number => (scale === 'log' ? Math.expm1(x) : x);

/** Asymptotic efficiency of the signed-rank test against the paired t-test under normal noise. */
const SIGNED_RANK_EFFICIENCY = 3 / Math.PI;

/** Smallest relative change found with 80% power at per-look level `level` after n rounds. */
export function pairedMde(noise: number, n: number, level: number): number {
  if (n < 2 || !Number.isFinite(noise) || !(level > 0)) return Infinity;
  const q = studentTQuantile(1 - level / 2, n - 1) + studentTQuantile(0.8, n - 1);
  return Math.expm1((q * noise) / Math.sqrt(n) / Math.sqrt(SIGNED_RANK_EFFICIENCY));
}

function roundsNeeded(noise: number, level: number, target: number, cap = 1000): number {
  if (!(target > 0) || !(pairedMde(noise, cap, level) <= target)) return cap;
  let lo = 2;
  let hi = cap;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pairedMde(noise, mid, level) <= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Look {
  c: PairedComparand;
  d: number[];
  scale: 'log' | 'relative';
  p: number;
  seqP: number;
  estimate: number;
  ci: [number, number];
}

function lookAt(c: PairedComparand, design: SequentialDesign, ciLevel: number, options: PairedOptions): Look {
  const { d, scale } = pairedDifferences(c.base, c.head);
  const finite = d.filter(Number.isFinite);
  const confidence = 1 - ciLevel;
  if (options.test === 'bootstrap') {
    const b = pairedBootstrap(finite, { confidence, seed: seedFromString(c.name, options.seed) });
    return { c, d, scale, p: b.pValue, seqP: sequentialP(b.pValue, design), estimate: b.estimate, ci: b.ci };
  }
  const p = signedRankTest(d).pValue;
  const hl = hodgesLehmann(finite, confidence);
  return { c, d, scale, p, seqP: sequentialP(p, design), estimate: hl.estimate, ci: [hl.lo, hl.hi] };
}

/**
 * One look of the rounds loop: every gated metric's per-round differences tested with the
 * signed-rank test (or a paired bootstrap), each p mapped through the sequential design so
 * that looking after every round costs nothing in false alarms, then Holm across the
 * metrics. `final`: the last look (rounds.max reached, or the loop stopped): undecided
 * metrics become `inconclusive` or `pass` by the same rules as a stored-baseline comparison.
 * The interval is Hodges-Lehmann's at the per-metric nominal boundary, so it excludes 0
 * about when the metric is significant.
 */
export function comparePaired(comparands: readonly PairedComparand[], options: PairedOptions, final: boolean): PairedComparison {
  const size = comparands.length;
  const designs = comparands.map((c) => sequentialDesign((c.rounds ?? options.rounds).min, (c.rounds ?? options.rounds).max));
  const looks = comparands.map((c, i) => lookAt(c, designs[i]!, nominalLevel(c.alpha / Math.max(1, size), designs[i]!), options));
  const order = looks.map((l, i) => ({ p: l.seqP, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(size);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (size - rank) * p));
    adjusted[i] = running;
  });
  const verdicts = new Map<string, Decision>();
  const details = new Map<string, PairedDetail>();
  let allDecided = true;
  looks.forEach((l, i) => {
    const { verdict, decided } = verdictOf(l, adjusted[i]!, size, designs[i]!, final);
    verdicts.set(l.c.name, verdict);
    details.set(l.c.name, { rounds: l.d.length, differences: l.d, scale: l.scale, sequentialP: l.seqP, decided });
    allDecided &&= decided;
  });
  return { verdicts, details, decided: allDecided, family: { size, correction: 'holm' } };
}

function verdictOf(l: Look, adjustedP: number, size: number, design: SequentialDesign, final: boolean): { verdict: Decision; decided: boolean } {
  const { c } = l;
  const change = toChange(l.estimate, l.scale);
  const ci: [number, number] = [toChange(l.ci[0], l.scale), toChange(l.ci[1], l.scale)];
  const sign = c.better === 'lower' ? 1 : -1;
  const bad = sign * change;
  const [badLo, badHi] = sign === 1 ? ci : [-ci[1], -ci[0]];
  const level = nominalLevel(c.alpha / Math.max(1, size), design);
  const noise = robustSd(l.d.filter(Number.isFinite));
  const n = l.d.length;
  const mde = pairedMde(noise, n, level);
  const equivalent = badLo > -c.tolerance && badHi < c.tolerance;
  const subject = {
    label: c.label ?? c.name,
    unit: c.unit,
    better: c.better,
    tolerance: c.tolerance,
    alpha: c.alpha,
    baselineMedian: median(c.base.slice(0, n)),
    currentMedian: median(c.head.slice(0, n)),
    n: [n, n] as [number, number],
    family: { size, correction: 'holm' as const },
    paired: { rounds: n, design: { min: design.min, max: design.max }, equivalent },
  };
  const common = { change, ci, pValue: l.p, adjustedP, mde, subject };
  const significant = adjustedP < c.alpha;
  const settled = { significant, downgraded: null, ...common };
  if (significant && bad > c.tolerance) return { verdict: { status: 'regression', ...settled }, decided: true };
  if (significant && -bad > c.tolerance) return { verdict: { status: 'improvement', ...settled }, decided: true };
  if (equivalent || (final && !(badHi > c.tolerance && (badLo <= 0 || bad > c.tolerance)))) return { verdict: { status: 'pass', ...settled }, decided: true };
  const needed = roundsNeeded(noise, level, c.tolerance > 0 ? c.tolerance : Math.max(0.01, Math.abs(change)));
  const why = badLo <= 0 ? ({ kind: 'ci-spans' } as const) : ({ kind: 'not-significant' } as const);
  return { verdict: { status: 'inconclusive', neededRepetitions: needed, why, ...common }, decided: false };
}
