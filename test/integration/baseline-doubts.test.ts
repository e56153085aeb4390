// Baselines and a run's own problems, through `kdelta run` in this process (main(io)), with real
// workloads: a run whose samples are in doubt does not become a baseline unless forced, and a
// baseline that does not fit what was measured still gets the run's reports, then exit 2.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHATTY_SCENARIO, cgroup2, hasStackTrace, readValidReport, runCli, tempDir, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  cgroup2();
  dir = await tempDir('kdelta-baseline-doubts-');
});
afterAll(async () => {
  await dir.remove();
});

const MACHINE = 'test-box';
const baselinesDir = (): string => join(dir.path, 'baselines');
const baselineFile = (scenario: string): string => join(baselinesDir(), MACHINE, `${scenario}.json`);
const run = (scenario: string, out: string, extra: string[] = []) =>
  runCli(['run', scenario, '--out', join(dir.path, out), '--baselines', baselinesDir(), '--machine', MACHINE, ...extra], { cwd: dir.path });
const reportOf = (out: string) => readValidReport(join(dir.path, out));

describe('--update-baselines and samples in doubt', () => {
  const CUT = /kdelta: not updating a baseline from samples in doubt: chatty: repetition 1: stdout was cut \(\d+ bytes, \d+ lines not read\); verdicts on workload\.ops are inconclusive \(and 2 more doubt\(s\)\); run it again, or keep these samples anyway: kdelta baseline update \S+chatty\.yaml --scenario chatty --force/;

  it('skips the scenario with a warning naming the doubt, and exits as the run would without the flag', async () => {
    const file = await writeScenario(dir.path, 'chatty.yaml', CHATTY_SCENARIO);
    await writeScenario(dir.path, 'chatty.flag', '');
    const first = await run(file, 'doubt-first', ['--update-baselines']);
    expect(first.stderr).toMatch(CUT);
    expect(first.stderr).not.toContain('kdelta: wrote');
    expect(existsSync(baselineFile('chatty')), 'a baseline was written from samples in doubt').toBe(false);
    // The same code as the run without --update-baselines: no baseline, no gated regression.
    const plain = await run(file, 'doubt-plain');
    expect(first.code).toBe(plain.code);
    expect(first.code).toBe(0);
    expect(reportOf('doubt-first').scenarios[0]?.metrics.find((m) => m.name === 'workload.ops')?.samples).toEqual([1000, 1000, 1000]);
  }, 90_000);

  it('leaves an existing baseline as it was, while the verdict is inconclusive', async () => {
    const file = join(dir.path, 'chatty.yaml');
    execFileSync('rm', ['-f', join(dir.path, 'chatty.flag')]);
    const clean = await run(file, 'doubt-clean', ['--update-baselines']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).toContain(`kdelta: wrote ${baselineFile('chatty')}`);
    const before = readFileSync(baselineFile('chatty'), 'utf8');
    await writeScenario(dir.path, 'chatty.flag', '');
    const r = await run(file, 'doubt-again', ['--update-baselines']);
    expect(r.stderr).toMatch(CUT);
    expect(r.code).toBe(0);
    expect(reportOf('doubt-again').scenarios[0]?.metrics.find((m) => m.name === 'workload.ops')?.verdict?.status).toBe('inconclusive');
    expect(readFileSync(baselineFile('chatty'), 'utf8')).toBe(before);
  }, 90_000);

  it('baseline update skips it too, and --force writes it', async () => {
    const file = join(dir.path, 'chatty.yaml');
    const before = readFileSync(baselineFile('chatty'), 'utf8');
    const args = ['baseline', 'update', file, '--baselines', baselinesDir(), '--machine', MACHINE];
    const skipped = await runCli(args, { cwd: dir.path });
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(CUT);
    expect(readFileSync(baselineFile('chatty'), 'utf8')).toBe(before);
    const forced = await runCli([...args, '--force', '--reason', 'kept on purpose'], { cwd: dir.path });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).not.toContain('not updating');
    expect(forced.stderr).toContain(`kdelta: wrote ${baselineFile('chatty')}`);
    const written = JSON.parse(readFileSync(baselineFile('chatty'), 'utf8')) as { provenance: { reason: string } };
    expect(written.provenance.reason).toBe('kept on purpose');
  }, 90_000);
});

