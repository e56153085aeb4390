import { describe, expect, test } from 'vitest';
import { BOUNDS } from '../../src/scenario/bounds.js';
import { scenarioFromText } from '../../src/scenario/load.js';

const check = (text: string, file = 's.yaml'): string[] =>
  scenarioFromText(file, `/s/${file}`, text).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
const HEAD = 'name: x\nworkload:\n  builtin: { name: cpu-contention }\n';

describe('bounds on what a scenario may ask for', () => {
  test('more repetitions than the bound is refused at the value', () => {
    expect(check(`${HEAD}repetitions: 1000000000\n`)).toEqual(['4:14: repetitions must be at most 10000, not 1000000000']);
  });

  test('more warm-up repetitions than the bound is refused', () => {
    expect(check(`${HEAD}warmup: 5000\n`)).toEqual(['4:9: warmup must be at most 1000, not 5000']);
  });

  test('a timeout longer than a Node timer can wait is refused, not left to fire at once', () => {
    expect(check(`${HEAD}  timeout: 99999999m\n`)).toEqual([
      '4:12: workload.timeout must be at most 2147483647ms (about 24.9 days), the longest a timer can wait, not "99999999m"',
    ]);
  });

  test('the longest timeout a timer can wait is accepted', () => {
    const r = scenarioFromText('s.yaml', '/s/s.yaml', `${HEAD}  timeout: 2147483647ms\n`);
    expect(r.problems).toEqual([]);
    expect(r.scenario?.workload.timeoutMs).toBe(BOUNDS.durationMaxMs);
  });

  test('a /proc interval under the floor is refused', () => {
    expect(check(`${HEAD}collect: { proc: { interval: 1ns } }\n`)).toEqual(['4:30: collect.proc.interval must be at least 10ms, not "1ns"']);
  });

  test('a name too long to be a file name is refused', () => {
    expect(check(`name: ${'n'.repeat(300)}\nworkload: { command: [x] }\n`)).toEqual(['1:7: name may be at most 100 characters long, not 300']);
  });

  test('a description longer than the bound is refused with its length', () => {
    expect(check(`${HEAD}description: ${'a'.repeat(BOUNDS.descriptionChars + 1)}\n`)).toEqual([
      '4:14: description may be at most 10000 characters long, not 10001',
    ]);
  });

  test('more workload metrics than the bound are refused', () => {
    const metrics = Array.from({ length: BOUNDS.workloadMetrics + 1 }, (_, i) => `    - { name: m${i}, regex: "m${i} ([0-9]+)", unit: "1", better: lower }`);
    expect(check(`name: x\nworkload:\n  command: [x]\n  metrics:\n${metrics.join('\n')}\n`)).toEqual([
      '5:5: workload.metrics may list at most 100 items, not 101',
    ]);
  });

  test('a regex too large to match quickly is refused with its size', () => {
    const problems = check(`name: x\nworkload:\n  command: [x]\n  metrics: [{ name: a, regex: "[\\\\s\\\\S]{900}(x)", unit: "1", better: lower }]\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^4:31: regex .* is too large to match quickly \(\d+ RE2 instructions, at most 200\)/u);
  });

  test('a file over the size bound is refused before it is parsed', () => {
    const text = `${HEAD}description: "${'a'.repeat(BOUNDS.fileBytes)}"\n`;
    expect(check(text)).toEqual([`1:1: the file is ${Buffer.byteLength(text)} bytes: a scenario file may be at most 1 MiB`]);
  });

  test('40,000 unknown keys are validated in one pass and listed up to the bound, then counted', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`).join('\n');
    const problems = check(`name: x\nworkload: { command: [x] }\n${keys}\n`);
    expect(problems).toHaveLength(BOUNDS.problemsShown + 1);
    expect(problems[0]).toBe('3:1: unknown key "k0" in scenario (allowed: name, description, workload, repetitions, warmup, rounds, collect, gate)');
    expect(problems[BOUNDS.problemsShown]).toBe('102:1: and 39900 more problems in this file');
    // The bound is the test's timeout: the quadratic steps this replaced took 22 s here.
  }, 30_000);
});

describe('YAML and JSON that would cost more than they say', () => {
  test('a YAML alias bomb is refused, not expanded', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) {
      const prev = String.fromCharCode('a'.charCodeAt(0) + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(check(`${levels.join('\n')}\n`)).toEqual([
      '1:1: YAML aliases expand too far (more than 100 copies): write the values out, or use fewer * aliases',
    ]);
  });

  test('a few aliases that share settings are fine', () => {
    const text = `${HEAD}gate:\n  metrics: { "sched.*": &t { tolerance: 3% }, "irq.*": *t, "softirq.*": *t }\n`;
    const r = scenarioFromText('s.yaml', '/s/s.yaml', text);
    expect(r.problems).toEqual([]);
    expect(r.scenario?.gate.metrics['softirq.*']).toEqual({ tolerance: 0.03, alpha: 0.05 });
  });

  test('nesting too deep to read is refused with a message, not a crash', () => {
    expect(check(`a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)).toEqual([
      expect.stringMatching(/^1:\d+: the file nests too deeply to read: a scenario needs a few levels of keys$/u),
    ]);
  });

  test('a .json scenario with a trailing comma is refused at the comma, as JSON', () => {
    expect(check('{\n  "name": "x",\n  "workload": { "command": ["x"] },\n}\n', 's.json')).toEqual([
      '4:1: JSON syntax: Expected double-quoted property name (a .json scenario is read as strict JSON: no trailing commas or comments)',
    ]);
  });

  test('a .json scenario with a comment is refused', () => {
    expect(check('{ "name": "x", # a comment\n  "workload": { "command": ["x"] } }\n', 's.json')[0]).toMatch(/^1:16: JSON syntax: /u);
  });

  test('the same trailing comma in a .yaml file is YAML, and fine', () => {
    expect(check('{ "name": "x", "workload": { "command": ["x"] }, }\n', 's.yaml')).toEqual([]);
  });
});
