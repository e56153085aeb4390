// Issue 3, "Repetition isolation": without root kdelta cannot create cgroups; it falls back to
// the process id, says so in the report, and eBPF is unavailable with the reason. A timeout
// then kills the workload's process group. Run as nobody through setpriv (util-linux).
import { chmod, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { validateReport } from '../../src/report/schema.js';
import { plainEnv, processesWithArgv, requireBuild, spawnKdelta, tempDir, waitFor, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  requireBuild();
  dir = await tempDir('kdelta-run-nonroot-');
  await chmod(dir.path, 0o777);
});
afterAll(async () => {
  await dir.remove();
});

/**
 * kdelta as user nobody. It keeps only CAP_DAC_READ_SEARCH (ambient, so it survives exec), to
 * read the repository wherever it was cloned (a checkout under /root is closed to nobody);
 * it can still not write a cgroup, nor load BPF.
 */
const setpriv = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all,+dac_read_search', '--ambient-caps=-all,+dac_read_search'];
const asNobody = (args: string[]) => spawnKdelta(args, { env: plainEnv({ HOME: dir.path }), wrapper: setpriv });

describe('kdelta run without root', () => {
  it('isolates by process id and says so; eBPF unavailable with the reason; /proc metrics measured', async () => {
    const sc = join(dir.path, 'ok');
    await mkdir(sc);
    await chmod(sc, 0o777);
    const file = await writeScenario(
      sc,
      'nonroot.yaml',
      `name: as-nobody
workload:
  builtin: { name: cpu-contention, threads: 1, duration: 200ms }
repetitions: 2
warmup: 0
collect:
  proc: { interval: 50ms }
  ebpf: { ready_delay: true, syscalls: true, irq: true }
`,
    );
    const out = join(sc, 'out');
    const k = asNobody(['run', file, '--out', out, '--baselines', join(sc, 'b')]);
    const exit = await k.exited;
    expect(exit.code, k.rawStderr()).toBe(0);
    expect(k.rawStderr()).toContain('as-nobody: not root: cannot create cgroups');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const v = validateReport(report);
    expect(v.ok ? [] : v.errors).toEqual([]);
    const s = report.scenarios[0]!;
    expect(s.isolation.kind).toBe('pid');
    expect(s.isolation.kind === 'pid' && s.isolation.reason).toMatch(/^not root: cannot create cgroups/);
    expect(s.collectors.find((c) => c.name === 'ebpf')?.availability).toMatchObject({ state: 'unavailable', reason: 'not root and no CAP_BPF + CAP_PERFMON' });
    for (const n of ['workload.wall_time', 'system.context_switches', 'sched.ready_delay.total']) {
      expect(s.metrics.find((m) => m.name === n)?.samples, n).toHaveLength(2);
    }
  });

  it('a timeout kills the workload\'s whole process group: exit 4, no process left', async () => {
    const sc = join(dir.path, 'timeout');
    await mkdir(sc);
    await chmod(sc, 0o777);
    const file = await writeScenario(
      sc,
      'slow.yaml',
      `name: nobody-too-slow
workload:
  command: [sh, -c, "sleep 981 & sleep 981 & wait"]
  timeout: 700ms
repetitions: 2
warmup: 0
collect: { proc: false, ebpf: false }
`,
    );
    const out = join(sc, 'out');
    const k = asNobody(['run', file, '--out', out, '--baselines', join(sc, 'b')]);
    await waitFor(() => processesWithArgv('sleep', '981').length === 2, 'both sleep 981 running', 10_000);
    const exit = await k.exited;
    expect(exit.code, k.rawStderr()).toBe(4);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.scenarios[0]?.failure).toMatchObject({ kind: 'timeout', repetition: 1 });
    expect(report.scenarios[0]?.isolation.kind).toBe('pid');
    expect(processesWithArgv('sleep', '981')).toEqual([]);
  });
});
