import { describe, expect, test } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatProblem, loadScenarios, scenarioFromText, type Problem } from '../../src/scenario/load.js';

const FIXTURES = 'test/fixtures/scenario';
const fixture = (p: string): string => join(FIXTURES, p);

/** `line:col: message` per problem, the part the tests pin down exactly. */
function where(problems: Problem[]): string[] {
  return problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

async function problemsOf(path: string): Promise<Problem[]> {
  const { scenarios, problems } = await loadScenarios([path]);
  expect(scenarios).toEqual([]);
  for (const p of problems) expect(p.file).toBe(path);
  return problems;
}

describe('broken scenario files', () => {
  test('bad YAML is reported with its position', async () => {
    expect(where(await problemsOf(fixture('broken/bad-yaml.yaml')))).toEqual([
      '4:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('a JSON syntax error is reported with its position', async () => {
    expect(where(await problemsOf(fixture('broken/syntax.json')))).toEqual(['4:3: YAML syntax: Missing , between flow map items']);
  });

  test('unknown keys point at the key and suggest the closest allowed one', async () => {
    expect(where(await problemsOf(fixture('broken/unknown-key.yaml')))).toEqual([
      '4:1: unknown key "repetitons" in scenario (did you mean "repetitions"?)',
      '7:5: unknown key "ready-delay" in collect.ebpf (did you mean "ready_delay"?)',
    ]);
  });

  test('wrong types are all reported at once, each at its value', async () => {
    expect(where(await problemsOf(fixture('broken/wrong-type.yaml')))).toEqual([
      '3:28: workload.command[2] must be a string, not 4 (quote it: "4")',
      '4:14: repetitions must be a whole number, not "ten"',
      '6:9: collect.proc must be true, false or a mapping with interval, net, memory, not "250ms"',
    ]);
  });

  test('a bad duration says what a duration looks like', async () => {
    expect(where(await problemsOf(fixture('broken/bad-duration.yaml')))).toEqual([
      '5:15: bad duration "2 secs" in workload.builtin.duration: use a number with ns, us, ms, s or m, e.g. 250ms',
      '6:12: workload.timeout must be a string, not 10 (quote it: "10")',
    ]);
  });

  test('two workload kinds point at the second one', async () => {
    expect(where(await problemsOf(fixture('broken/two-workloads.yaml')))).toEqual([
      '4:3: workload has command and builtin: it must have exactly one of command, builtin, tinybench',
    ]);
  });

  test('no workload kind at all points at the workload mapping', async () => {
    expect(where(await problemsOf(fixture('broken/no-workload-kind.yaml')))).toEqual([
      '3:3: workload must have exactly one of command, builtin, tinybench',
    ]);
  });

  test('bad limits and gate patterns are found at load time', async () => {
    expect(where(await problemsOf(fixture('broken/bad-limit.yaml')))).toEqual([
      '6:5: metric name "shed.ready_delay.p99" starts with unknown area "shed" (did you mean "sched"?): use one of workload, sched, syscall, irq, softirq, system',
      '8:7: bad limit "sched.ready_delay.p99 < 2": needs a time unit (ns, us, ms, s): the metric is measured in ns',
      '9:7: bad limit "sched.ready_delay.p99 ~ 2ms": write <metric> <op> <value><unit>, e.g. "sched.ready_delay.p99 < 2ms" (op: <, <=, >, >=)',
      '10:13: bad limit "sched.context_switches < 2ms": a time cannot be compared with a metric measured in 1',
    ]);
  });

  test('JSON files get the same positions as YAML', async () => {
    expect(where(await problemsOf(fixture('broken/bad.json')))).toEqual([
      '4:13: warmup must be at least 0, not -1',
      '5:26: bad percentage "5" in gate.tolerance: use a number with %, e.g. 5%',
    ]);
  });

  test('duplicate names across files are an error at the second file naming the first', async () => {
    const { scenarios, problems } = await loadScenarios([fixture('dup')]);
    expect(scenarios.map((s) => s.file)).toEqual([resolve(fixture('dup/a.yaml'))]);
    expect(problems.map(formatProblem)).toEqual([
      `${fixture('dup/b.yaml')}:3:7: scenario name "same-name" is already used by ${fixture('dup/a.yaml')}`,
    ]);
  });

  test('a file named twice, once through its folder, is loaded once', async () => {
    const { scenarios, problems } = await loadScenarios([fixture('valid/minimal.json'), `./${fixture('valid')}`]);
    expect(problems).toEqual([]);
    expect(scenarios.map((s) => s.name)).toEqual(['syscalls', 'sort.bench', 'hackbench-pipes']);
  });

  test('every broken file in a folder is reported in one pass', async () => {
    const { scenarios, problems } = await loadScenarios([fixture('broken')]);
    expect(scenarios).toEqual([]);
    expect(new Set(problems.map((p) => p.file)).size).toBe(9);
  });
});

describe('problems that are not in a file', () => {
  test('a missing path is a problem, not an exception', async () => {
    const { problems } = await loadScenarios(['test/fixtures/scenario/nope.yaml']);
    expect(problems.map(formatProblem)).toEqual(['test/fixtures/scenario/nope.yaml: no such file or folder']);
  });

  test('a file that cannot be read is a problem with its reason', async () => {
    // Root reads any mode bits; /proc/self/mem refuses a read at offset 0 with EIO for everyone.
    const { scenarios, problems } = await loadScenarios(['/proc/self/mem']);
    expect(scenarios).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.line).toBe(0);
    expect(formatProblem(problems[0] as Problem)).toMatch(/^\/proc\/self\/mem: cannot read: EIO/u);
  });

  test('a path through a file is a problem', async () => {
    const { problems } = await loadScenarios([fixture('dup/a.yaml/x.yaml')]);
    expect(problems.map(formatProblem)).toEqual([`${fixture('dup/a.yaml/x.yaml')}: a part of this path is a file, not a folder`]);
  });

  test('a folder without scenario files is a problem, so validate never passes on nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kdelta-scn-'));
    try {
      const { scenarios, problems } = await loadScenarios([dir]);
      expect(scenarios).toEqual([]);
      expect(problems.map(formatProblem)).toEqual([`${dir}: no scenario files (*.yaml, *.yml, *.json) in this folder`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('text-level checks', () => {
  const check = (text: string): string[] => where(scenarioFromText('s.yaml', '/s/s.yaml', text).problems);

  test('an empty file says what a scenario needs', () => {
    expect(check('')).toEqual(['1:1: the file is empty: a scenario needs at least name and workload']);
  });

  test('a list at the top level is rejected', () => {
    expect(check('- a\n- b\n')).toEqual(['1:1: a scenario file must be a mapping of keys (name:, workload:, ...), not a list']);
  });

  test('missing required keys are named', () => {
    expect(check('description: x\n')).toEqual([
      '1:1: scenario is missing required key "name"',
      '1:1: scenario is missing required key "workload"',
    ]);
  });

  test('a bad scenario name explains the allowed characters', () => {
    expect(check('name: Hackbench\nworkload: { command: [x] }\n')).toEqual([
      '1:7: bad scenario name "Hackbench": use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit',
    ]);
  });

  test('an enum typo gets a suggestion', () => {
    expect(check('name: x\nworkload: { command: [x] }\ngate:\n  correction: holms\n')).toEqual([
      '4:15: gate.correction must be one of holm, bh, none, not "holms" (did you mean "holm"?)',
    ]);
  });

  test('a nested value error inside an either-or field reports the inner field only', () => {
    expect(check('name: x\nworkload: { command: [x] }\ncollect:\n  ebpf: { irq: "yes please", syscalls: { sample: 0 } }\n')).toEqual([
      '4:16: collect.ebpf.irq must be true or false, not "yes please"',
      '4:50: collect.ebpf.syscalls.sample must be at least 1, not 0',
    ]);
  });

  test('a second YAML document is refused: one scenario per file', () => {
    expect(check('name: a\nworkload: { command: [x] }\n---\nname: b\n')).toEqual([
      '3:1: a scenario file holds one scenario: put each document after --- in a file of its own',
    ]);
  });

  test('a duplicate key is a YAML error at the second key', () => {
    expect(check('name: x\nname: y\nworkload: { command: [x] }\n')).toEqual(['2:1: YAML syntax: Map keys must be unique']);
  });

  test('a workload regex without a capture group is rejected', () => {
    expect(
      check('name: x\nworkload:\n  command: [x]\n  metrics:\n    - { name: ops, regex: "[0-9]+ ops", unit: 1/s, better: higher }\n'),
    ).toEqual(['5:27: regex "[0-9]+ ops" needs a capture group around the number, e.g. "([0-9.]+) ops/s"']);
  });

  test('a regex that does not compile is rejected', () => {
    expect(check('name: x\nworkload:\n  command: [x]\n  metrics:\n    - { name: ops, regex: "([0-9]+", unit: 1, better: higher }\n')[0]).toBe(
      '5:27: bad regex "([0-9]+": Unterminated group',
    );
  });

  test('env on a builtin workload is rejected at the key', () => {
    expect(check('name: x\nworkload:\n  builtin: { name: cpu-contention }\n  env: { A: "1" }\n')).toEqual([
      '4:3: workload.env applies only to command workloads',
    ]);
  });

  test('a zero duration is rejected', () => {
    expect(check('name: x\nworkload:\n  command: [x]\n  timeout: 0s\n')).toEqual(['4:12: workload.timeout must be longer than 0, not "0s"']);
  });

  test('requiring a collector that is switched off is rejected', () => {
    expect(check('name: x\nworkload: { command: [x] }\ncollect:\n  ebpf: false\n  require: [proc, ebpf]\n')).toEqual([
      '5:19: collect.require lists ebpf but collect.ebpf is false',
    ]);
  });

  test('a limit on a workload figure converts to the unit the workload declared', () => {
    const r = scenarioFromText(
      's.yaml',
      '/s/s.yaml',
      'name: x\nworkload:\n  command: [x]\n  metrics: [{ name: lat, regex: "lat ([0-9.]+)", unit: ms, better: lower }]\ngate:\n  limits: ["workload.lat < 2s"]\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.scenario?.gate.limits).toEqual([{ text: 'workload.lat < 2s', metric: 'workload.lat', op: '<', value: 2000, each: false }]);
  });

  test('unknown keys far from any allowed key list the allowed ones', () => {
    expect(check('name: x\nworkload: { command: [x] }\ncollect: { zzz: 1 }\n')).toEqual([
      '3:12: unknown key "zzz" in collect (allowed: proc, ebpf, roles, require)',
    ]);
  });
});
