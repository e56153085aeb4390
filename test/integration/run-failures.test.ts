// Issue 3, "Failure": a workload that exits non-zero, does not exist, or outlives its timeout
// stops its scenario, is recorded in the report, and the run exits 4 after the other
// scenarios; nothing is left running. Through `kdelta run` in this process (main(io)), so
// the kdelta pid the run cgroups and the bpftrace program carry is this worker's pid.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { unfoldReport, type StoredReport } from '../../src/report/compact.js';
import { validateReport } from '../../src/report/schema.js';
import { CHATTY_SCENARIO, bpftraceOf, cgroup2, cgroupOf, hasStackTrace, processesWithArgv, runCgroupsOf, runCli, tempDir, waitFor, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  cgroup2();
  dir = await tempDir('kdelta-run-failures-');
});
afterAll(async () => {
  await dir.remove();
});

const collect = `collect:
  proc: { interval: 100ms }
  ebpf: { ready_delay: true, syscalls: true, irq: true }
`;

function xpathCount(file: string, expr: string): number {
  return Number(execFileSync('xmllint', ['--xpath', `count(${expr})`, file], { encoding: 'utf8' }).trim());
}

/** Nothing of this process's runs may remain: no run cgroup, no bpftrace, no process with the marker argv. */
function expectNothingLeft(marker: string[]): void {
  expect(runCgroupsOf(process.pid), 'run cgroups left under the cgroup2 mount').toEqual([]);
  expect(bpftraceOf(process.pid).map((p) => p.argv.slice(0, 3).join(' ')), 'bpftrace started by this run still running').toEqual([]);
  expect(processesWithArgv(...marker).map((p) => p.pid), `processes with argv ${marker.join(' ')}`).toEqual([]);
}

