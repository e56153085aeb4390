import { describe, expect, test } from 'vitest';
import { scenarioFromText } from '../../src/scenario/load.js';

const load = (text: string) => scenarioFromText('s.yaml', '/s/s.yaml', `name: x\nworkload:\n  builtin: { name: cpu-contention }\n${text}`);
const problems = (text: string): string[] => load(text).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);

describe('scenario rounds (kdelta ab)', () => {
  test('rounds min and max are kept on the scenario', () => {
    expect(load('rounds: { min: 8, max: 40 }\n').scenario?.rounds).toEqual({ min: 8, max: 40 });
  });

  test('a scenario without rounds has none, so the command default applies', () => {
    expect(load('').scenario).not.toHaveProperty('rounds');
  });

  test('fewer than 5 rounds is refused at the value', () => {
    expect(problems('rounds: { min: 2, max: 10 }\n')).toEqual(['4:16: rounds.min must be at least 5, not 2']);
  });

  test('more than 50 rounds is refused: the sequential design is calibrated up to 50', () => {
    expect(problems('rounds: { min: 5, max: 80 }\n')).toEqual(['4:24: rounds.max must be at most 50, not 80']);
  });

  test('max below min is refused with a fix', () => {
    expect(problems('rounds: { min: 20, max: 10 }\n')).toEqual(['4:25: rounds.max 10 is below rounds.min 20; write max >= min (e.g. min: 20, max: 30)']);
  });
});
