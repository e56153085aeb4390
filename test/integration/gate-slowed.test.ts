import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The gate end to end through the CLI: a baseline of a fast workload, then the same scenario
// (same file, same workload definition, so the baseline is not stale) doing twice the work.
// The work comes from a file next to the scenario that the workload reads at run time, as a
// slower build of the code under test would: the scenario does not change, the code does.

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'kdelta.js');
const LOAD = join(ROOT, 'helpers', 'bin', 'kdelta-load');
const FAST = 1_500_000;
const SLOW = 4 * FAST;

let scratch = '';
let scenarioFile = '';
let baselines = '';

// 6 vs 6 with one gated metric: the smallest two-sided p is 2 / C(12, 6) = 0.0022, below
// alpha 0.05 with room to spare. The slowed run is about +300%, and a 50% tolerance keeps
// the A/A run clear of drift: a getppid costs 2-3 times more while any other bpftrace on the
// machine has the syscall tracepoints attached, and on a shared machine that comes and goes. The collectors are off: the gate is what is tested,
// and bpftrace's start-up would triple the test's time.
const SCENARIO = `name: gate-probe
description: getppid loop whose length is read from the file "count" next to this scenario
workload:
  command: [sh, -c, 'exec "$0" syscall-loop --count "$(cat count)"', ${JSON.stringify(LOAD)}]
  cwd: .
  timeout: 30s
repetitions: 6
warmup: 1
collect:
  proc: false
  ebpf: false
gate:
  alpha: 0.05
  metrics:
    workload.wall_time: { tolerance: 50% }
`;

interface CliResult {
  code: number | null;
  stderr: string;
}

function kdelta(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  if (r.error) throw r.error;
  return { code: r.status, stderr: r.stderr };
}

interface ReportMetric {
  name: string;
  gated: boolean;
  verdict: { status: string; message: string } | null;
}
interface Report {
  status: string;
  scenarios: { name: string; baseline: { stale: boolean } | null; metrics: ReportMetric[] }[];
}

async function wallTimeVerdict(out: string): Promise<{ report: Report; status: string | undefined; message: string | undefined }> {
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
  const metric = report.scenarios.find((s) => s.name === 'gate-probe')?.metrics.find((m) => m.name === 'workload.wall_time');
  return { report, status: metric?.verdict?.status, message: metric?.verdict?.message };
}

function runAgainstBaseline(out: string): CliResult {
  return kdelta(['run', scenarioFile, '--baselines', baselines, '--machine', 'test', '--out', out]);
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
    throw new Error(`${join(ROOT, 'dist', 'cli.js')} is missing: run \`npm run build\` before this test (it spawns bin/kdelta.js)`);
  }
  if (!existsSync(LOAD)) throw new Error(`${LOAD} is missing: run \`npm run build\` (it builds the C helpers)`);
  scratch = await mkdtemp(join(tmpdir(), 'kdelta-gate-'));
  scenarioFile = join(scratch, 'gate-probe.yaml');
  baselines = join(scratch, 'baselines');
  await writeFile(scenarioFile, SCENARIO);
  await writeFile(join(scratch, 'count'), `${FAST}\n`);
  const update = kdelta(['baseline', 'update', scenarioFile, '--baselines', baselines, '--machine', 'test', '--reason', 'gate-slowed test']);
  if (update.code !== 0) throw new Error(`baseline update exited ${update.code}:\n${update.stderr}`);
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the gate through the CLI', () => {
  it('passes the unchanged workload against its own baseline (A/A)', async () => {
    await writeFile(join(scratch, 'count'), `${FAST}\n`);
    const out = join(scratch, 'out-aa');
    const r = runAgainstBaseline(out);
    const { report, status, message } = await wallTimeVerdict(out);
    expect(report.scenarios[0]?.baseline?.stale).toBe(false);
    expect(status, message).not.toBe('regression');
    expect(['pass', 'inconclusive', 'improvement']).toContain(status);
    expect(r.code, r.stderr).toBe(0);
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    expect(junit).not.toContain('<failure');
  });

  it('reports the slowed workload as a regression: exit 1, verdict, JUnit failure', async () => {
    await writeFile(join(scratch, 'count'), `${SLOW}\n`);
    const out = join(scratch, 'out-slow');
    const r = runAgainstBaseline(out);
    const { report, status, message } = await wallTimeVerdict(out);
    // Same definition, so the comparison really happened (a stale baseline would be no-baseline).
    expect(report.scenarios[0]?.baseline?.stale).toBe(false);
    expect(status, message).toBe('regression');
    expect(report.status).toBe('regression');
    expect(r.code, r.stderr).toBe(1);
    const junit = await readFile(join(out, 'junit.xml'), 'utf8');
    const testcase = /<testcase[^>]*name="workload\.wall_time"[^>]*>([\s\S]*?)<\/testcase>/u.exec(junit);
    expect(testcase, junit).not.toBeNull();
    expect(testcase?.[1]).toMatch(/<failure\b/u);
  });
});
