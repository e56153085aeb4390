import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUNDS, parseRounds, roundsOf, splitArgv } from '../../src/commands/ab.js';
import type { AbPair } from '../../src/run/ab.js';
import type { Scenario } from '../../src/scenario/types.js';
import { InputError } from '../../src/errors.js';

describe('kdelta ab options', () => {
  it('reads --rounds MIN:MAX, and one number as exactly that many rounds', () => {
    expect(parseRounds('5:30')).toEqual({ min: 5, max: 30 });
    expect(parseRounds('10')).toEqual({ min: 10, max: 10 });
  });

  it('refuses fewer than 5 rounds, a max below the min, and more than 50', () => {
    for (const bad of ['4:10', '10:6', '5:51', 'five']) expect(() => parseRounds(bad)).toThrow(InputError);
  });

  it('splits --prepare on whitespace with quotes grouping, never through a shell', () => {
    expect(splitArgv(`make -C "src dir" 'CFLAGS=-O2 -g' all`)).toEqual(['make', '-C', 'src dir', 'CFLAGS=-O2 -g', 'all']);
  });

  it('takes the head scenario\'s rounds, --rounds over them, and 5:30 when neither says', () => {
    const head = { name: 'x', rounds: { min: 8, max: 40 } } as Scenario;
    const pair: AbPair = { name: 'x', base: { name: 'x' } as Scenario, head };
    expect(roundsOf(pair, undefined)).toEqual({ min: 8, max: 40 });
    expect(roundsOf(pair, { min: 6, max: 6 })).toEqual({ min: 6, max: 6 });
    expect(roundsOf({ ...pair, head: { name: 'x' } as Scenario }, undefined)).toEqual(DEFAULT_ROUNDS);
  });
});