describe('kdelta run: failing workloads', () => {
  it('exit 3, missing command and timeout: exit 4, each named, reported with its failure, a later scenario still measured, nothing left', async () => {
    const sc = join(dir.path, 'failing');
    await mkdir(sc);
    // File names order the run: the three failures first, then a passing one.
    // `sh -c '...; exit 3'` with a unique marker arg, so no other process matches it.
    await writeScenario(sc, 'a.yaml', `name: exits-three
workload:
  command: [sh, -c, "echo h8-boom-on-stderr >&2; exit 3", h8-exit-marker]
  timeout: 10s
repetitions: 2
warmup: 0
${collect}`);
    await writeScenario(sc, 'b.yaml', `name: not-installed
workload:
  command: [kdelta-h8-no-such-program, --flag]
  timeout: 10s
repetitions: 2
warmup: 0
${collect}`);
    await writeScenario(sc, 'c.yaml', `name: sleeps-too-long
workload:
  command: [sleep, "987"]
  timeout: 700ms
repetitions: 2
warmup: 0
${collect}`);
    await writeScenario(sc, 'd.yaml', `name: passes-after
workload:
  builtin: { name: syscall-loop, count: 2000 }
repetitions: 2
warmup: 0
${collect}gate:
  metrics:
    workload.wall_time: {}
`);
    const out = join(dir.path, 'out');
    const r = await runCli(['run', sc, '--out', out, '--baselines', join(dir.path, 'baselines')]);

    expect(r.code, r.stderr).toBe(4);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // A clear message naming the scenario, in the progress lines and in the summary.
    const line = (name: string) => r.stderr.split('\n').find((l) => l.startsWith(`kdelta: ${name}: failed: `));
    expect(line('exits-three')).toMatch(/exited with code 3/);
    expect(line('not-installed')).toMatch(/command not found: kdelta-h8-no-such-program/);
    expect(line('sleeps-too-long')).toMatch(/timed out after 700 ms/);
    expect(r.stderr).toMatch(/passes-after: 2 repetitions measured/);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const v = validateReport(report);
    expect(v.ok ? [] : v.errors).toEqual([]);
    expect(report.status).toBe('error');
    const byName = new Map(report.scenarios.map((s) => [s.name, s]));
    expect([...byName.keys()]).toEqual(['exits-three', 'not-installed', 'sleeps-too-long', 'passes-after']);

    const exit3 = byName.get('exits-three')!;
    expect(exit3.status).toBe('error');
    expect(exit3.failure).toMatchObject({ repetition: 1, kind: 'exit', exitCode: 3, signal: null });
    expect(exit3.failure?.stderrTail).toContain('h8-boom-on-stderr');

    const missing = byName.get('not-installed')!;
    expect(missing.status).toBe('error');
    expect(missing.failure?.kind).toBe('spawn');
    expect(missing.failure?.message).toContain('command not found: kdelta-h8-no-such-program');
    expect(missing.failure?.stderrTail).toContain('kdelta-h8-no-such-program');

    const timeout = byName.get('sleeps-too-long')!;
    expect(timeout.status).toBe('error');
    expect(timeout.failure).toMatchObject({ repetition: 1, kind: 'timeout', exitCode: null, signal: 'SIGKILL' });

    const passed = byName.get('passes-after')!;
    expect(passed.status).toBe('pass');
    expect(passed.failure).toBeNull();
    const wall = passed.metrics.find((m) => m.name === 'workload.wall_time');
    expect(wall?.samples).toHaveLength(2);
    expect(wall!.samples.every((x) => x > 0)).toBe(true);
    // Both collectors ran for the passing scenario after three failed ones.
    expect(passed.metrics.some((m) => m.name.startsWith('syscall.getppid.'))).toBe(true);
    expect(passed.metrics.some((m) => m.name.startsWith('system.'))).toBe(true);

    // junit.xml: an <error> testcase for each failed scenario, none for the passing one; valid XML.
    const junit = join(out, 'junit.xml');
    execFileSync('xmllint', ['--noout', junit]);
    for (const name of ['exits-three', 'not-installed', 'sleeps-too-long']) {
      expect(xpathCount(junit, `//testsuite[@name="${name}"]/testcase/error`), name).toBe(1);
    }
    expect(xpathCount(junit, '//testsuite[@name="passes-after"]/testcase/error')).toBe(0);
    expect(xpathCount(junit, '//testsuite[@name="exits-three"]/testcase/error[@type="exit"]')).toBe(1);
    expect(xpathCount(junit, '//testsuite[@name="sleeps-too-long"]/testcase/error[@type="timeout"]')).toBe(1);

    expectNothingLeft(['sleep', '987']);
    expectNothingLeft(['kdelta-h8-no-such-program', '--flag']);
    expectNothingLeft(['h8-exit-marker']);
  });

  it('a workload that forks grandchildren (one double-forked, one in its own session): all in the repetition cgroup, all killed on timeout', async () => {
    const sc = join(dir.path, 'forks');
    await mkdir(sc);
    // Four `sleep 985`: a child, a grandchild under a subshell, a double-forked orphan that
    // init adopts, and one started with setsid (its own session and process group).
    await writeScenario(sc, 'forks.yaml', `name: forks-grandchildren
workload:
  command:
    - sh
    - -c
    - "sleep 985 & (sleep 985; true) & (sleep 985 &) ; setsid sleep 985 & wait"
  timeout: 2500ms
repetitions: 2
warmup: 0
collect:
  proc: { interval: 100ms }
  ebpf: false
`);
    const out = join(dir.path, 'forks-out');
    const running = runCli(['run', sc, '--out', out, '--baselines', join(dir.path, 'baselines')]);
    let done = false;
    void running.finally(() => (done = true));

    const seen = await waitFor(() => {
      if (done) throw new Error('the run ended before its four sleeps were seen');
      const procs = processesWithArgv('sleep', '985');
      return procs.length === 4 ? procs : null;
    }, 'the four sleep 985 processes', 10_000, 20);
    const cgroups = seen.map((p) => cgroupOf(p.pid));
    const [run] = runCgroupsOf(process.pid);
    expect(run, 'the run cgroup of this kdelta').toBeDefined();
    for (const cg of cgroups) expect(cg).toBe(`/${run}/forks-grandchildren/r0`);

    const r = await running;
    expect(r.code, r.stderr).toBe(4);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.scenarios[0]?.failure).toMatchObject({ kind: 'timeout', repetition: 1 });
    for (const p of seen) {
      let state = 'gone';
      try {
        const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
        state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      } catch {
        /* gone */
      }
      expect(['gone', 'Z'], `sleep 985 pid ${p.pid} after the timeout`).toContain(state);
    }
    expectNothingLeft(['sleep', '985']);
  });
});