describe('a baseline unit that does not fit, found only after measuring', () => {
  // workload.latency comes from a JSON line: its unit is known only once the workload printed it.
  const scenario = `name: late-unit
workload:
  command: [sh, -c, "echo '{\\"metric\\": \\"latency\\", \\"value\\": 5, \\"unit\\": \\"ms\\", \\"better\\": \\"lower\\"}'"]
repetitions: 3
warmup: 0
collect:
  proc: false
  ebpf: false
gate:
  metrics:
    workload.latency: {}
    workload.wall_time: { tolerance: 1000% }
`;

  it('writes report.json, summary.md and junit.xml with that check failed as an input problem, then exits 2', async () => {
    const file = await writeScenario(dir.path, 'late-unit.yaml', scenario);
    const first = await run(file, 'late-first', ['--update-baselines']);
    expect(first.code, first.stderr).toBe(0);
    // Hand-edited to bytes: ms cannot be converted to B.
    const path = baselineFile('late-unit');
    const text = readFileSync(path, 'utf8');
    const entry = text.indexOf('"workload.latency": {');
    const at = text.indexOf('"unit": "ms"', entry);
    expect(entry).toBeGreaterThan(0);
    expect(at).toBeGreaterThan(entry);
    writeFileSync(path, `${text.slice(0, at)}"unit": "B"${text.slice(at + '"unit": "ms"'.length)}`);
    const line = text.slice(0, at).split('\n').length;
    const column = at - text.lastIndexOf('\n', at);

    const r = await run(file, 'late-out');
    expect(r.code).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const problem = `${path}:${line}:${column}: baseline metric workload.latency: field "unit" is "B", which cannot be converted to the scenario's "ms"`;
    expect(r.stderr).toContain(`kdelta: ${problem}`);
    expect(r.stderr).toContain('fix: record a new baseline for it: kdelta baseline update');

    const s = reportOf('late-out').scenarios[0]!;
    expect(s.status).toBe('error');
    expect(s.failure?.kind).toBe('input');
    expect(s.failure?.message).toContain(problem);
    expect(s.failure?.message).toContain('; fix: record a new baseline for it: kdelta baseline update');
    // The measured data is kept, and the metric that fits is still judged against its baseline.
    const latency = s.metrics.find((m) => m.name === 'workload.latency')!;
    expect(latency.samples).toEqual([5, 5, 5]);
    expect(latency.verdict?.status).toBe('unavailable');
    expect(latency.verdict?.message).toContain(`not compared, the baseline does not fit what was measured: ${problem}`);
    const wall = s.metrics.find((m) => m.name === 'workload.wall_time')!;
    expect(wall.baseline?.samples).toHaveLength(3);
    expect(['pass', 'inconclusive', 'improvement', 'regression']).toContain(wall.verdict?.status);

    const summary = readFileSync(join(dir.path, 'late-out', 'summary.md'), 'utf8');
    expect(summary).toContain('**Input problem found after measuring** (the samples are kept)');
    expect(summary).toContain('field "unit" is "B"');
    const junit = join(dir.path, 'late-out', 'junit.xml');
    const xpath = (expr: string): string => execFileSync('xmllint', ['--xpath', expr, junit], { encoding: 'utf8' }).trim();
    expect(xpath('count(//testcase[@name="baseline"]/error[@type="input"])')).toBe('1');
    expect(xpath('string(//testcase[@name="baseline"]/error/@message)')).toContain(`input problem found after measuring: ${problem}`);
    expect(xpath('count(//testcase[@name="workload"])')).toBe('0');
  }, 90_000);
});
