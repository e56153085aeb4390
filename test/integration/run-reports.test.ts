// Issue 7 and the baseline rules through `kdelta run` on the real machine: the written report
// validates, junit.xml passes the Jenkins XSD, --update-baselines makes the next run compare,
// a corrupt baseline exits 2 untouched, and `kdelta compare` follows the same exit codes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { unfoldReport, type StoredReport } from '../../src/report/compact.js';
import { validateReport } from '../../src/report/schema.js';
import { hasStackTrace, kdeltaJunitXsd as jenkinsXsd, repoRoot, runCli, tempDir, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };
let scenarioFile = '';
const name = 'reported-loop';
const machine = 'h8-test-machine';
const baselines = () => join(dir.path, 'baselines');
const baselineFile = () => join(baselines(), machine, `${name}.json`);
const gatedNames = ['workload.wall_time', 'syscall.getppid.count', 'system.context_switches'];

beforeAll(async () => {
  dir = await tempDir('kdelta-run-reports-');
  scenarioFile = await writeScenario(
    dir.path,
    `${name}.yaml`,
    `name: ${name}
description: "getppid loop <&> \\"quoted\\" — checked in every format"
workload:
  builtin: { name: syscall-loop, count: 20000 }
repetitions: 3
warmup: 0
collect:
  proc: { interval: 100ms }
  ebpf: { ready_delay: true, syscalls: true, irq: true }
gate:
  metrics:
${gatedNames.map((n) => `    ${n}: {}`).join('\n')}
`,
  );
});
afterAll(async () => {
  await dir.remove();
});

function readReport(path: string): Report {
  const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredReport;
  const v = validateReport(stored);
  expect(v.ok ? [] : v.errors, `${path} validates against the report schema`).toEqual([]);
  // report.json stores the baseline's samples once per scenario; read it back as kdelta does.
  return unfoldReport(stored);
}

