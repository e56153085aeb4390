import { InvalidArgumentError } from 'commander';
import { BOUNDS } from '../scenario/bounds.js';

/**
 * A whole number in plain decimal digits within the scenario file's own bounds: `0x2` and
 * `1e9` are what Number() accepts but no one means, and a count past the bound would create
 * that many cgroups before anything is measured.
 */
export function countWithin(bounds: { min: number; max: number }, what: string): (value: string) => number {
  return (value: string): number => {
    const n = /^[0-9]{1,12}$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isInteger(n) || n < bounds.min || n > bounds.max) {
      throw new InvalidArgumentError(`expected ${what} as a whole number from ${bounds.min} to ${bounds.max}, e.g. 10`);
    }
    return n;
  };
}
// A run of zero counted repetitions measures nothing, and its gate would pass on nothing.
export const repetitionsOption = countWithin(BOUNDS.repetitions, 'the number of repetitions');
export const warmupOption = countWithin(BOUNDS.warmup, 'the number of warm-up repetitions');
export const seedOption = countWithin({ min: 0, max: 2 ** 31 - 1 }, 'the seed');
