import { describe, expect, test } from 'vitest';
import { scenarioFromText } from '../../src/scenario/load.js';

const HEAD = 'name: x\nworkload:\n  builtin: { name: cpu-contention }\n';
const load = (collect: string) => scenarioFromText('s.yaml', '/s/s.yaml', `${HEAD}collect:\n  ebpf:\n    syscalls:\n      events: ${collect}\n`);
const problems = (collect: string): string[] => load(collect).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);

describe('collect.ebpf.syscalls.events', () => {
  test('is read in ns with its defaults', () => {
    const r = load('{ over: 2ms }');
    expect(r.problems).toEqual([]);
    expect(r.scenario?.collect.events).toEqual({ overNs: 2_000_000, max: 50, stacks: true });
  });

  test('an empty mapping takes every default: over 1ms, max 50, stacks', () => {
    expect(load('{}').scenario?.collect.events).toEqual({ overNs: 1_000_000, max: 50, stacks: true });
    expect(load('{ over: 250us, max: 3, stacks: false }').scenario?.collect.events).toEqual({ overNs: 250_000, max: 3, stacks: false });
  });

  test('is absent when not asked for', () => {
    const r = scenarioFromText('s.yaml', '/s/s.yaml', `${HEAD}collect:\n  ebpf: { syscalls: true }\n`);
    expect(r.scenario?.collect.events).toBeUndefined();
  });

  test('a threshold under the floor is refused at the value', () => {
    expect(problems('{ over: 1us }')).toEqual(['7:23: collect.ebpf.syscalls.events.over must be at least 0.01ms, not "1us"']);
  });

  test('a malformed threshold, a max past its bound and an unknown key are refused where they are', () => {
    expect(problems('{ over: fast, max: 100000, stack: true }')).toEqual([
      '7:23: bad duration "fast" in collect.ebpf.syscalls.events.over: use a number with ns, us, ms, s or m, e.g. 250ms',
      '7:34: collect.ebpf.syscalls.events.max must be at most 1000, not 100000',
      '7:42: unknown key "stack" in collect.ebpf.syscalls.events (did you mean "stacks"?)',
    ]);
  });

  test('max must be a whole number of at least 1', () => {
    expect(problems('{ max: 0 }')).toEqual(['7:22: collect.ebpf.syscalls.events.max must be at least 1, not 0']);
    expect(problems('{ max: 1.5 }')).toEqual(['7:22: collect.ebpf.syscalls.events.max must be a whole number, not 1.5']);
  });
});

describe('collect.require: [events]', () => {
  test('needs collect.ebpf.syscalls.events', () => {
    const r = scenarioFromText('s.yaml', '/s/s.yaml', `${HEAD}collect:\n  require: [events]\n`);
    expect(r.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual(['5:13: collect.require lists events but collect.ebpf.syscalls.events is not set']);
    expect(load('{}\n  require: [events]').problems).toEqual([]);
  });
});