describe('kdelta run: nothing measured is lost silently', () => {
  const run = async (scenario: string, out: string, extra: string[] = []) =>
    runCli(['run', scenario, '--out', join(dir.path, out), '--baselines', join(dir.path, 'doubt-baselines'), ...extra], { cwd: dir.path });
  const verdictOf = (out: string, metric: string) => {
    const report = unfoldReport(JSON.parse(readFileSync(join(dir.path, out, 'report.json'), 'utf8')) as StoredReport);
    return report.scenarios[0]?.metrics.find((m) => m.name === metric)?.verdict;
  };

  it('a workload that moves itself out of its cgroup is found, killed, warned of, and makes the verdicts inconclusive', async () => {
    // Against a clean baseline of the same scenario: the flag file turns the escape on.
    const file = await writeScenario(dir.path, 'escapes.yaml', `name: escapes
workload:
  command: [sh, -c, "if [ -e escape.flag ]; then sh -c 'echo $$ > ${cgroup2()}/cgroup.procs; exec sleep 974' & fi; sleep 0.2"]
repetitions: 3
warmup: 0
collect:
  proc: true
  ebpf: false
gate:
  metrics:
    workload.wall_time: { tolerance: 50% }
`);
    const base = await run(file, 'escapes-base', ['--update-baselines']);
    expect(base.code, base.stderr).toBe(0);
    await writeScenario(dir.path, 'escape.flag', '');
    const r = await run(file, 'escapes-out');
    expect(r.stderr).toContain('left its cgroup and were killed');
    expect(processesWithArgv('sleep', '974'), 'the escaped process outlives the run').toEqual([]);
    const v = verdictOf('escapes-out', 'workload.wall_time');
    expect(v?.status).toBe('inconclusive');
    expect(v?.message).toContain('the workload left its cgroup (3 processes outside it, killed; repetitions 1, 2, 3)');
    expectNothingLeft(['sleep', '974']);
  }, 60_000);

  it('stdout cut past the kept head and tail is noted and makes the verdict of a figure read from stdout inconclusive', async () => {
    // 5 MiB of 71-byte lines before the figure: 1 MiB of them (about 14,770 lines) per repetition is not kept.
    const file = await writeScenario(dir.path, 'chatty.yaml', CHATTY_SCENARIO);
    const base = await run(file, 'chatty-base', ['--update-baselines']);
    expect(base.code, base.stderr).toBe(0);
    await writeScenario(dir.path, 'chatty.flag', '');
    const r = await run(file, 'chatty-out');
    expect(r.stderr).toMatch(/stdout was cut \(\d+ bytes, \d+ lines not read\); verdicts on workload\.ops are inconclusive/);
    const v = verdictOf('chatty-out', 'workload.ops');
    expect(v?.status).toBe('inconclusive');
    expect(v?.message).toMatch(/stdout was cut: 31\d{5} bytes \(44\d{3} lines\) between the kept head and tail were not read \(repetitions 1, 2, 3\)/);
    // Without the cut the same figure passes: the doubt, not the value, made it inconclusive.
    expect(verdictOf('chatty-base', 'workload.ops')?.status).toBe('no-baseline');
  }, 60_000);
});
