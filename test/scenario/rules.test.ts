import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { loadScenarios, scenarioFromText, type Problem } from '../../src/scenario/load.js';
import { RULES } from '../../src/scenario/rules/index.js';

const RUN_TIME = 'test/fixtures/scenario/run-time';

const where = (problems: readonly Problem[]): string[] => problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
const check = (text: string, file = 's.yaml', arch = 'x64'): string[] => where(scenarioFromText(file, `/s/${file}`, text, { arch }).problems);
const WORKLOAD = 'name: x\nworkload: { builtin: { name: syscall-loop } }\n';

async function onlyProblem(file: string): Promise<Problem> {
  const { scenarios, problems } = await loadScenarios([join(RUN_TIME, file)], { arch: 'x86_64' });
  expect(scenarios).toEqual([]);
  expect(problems).toHaveLength(1);
  return problems[0] as Problem;
}

describe('checks a run would otherwise trip over are found by loading', () => {
  test('a misspelt syscall in include is refused at its position, with the likely name', async () => {
    expect(where([await onlyProblem('misspelt-syscall.yaml')])).toEqual([
      '7:26: unknown syscall "getppidd" in collect.ebpf.syscalls.include (did you mean "getppid"?): use the kernel\'s name, e.g. read, futex, epoll_wait',
    ]);
  });

  test('an unknown syscall in exclude is refused at its position', async () => {
    expect(where([await onlyProblem('unknown-exclude.yaml')])).toEqual([
      '7:24: unknown syscall "frobnicate" in collect.ebpf.syscalls.exclude: use the kernel\'s name, e.g. read, futex, epoll_wait',
    ]);
  });

  test('a regex RE2 cannot run is refused, saying why RE2', async () => {
    const p = await onlyProblem('bad-regex.yaml');
    expect(`${p.line}:${p.col}`).toBe('6:27');
    expect(p.message).toMatch(/is not RE2 syntax \(invalid escape sequence: `\\1`\): .*no backreferences/u);
  });

  test('a limit in an unknown unit is refused at the limit', async () => {
    expect(where([await onlyProblem('limit-unknown-unit.yaml')])).toEqual([
      '6:7: bad limit "sched.ready_delay.p99 < 2fortnights": unknown unit "fortnights": use ns, us, ms, s, % or none',
    ]);
  });

  test('a syscall of another architecture is refused on this one, naming where it exists', () => {
    expect(check(`${WORKLOAD}collect: { ebpf: { syscalls: { include: [open] } } }\n`, 's.yaml', 'arm64')).toEqual([
      '3:42: syscall "open" in collect.ebpf.syscalls.include does not exist on aarch64, only on x86_64: remove it, or list the aarch64 call',
    ]);
  });

  test('on an architecture without a syscall table, any known name passes', () => {
    expect(check(`${WORKLOAD}collect: { ebpf: { syscalls: { include: [open, openat] } } }\n`, 's.yaml', 'riscv64')).toEqual([]);
  });

  test('lookahead is refused as RE2 syntax', () => {
    const problems = check(`name: x\nworkload:\n  command: [x]\n  metrics: [{ name: a, regex: "(?=x)([0-9]+)", unit: "1", better: lower }]\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^4:31: regex "\(\?=x\)\(\[0-9\]\+\)" is not RE2 syntax/u);
  });

  test('an unknown limit operator is refused with the operators there are', () => {
    expect(check(`${WORKLOAD}gate: { limits: ["sched.ready_delay.p99 =< 2ms"] }\n`)).toEqual([
      '3:18: bad limit "sched.ready_delay.p99 =< 2ms": write <metric> <op> <value><unit>, e.g. "sched.ready_delay.p99 < 2ms" (op: <, <=, >, >=)',
    ]);
  });

  test('every rule has a name, and the names are unique', () => {
    const names = RULES.map((r) => r.name);
    expect(names.every((n) => /^[a-z][a-z-]+$/u.test(n))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('values are parsed once, by the rules, and the scenario carries them', () => {
  test('durations, tolerances and limits arrive in the scenario in ms, fractions and base units', () => {
    const text = `${WORKLOAD}collect: { proc: { interval: 50ms } }\ngate:\n  tolerance: 3%\n  metrics: { "sched.*": { tolerance: 7% } }\n  limits: ["sched.ready_delay.p99 < 2ms", { each: "workload.wall_time < 1s" }]\n`;
    const s = scenarioFromText('s.yaml', '/s/s.yaml', text).scenario;
    expect(s?.collect.proc).toEqual({ intervalMs: 50 });
    expect(s?.gate.tolerance).toBe(0.03);
    expect(s?.gate.metrics).toEqual({ 'sched.*': { tolerance: 0.07, alpha: 0.05 } });
    expect(s?.gate.limits.map((l) => [l.metric, l.value, l.each])).toEqual([
      ['sched.ready_delay.p99', 2e6, false],
      ['workload.wall_time', 1e9, true],
    ]);
  });
});
