import { mulberry32, standardNormal } from '../stats/prng.js';
import { comparePaired, type PairedComparand } from './compare.js';

/**
 * Simulated A/B runs of the rounds loop for the statistics benchmark: each round measures
 * every metric once per side, in a random order; a repetition's log value is its own noise
 * plus what the machine did at that moment (a slow drift, bursts of background load), which
 * both sides share only as far as they ran at the same time. Metric 0 of the head side is
 * shifted by `shift` (slower); shift 0 is an A/A run.
 */
export interface PairedTrialSpec {
  metrics: number;
  /** Per-repetition log-normal noise (CoV). */
  cv: number;
  shift: number;
  tolerance: number;
  alpha: number;
  rounds: { min: number; max: number };
  /** Log drift per repetition (0.002 = the machine gets 0.2% slower every repetition). */
  drift: number;
  /** Chance per repetition that a burst starts; it lasts 1-4 repetitions and adds `burstSize` (log). */
  burstRate: number;
  burstSize: number;
  trials: number;
  seed: number;
}

export interface PairedTrialOutcome {
  trials: number;
  /** Runs with a regression or improvement on a metric that did not change. */
  falseAlarmRuns: number;
  /** Runs in which metric 0 was called a regression. */
  detectedRuns: number;
  /** Mean rounds the loop ran before every metric was decided (or max). */
  meanRounds: number;
  /** Median of metric 0's reported minimum detectable effect at the end. */
  medianMde: number;
}

interface Machine {
  time: number;
  burstLeft: number;
}

/** The machine's state for the next repetition: drift grows with time, bursts come and go. */
function nextState(m: Machine, spec: PairedTrialSpec, random: () => number): number {
  m.time++;
  if (m.burstLeft > 0) m.burstLeft--;
  else if (random() < spec.burstRate) m.burstLeft = 1 + Math.floor(random() * 4);
  return spec.drift * m.time + (m.burstLeft > 0 ? spec.burstSize : 0);
}

function runTrial(spec: PairedTrialSpec, random: () => number, seed: number): { falseAlarm: boolean; detected: boolean; rounds: number; mde: number } {
  const comparands: PairedComparand[] = Array.from({ length: spec.metrics }, (_, i) => ({
    name: `m${i}`, unit: 'ns', better: 'lower', base: [], head: [], tolerance: spec.tolerance, alpha: spec.alpha,
  }));
  const machine: Machine = { time: 0, burstLeft: 0 };
  for (let round = 1; round <= spec.rounds.max; round++) {
    const headFirst = random() < 0.5;
    for (const side of headFirst ? ['head', 'base'] : ['base', 'head']) {
      const state = nextState(machine, spec, random);
      comparands.forEach((c, i) => {
        const shift = side === 'head' && i === 0 ? Math.log1p(spec.shift) : 0;
        (side === 'head' ? c.head : c.base).push(100 * Math.exp(state + shift + spec.cv * standardNormal(random)));
      });
    }
    if (round < spec.rounds.min) continue;
    const final = round === spec.rounds.max;
    const look = comparePaired(comparands, { rounds: spec.rounds, test: 'signed-rank', seed }, final);
    if (look.decided || final) {
      let falseAlarm = false;
      for (const [name, v] of look.verdicts) {
        if (name !== 'm0' || spec.shift === 0) falseAlarm ||= v.status === 'regression' || v.status === 'improvement';
      }
      const v0 = look.verdicts.get('m0');
      const mde = v0 && 'mde' in v0 ? v0.mde : Infinity;
      return { falseAlarm, detected: v0?.status === 'regression', rounds: round, mde };
    }
  }
  return { falseAlarm: false, detected: false, rounds: spec.rounds.max, mde: Infinity };
}

export function simulatePairedTrials(spec: PairedTrialSpec): PairedTrialOutcome {
  const random = mulberry32(spec.seed);
  let falseAlarmRuns = 0;
  let detectedRuns = 0;
  let rounds = 0;
  const mdes: number[] = [];
  for (let t = 0; t < spec.trials; t++) {
    const r = runTrial(spec, random, spec.seed + t);
    if (r.falseAlarm) falseAlarmRuns++;
    if (r.detected) detectedRuns++;
    rounds += r.rounds;
    mdes.push(r.mde);
  }
  mdes.sort((a, b) => a - b);
  return { trials: spec.trials, falseAlarmRuns, detectedRuns, meanRounds: rounds / spec.trials, medianMde: mdes[Math.floor(mdes.length / 2)] ?? Infinity };
}
