// The eBPF capture (the libbpf loader, and the bpftrace fallback) killed with SIGKILL in the middle of a two-scenario run (the real kdelta binary,
// the real bpftrace): the repetitions measured before keep their values, the eBPF metrics
// are unavailable from there on with the reason, the workload and /proc sampler go on, the
// reports are written and the second scenario runs with a fresh capture. Exit 3 only when
// the scenario requires eBPF, and then still with the reports.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import type { Report, ScenarioReport } from '../../src/report/types.js';
import { bpftraceOf, cgroup2, plainEnv, processes, requireBuild, runCgroupsOf, spawnKdelta, tempDir, waitFor, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  requireBuild();
  cgroup2();
  dir = await tempDir('kdelta-bpftrace-dies-');
});
afterAll(async () => {
  await dir.remove();
});

const scenario = (name: string, require: string) => `name: ${name}
workload:
  command: [sleep, "0.4"]
repetitions: 4
warmup: 0
collect:
  proc: { interval: 100ms }
  ebpf: { ready_delay: true, syscalls: true, irq: true }
  require: [${require}]
`;

const ebpfSampleCounts = (s: ScenarioReport) => [...new Set(s.metrics.filter((m) => m.name.startsWith('syscall.')).map((m) => m.samples.length))];

type Backend = 'bpftrace' | 'libbpf';

/** The capture process of the kdelta with this pid: its bpftrace, or its kdelta-bpf loader (a direct child). */
function captureOf(backend: Backend, pid: number): number | undefined {
  if (backend === 'bpftrace') return bpftraceOf(pid).find((p) => /bpftrace$/.test(p.argv[0] ?? ''))?.pid;
  return processes().find((p) => /kdelta-bpf$/.test(p.argv[0] ?? '') && parentOf(p.pid) === pid)?.pid;
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

async function killCaptureMidRun(require: string, backend: Backend) {
  const sc = join(dir.path, `scenarios-${backend}-${require || 'optional'}`);
  await mkdir(sc, { recursive: true });
  await writeScenario(sc, 'a.yaml', scenario('first', require));
  await writeScenario(sc, 'b.yaml', scenario('second', require));
  const out = join(dir.path, `out-${backend}-${require || 'optional'}`);
  const k = spawnKdelta(['run', sc, '--out', out, '--baselines', join(dir.path, 'baselines')], { env: plainEnv({ KDELTA_EBPF: backend }) });
  const pid = k.child.pid!;
  await waitFor(() => k.lines.some((l) => l.text.startsWith('kdelta: first: repetition 2/4 done')), 'repetition 2 of the first scenario', 60_000);
  const capture = captureOf(backend, pid);
  if (capture === undefined) throw new Error(`no ${backend} capture of kdelta ${pid} running after repetition 2:\n${k.rawStderr()}`);
  process.kill(capture, 'SIGKILL');
  const exit = await k.exited;
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  const v = validateReport(report);
  expect(v.ok ? [] : v.errors).toEqual([]);
  expect(captureOf(backend, pid)).toBeUndefined();
  expect(runCgroupsOf(pid)).toEqual([]);
  return { exit, report, stderr: k.rawStderr() };
}

describe.each(['libbpf', 'bpftrace'] as const)('the %s capture killed mid-run', (backend) => {
  it('not required: exit 0, the first two repetitions keep their eBPF values, the rest is unavailable with the reason, the second scenario is measured', async () => {
    const { exit, report, stderr } = await killCaptureMidRun('', backend);
    expect(exit.code, stderr).toBe(0);
    const [first, second] = report.scenarios;
    expect(first!.failure).toBeNull();
    expect(first!.metrics.find((m) => m.name === 'workload.wall_time')?.samples).toHaveLength(4);
    expect(first!.metrics.find((m) => m.name === 'system.context_switches')?.samples).toHaveLength(4);
    expect(ebpfSampleCounts(first!)).toEqual([2]);
    const ebpf = first!.collectors.find((c) => c.name === 'ebpf')!;
    expect(ebpf.availability.state).toBe('unavailable');
    expect(ebpf.availability.state === 'unavailable' && ebpf.availability.reason).toMatch(/^eBPF capture.*stopped.*stopped in repetition 3/);
    expect(first!.lost.filter((l) => l.collector === 'ebpf').map((l) => l.repetition)).toEqual([3, 4]);
    expect(stderr).toContain('first: the ebpf collector stopped in repetition 3');
    expect(second!.collectors.find((c) => c.name === 'ebpf')!.availability.state).toBe('ready');
    expect(ebpfSampleCounts(second!)).toEqual([4]);
  });

  it('required: exit 3 naming the scenario, with the reports written and the second scenario measured', async () => {
    const { exit, report, stderr } = await killCaptureMidRun('ebpf', backend);
    expect(exit.code, stderr).toBe(3);
    expect(stderr).toMatch(/first requires the ebpf collector, which stopped during the run: eBPF capture/);
    expect(report.scenarios.map((s) => s.name)).toEqual(['first', 'second']);
    expect(ebpfSampleCounts(report.scenarios[0]!)).toEqual([2]);
    expect(ebpfSampleCounts(report.scenarios[1]!)).toEqual([4]);
  });
});
