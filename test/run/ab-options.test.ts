import { describe, expect, it } from 'vitest';
import { parseRounds, splitArgv } from '../../src/commands/ab.js';
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
});
