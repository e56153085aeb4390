// Issue 3, "Must show": a scenario running `stress-ng --cpu 4` (twice the CPUs here) and one
// running the builtin cpu-contention both complete N repetitions through `kdelta run`, with
// workload.wall_time per repetition in report.json, and the eBPF capture sees the
// contention as ready-queue delay.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { validateReport } from '../../src/report/schema.js';
import { runCgroupsOf, runCli, tempDir, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  dir = await tempDir('kdelta-run-workloads-');
});
afterAll(async () => {
  await dir.remove();
});

describe('kdelta run: the two CPU loads of the issue', () => {
  it('stress-ng --cpu 4 and builtin cpu-contention (4 threads) each complete 3 repetitions with a wall time each', async () => {
    const sc = join(dir.path, 'sc');
    await mkdir(sc);
    const collect = `collect:
  proc: { interval: 100ms }
  ebpf: { ready_delay: true, syscalls: false, irq: false }
`;
    await writeScenario(sc, 'stress.yaml', `name: stress-ng-cpu4
workload:
  command: [stress-ng, --cpu, "4", --cpu-ops, "400", --quiet]
  timeout: 30s
repetitions: 3
warmup: 0
${collect}`);
    await writeScenario(sc, 'builtin.yaml', `name: builtin-contention
workload:
  builtin: { name: cpu-contention, threads: 4, duration: 300ms }
repetitions: 3
warmup: 0
${collect}`);
    const out = join(dir.path, 'out');
    const r = await runCli(['run', sc, '--out', out, '--baselines', join(dir.path, 'baselines')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const v = validateReport(report);
    expect(v.ok ? [] : v.errors).toEqual([]);
    expect(report.scenarios.map((s) => s.name).sort()).toEqual(['builtin-contention', 'stress-ng-cpu4']);
    for (const s of report.scenarios) {
      expect(s.status, s.name).toBe('pass');
      expect(s.repetitions).toBe(3);
      expect(s.isolation.kind, s.name).toBe('cgroup');
      const wall = s.metrics.find((m) => m.name === 'workload.wall_time')!;
      expect(wall.unit).toBe('ns');
      expect(wall.samples, s.name).toHaveLength(3);
      expect(wall.samples.every((x) => x > 0)).toBe(true);
      // Four busy tasks on two CPUs wait on the run queue: the eBPF capture (filtered on the
      // repetition cgroup) sees it in every repetition.
      const delay = s.metrics.find((m) => m.name === 'sched.ready_delay.total');
      expect(delay?.samples, `${s.name} sched.ready_delay.total`).toHaveLength(3);
      expect(delay!.samples.every((x) => x > 1e6), `${s.name} ready delay above 1 ms: ${delay!.samples.join(', ')}`).toBe(true);
    }
    // The builtin lasts its duration; 4 threads of 300 ms each.
    const builtinWall = report.scenarios.find((s) => s.name === 'builtin-contention')!.metrics.find((m) => m.name === 'workload.wall_time')!;
    for (const x of builtinWall.samples) expect(x).toBeGreaterThan(290e6);
    expect(runCgroupsOf(process.pid)).toEqual([]);
  });
});
