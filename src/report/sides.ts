import type { Report } from './types.js';

/**
 * What the two sides of a comparison are called. A stored-baseline run compares the current
 * run with a baseline; `kdelta ab` compares a head with a base measured beside it, round by
 * round, with the sequential design's interval. Every writer takes its words from here, so
 * an A/B report never says "baseline" or "repetitions per side".
 */
export interface Sides {
  baseColumn: string;
  currentColumn: string;
  changeColumn: string;
  /** `vs baseline` / `vs base`, after a change. */
  vs: string;
  /** The interval around the change. */
  interval: string;
  base: string;
  current: string;
  /** What more of is needed to decide. */
  needed: string;
  neededLabel: string;
  /** The same, in a table cell. */
  neededShort: string;
  /** One measured run of the workload on each side. */
  repetition: string;
}

const STORED: Sides = {
  baseColumn: 'Baseline (median)',
  currentColumn: 'Current (median)',
  changeColumn: 'Change [95% CI]',
  vs: 'vs baseline',
  interval: '95% CI',
  base: 'baseline',
  current: 'current',
  needed: 'repetitions per side',
  neededLabel: 'repetitions needed per side',
  neededShort: 'reps',
  repetition: 'repetition',
};

const AB: Sides = {
  baseColumn: 'Base (median)',
  currentColumn: 'Head (median)',
  changeColumn: 'Change vs base [sequential interval]',
  vs: 'vs base',
  interval: 'sequential interval',
  base: 'base',
  current: 'head',
  needed: 'rounds',
  neededLabel: 'rounds needed',
  neededShort: 'rounds',
  repetition: 'round',
};

export function sidesOf(report: Pick<Report, 'ab'>): Sides {
  return report.ab ? AB : STORED;
}
