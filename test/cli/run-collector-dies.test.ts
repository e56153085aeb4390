// `kdelta run` in-process with fake collectors: a collector that dies in the first of two
// scenarios loses neither the run nor what it measured. The reports are written, the second
// scenario runs, and the exit code is 3 only when the scenario requires that collector.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/commands/run.js';
import { validateReport } from '../../src/report/schema.js';
import type { Report } from '../../src/report/types.js';
import { fakeCgroups, fakeCollector, fakeDeps, fakeWorkload, type Log } from '../run/fakes.js';
import { plainEnv, tempDir, TextSink, writeScenario } from './support.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('kdelta-collector-dies-');
});
afterAll(async () => {
  await dir.remove();
});

const scenario = (name: string, require: string) => `name: ${name}
workload:
  command: ["true"]
repetitions: 3
warmup: 0
collect:
  proc: { interval: 100ms }
  ebpf: false
  require: [${require}]
`;

async function run(require: string, updateBaselines = false) {
  const sc = join(dir.path, `scenarios-${require || 'none'}`);
  await mkdir(sc, { recursive: true });
  await writeScenario(sc, 'a.yaml', scenario('first', require));
  await writeScenario(sc, 'b.yaml', scenario('second', require));
  const log: Log = [];
  // The /proc collector dies before the third repetition of the first scenario only.
  const deps = fakeDeps([fakeCollector('proc', log, { dieAt: { index: 2, phase: 'before', session: 0 } })], fakeWorkload(log), fakeCgroups(log));
  const out = join(dir.path, `out-${require || 'none'}`);
  const stdout = new TextSink();
  const stderr = new TextSink();
  const io = { argv: [], env: plainEnv({ KDELTA_MACHINE: 'test-machine' }), cwd: dir.path, stdout, stderr, isTTY: false, signal: new AbortController().signal };
  const code = await runCommand({ paths: [sc], out, baselines: join(dir.path, `baselines-${require || 'none'}`), scenario: [], updateBaselines }, io, deps);
  return { code, stderr: stderr.text, out, log };
}

function readReport(out: string): Report {
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as unknown;
  expect(validateReport(report).ok).toBe(true);
  return report as Report;
}

describe('a collector that dies mid-run', () => {
  it('not required: exit 0, reports written, its measured repetitions kept, unavailable with the reason, the next scenario measured', async () => {
    const r = await run('');
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['report.json', 'junit.xml', 'summary.md', 'comment.md']) expect(existsSync(join(r.out, f)), f).toBe(true);
    const report = readReport(r.out);
    const [first, second] = report.scenarios;
    const proc = first!.collectors.find((c) => c.name === 'proc')!;
    expect(proc.availability.state).toBe('unavailable');
    expect(proc.availability.state === 'unavailable' && proc.availability.reason).toContain('proc capture: it stopped: Killed');
    expect(first!.metrics.find((m) => m.name === 'proc.value')?.samples).toEqual([100, 101]);
    expect(first!.metrics.find((m) => m.name === 'workload.wall_time')?.samples).toHaveLength(3);
    expect(first!.lost).toEqual([expect.objectContaining({ repetition: 3, collector: 'proc' })]);
    expect(second!.collectors.find((c) => c.name === 'proc')!.availability.state).toBe('ready');
    expect(second!.metrics.find((m) => m.name === 'proc.value')?.samples).toHaveLength(3);
    expect(r.stderr).toContain('first: the proc collector stopped in repetition 3');
  });

  it('required: exit 3 naming the scenario and the reason, and still the reports, with the second scenario measured', async () => {
    const r = await run('proc');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('first requires the proc collector, which stopped during the run: proc capture: it stopped: Killed');
    const report = readReport(r.out);
    expect(report.scenarios.map((s) => s.name)).toEqual(['first', 'second']);
    expect(report.scenarios[0]!.metrics.find((m) => m.name === 'proc.value')?.samples).toEqual([100, 101]);
    expect(report.scenarios[1]!.metrics.find((m) => m.name === 'proc.value')?.samples).toHaveLength(3);
    expect(existsSync(join(r.out, 'junit.xml'))).toBe(true);
  });

  it('required, with --update-baselines: the scenario that lost it keeps its old baseline, the other one is recorded', async () => {
    const r = await run('proc', true);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('kdelta: first: not updating its baseline: the proc collector it requires stopped during the run');
    const machineDir = join(dir.path, 'baselines-proc', 'test-machine');
    expect(existsSync(join(machineDir, 'first.json'))).toBe(false);
    expect(existsSync(join(machineDir, 'second.json'))).toBe(true);
  });
});