function xmllintJenkins(file: string): void {
  if (!existsSync(jenkinsXsd)) {
    throw new Error(`${jenkinsXsd} is missing: it is the vendored copy of ../shared/conformance/jenkins-junit.xsd`);
  }
  const r = spawnSync('xmllint', ['--noout', '--schema', jenkinsXsd, file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  expect(`${r.status}: ${r.stderr}`).toBe(`0: ${file} validates\n`);
}

function gatedVerdicts(report: Report): Record<string, string | undefined> {
  const s = report.scenarios.find((x) => x.name === name)!;
  return Object.fromEntries(s.metrics.filter((m) => m.gated).map((m) => [m.name, m.verdict?.status]));
}

const runArgs = (out: string, ...more: string[]) => ['run', scenarioFile, '--out', join(dir.path, out), '--baselines', baselines(), '--machine', machine, ...more];

describe('reports and baselines of real runs', () => {
  it('first run with --update-baselines: valid report.json, junit.xml valid under the Jenkins XSD, baseline written; no-baseline verdicts', async () => {
    const r = await runCli(runArgs('out1', '--update-baselines', '--reason', 'first'));
    expect(r.code, r.stderr).toBe(0);
    const report = readReport(join(dir.path, 'out1', 'report.json'));
    expect(report.status).toBe('pass');
    const s = report.scenarios[0]!;
    expect(s.metrics.find((m) => m.name === 'workload.wall_time')?.samples).toHaveLength(3);
    expect(Object.keys(gatedVerdicts(report)).sort()).toEqual([...gatedNames].sort());
    expect(Object.values(gatedVerdicts(report))).toEqual(['no-baseline', 'no-baseline', 'no-baseline']);
    xmllintJenkins(join(dir.path, 'out1', 'junit.xml'));
    expect(existsSync(baselineFile())).toBe(true);
    expect(r.stderr).toContain(`kdelta: wrote ${baselineFile()}`);
    // Provenance names the commit of the checkout kdelta ran in.
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
    const stored = JSON.parse(readFileSync(baselineFile(), 'utf8')) as { provenance: { commit: string | null; reason: string } };
    expect(stored.provenance).toMatchObject({ commit: head, reason: 'first' });
  });

  it('second run compares with the first: every gated metric has a baseline and a verdict other than no-baseline', async () => {
    const r = await runCli(runArgs('out2'));
    // 3 against 3 repetitions can never reach alpha: no regression is possible, so exit 0.
    expect(r.code, r.stderr).toBe(0);
    const report = readReport(join(dir.path, 'out2', 'report.json'));
    const s = report.scenarios[0]!;
    expect(s.baseline?.path).toBe(baselineFile());
    expect(s.baseline?.stale).toBe(false);
    const verdicts = gatedVerdicts(report);
    expect(Object.keys(verdicts).sort()).toEqual([...gatedNames].sort());
    for (const [metric, status] of Object.entries(verdicts)) {
      expect(['pass', 'inconclusive', 'improvement'], metric).toContain(status);
      expect(s.metrics.find((m) => m.name === metric)?.baseline?.samples, metric).toHaveLength(3);
    }
    // getppid was called exactly 20000 times in every repetition of both runs.
    expect(s.metrics.find((m) => m.name === 'syscall.getppid.count')?.samples).toEqual([20000, 20000, 20000]);
    xmllintJenkins(join(dir.path, 'out2', 'junit.xml'));
    expect(report.family.size).toBeGreaterThanOrEqual(1);
  });

  it('a corrupt baseline: run exits 2 naming the file, with and without --update-baselines, and leaves it byte for byte', async () => {
    const corruptDir = join(dir.path, 'corrupt');
    await mkdir(join(corruptDir, machine), { recursive: true });
    const file = join(corruptDir, machine, `${name}.json`);
    const bytes = Buffer.from('{"schemaVersion": 1, "scenario": "reported-loop", "metrics": {\n  oops\x00\xff');
    await writeFile(file, bytes);
    for (const extra of [[], ['--update-baselines']]) {
      const r = await runCli(['run', scenarioFile, '--out', join(dir.path, 'out-corrupt'), '--baselines', corruptDir, '--machine', machine, ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(file);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(readFileSync(file).equals(bytes)).toBe(true);
    }
    // It failed before running anything: no report was written.
    expect(existsSync(join(dir.path, 'out-corrupt', 'report.json'))).toBe(false);
  });

  it('kdelta baseline update --from a report writes that report\'s samples, and says what changed', async () => {
    const from = join(dir.path, 'out2', 'report.json');
    const dest = join(dir.path, 'baselines-from');
    const r = await runCli(['baseline', 'update', scenarioFile, '--from', from, '--baselines', dest, '--machine', machine, '--reason', 'accept run 2']);
    expect(r.code, r.stderr).toBe(0);
    const file = join(dest, machine, `${name}.json`);
    expect(r.stderr).toContain(`kdelta: wrote ${file}`);
    const baseline = JSON.parse(readFileSync(file, 'utf8')) as { scenario: string; metrics: Record<string, { samples: number[] }>; provenance: { reason: string } };
    const report = JSON.parse(readFileSync(from, 'utf8')) as Report;
    expect(baseline.scenario).toBe(name);
    expect(baseline.provenance.reason).toBe('accept run 2');
    for (const m of report.scenarios[0]!.metrics.filter((x) => x.samples.length > 0)) {
      expect(baseline.metrics[m.name]?.samples, m.name).toEqual(m.samples);
    }
    // A report that does not have the scenario: nothing written, exit 2.
    const other = await writeScenario(dir.path, 'other.yaml', 'name: not-in-report\nworkload:\n  command: ["true"]\n');
    const none = await runCli(['baseline', 'update', other, '--from', from, '--baselines', dest, '--machine', machine]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('not-in-report: not in');
    expect(existsSync(join(dest, machine, 'not-in-report.json'))).toBe(false);
  });

  it('without --out: reports/<run-id>/ under the working directory, reports/latest pointing at it, the paths on stdout', async () => {
    const cwd = join(dir.path, 'workdir');
    await mkdir(cwd);
    const quick = await writeScenario(
      dir.path,
      'quick.yaml',
      `name: quick
workload:
  builtin: { name: syscall-loop, count: 100 }
repetitions: 2
warmup: 0
collect: { proc: false, ebpf: false }
`,
    );
    const r = await runCli(['run', quick], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const paths = r.stdout.trim().split('\n');
    expect(paths).toHaveLength(3);
    const m = new RegExp(`^${join(cwd, 'reports')}/(\\d{8}T\\d{6}Z-[0-9a-z]+)/report\\.json$`).exec(paths[0]!);
    expect(m, paths[0]).not.toBeNull();
    expect(paths.slice(1)).toEqual([join(cwd, 'reports', m![1]!, 'junit.xml'), join(cwd, 'reports', m![1]!, 'summary.md')]);
    expect(realpathSync(join(cwd, 'reports', 'latest'))).toBe(realpathSync(join(cwd, 'reports', m![1]!)));
    expect(readReport(join(cwd, 'reports', 'latest', 'report.json')).runId).toBe(m![1]);
  });

  it('kdelta compare on the two saved reports: the same verdicts rules and exit codes (0, 1 on a regression, 4 on a failed workload, 2 on bad input)', async () => {
    const r1 = join(dir.path, 'out1', 'report.json');
    const r2 = join(dir.path, 'out2', 'report.json');
    const ok = await runCli(['compare', r1, r2, '--out', join(dir.path, 'cmp')]);
    expect(ok.code, ok.stderr).toBe(0);
    const cmp = readReport(join(dir.path, 'cmp', 'report.json'));
    for (const status of Object.values(gatedVerdicts(cmp))) expect(['pass', 'inconclusive', 'improvement']).toContain(status);
    xmllintJenkins(join(dir.path, 'cmp', 'junit.xml'));

    // The baseline file written by the first run works as the first argument too.
    const fromBaseline = await runCli(['compare', baselineFile(), r2, '--out', join(dir.path, 'cmp-b')]);
    expect(fromBaseline.code, fromBaseline.stderr).toBe(0);
    expect(Object.values(gatedVerdicts(readReport(join(dir.path, 'cmp-b', 'report.json'))))).not.toContain('no-baseline');

    // A clear regression: ten repetitions each, the wall time doubled.
    const base = JSON.parse(readFileSync(r1, 'utf8')) as Report;
    const slow = JSON.parse(readFileSync(r2, 'utf8')) as Report;
    const setWall = (report: Report, ms: number) => {
      const m = report.scenarios[0]!.metrics.find((x) => x.name === 'workload.wall_time')!;
      m.samples = Array.from({ length: 10 }, (_, i) => (ms + i * 0.01) * 1e6);
    };
    setWall(base, 10);
    setWall(slow, 20);
    const baseFile = join(dir.path, 'base10.json');
    const slowFile = join(dir.path, 'slow10.json');
    await writeFile(baseFile, JSON.stringify(base));
    await writeFile(slowFile, JSON.stringify(slow));
    const reg = await runCli(['compare', baseFile, slowFile, '--out', join(dir.path, 'cmp-reg')]);
    expect(reg.code, reg.stderr).toBe(1);
    const regReport = readReport(join(dir.path, 'cmp-reg', 'report.json'));
    expect(regReport.status).toBe('regression');
    expect(gatedVerdicts(regReport)['workload.wall_time']).toBe('regression');
    xmllintJenkins(join(dir.path, 'cmp-reg', 'junit.xml'));
    const failures = execFileSync('xmllint', ['--xpath', 'count(//testcase[@name="workload.wall_time"]/failure)', join(dir.path, 'cmp-reg', 'junit.xml')], { encoding: 'utf8' });
    expect(failures.trim()).toBe('1');

    // The same run with a failed workload: exit 4.
    const failed = JSON.parse(readFileSync(r2, 'utf8')) as Report;
    failed.scenarios[0]!.status = 'error';
    failed.scenarios[0]!.failure = { repetition: 1, kind: 'exit', exitCode: 3, signal: null, message: 'exited with code 3', stderrTail: 'boom' };
    const failedFile = join(dir.path, 'failed.json');
    await writeFile(failedFile, JSON.stringify(failed));
    const err = await runCli(['compare', r1, failedFile, '--out', join(dir.path, 'cmp-err')]);
    expect(err.code, err.stderr).toBe(4);
    readReport(join(dir.path, 'cmp-err', 'report.json'));

    // A corrupt first file: exit 2 naming it, untouched.
    const corrupt = join(dir.path, 'corrupt-report.json');
    await writeFile(corrupt, '{"schemaVersion": 1,');
    const bad = await runCli(['compare', corrupt, r2]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(corrupt);
    expect(hasStackTrace(bad.stderr)).toBe(false);
    expect(readFileSync(corrupt, 'utf8')).toBe('{"schemaVersion": 1,');
  });
});
