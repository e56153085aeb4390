// workload.service for real: a server (python3 -m http.server) up once per scenario in its
// own cgroup, loaded by a driver in each repetition; a service that dies, one never ready,
// one not found, and kdelta interrupted; after each, no process of it and no cgroup is left.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { cgroup2, plainEnv, processesWithArgv, requireBuild, runCgroupsOf, runCli, spawnKdelta, tempDir, waitFor, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  requireBuild();
  cgroup2();
  dir = await tempDir('kdelta-service-');
});
afterAll(async () => {
  await dir.remove();
});

async function scenario(name: string, workload: string, repetitions = 2): Promise<string> {
  return writeScenario(dir.path, `${name}.yaml`, `name: ${name}\nworkload:\n${workload}\nrepetitions: ${repetitions}\nwarmup: 1\ncollect:\n  proc: false\n  ebpf: false\n`);
}

async function run(file: string, name: string): Promise<{ code: number; stderr: string; report: Report }> {
  const out = join(dir.path, `${name}-out`);
  const r = await runCli(['run', file, '--out', out, '--baselines', join(dir.path, 'baselines')]);
  return { code: r.code, stderr: r.stderr, report: JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report };
}

function expectNothingLeft(marker: string[]): void {
  expect(processesWithArgv(...marker), `processes ${marker.join(' ')}`).toEqual([]);
  expect(runCgroupsOf(process.pid)).toEqual([]);
}

const FETCH = (port: number) => `python3, -c, "import urllib.request as u; [u.urlopen('http://127.0.0.1:${port}/').read() for _ in range(50)]"`;

describe('kdelta run with a service', () => {
  it('loads a real server from each repetition and reports its cgroup\'s CPU time and context switches as service.*', async () => {
    const file = await scenario('http-served', `  service:\n    command: [python3, -m, http.server, --bind, 127.0.0.1, "18471"]\n    ready: { tcp: "127.0.0.1:18471" }\n  command: [${FETCH(18471)}]`);
    const { code, stderr, report } = await run(file, 'http-served');
    expect(code, stderr).toBe(0);
    const metrics = report.scenarios[0]?.metrics ?? [];
    const named = (n: string) => metrics.find((m) => m.name === n);
    expect(named('service.cpu_time')?.samples).toHaveLength(2);
    expect(Math.min(...(named('service.cpu_time')?.samples ?? [0]))).toBeGreaterThan(0);
    expect(Math.min(...(named('service.context_switches')?.samples ?? [0]))).toBeGreaterThan(0);
    expectNothingLeft(['http.server', '--bind', '127.0.0.1', '18471']);
  });

  it('becomes ready on a line of its output', async () => {
    const file = await scenario('line-ready', `  service:\n    command: [sh, -c, "echo warming; sleep 0.3; echo 'ready now'; exec sleep 977"]\n    ready: { stdout: "^ready now$" }\n  command: ["true"]`);
    const { code, stderr } = await run(file, 'line-ready');
    expect(code, stderr).toBe(0);
    expectNothingLeft(['sleep', '977']);
  });

  it('fails with exit 4, the exit status and the last output of a service that dies during a repetition', async () => {
    const file = await scenario(
      'service-dies',
      `  service:\n    command: [sh, -c, "python3 -m http.server --bind 127.0.0.1 18472 2>/dev/null & sleep 1.5; echo 'going away' >&2; exit 3"]\n    ready: { tcp: "127.0.0.1:18472" }\n  command: [sleep, "1"]`,
      4,
    );
    const { code, report } = await run(file, 'service-dies');
    expect(code).toBe(4);
    expect(report.scenarios[0]?.failure).toMatchObject({ kind: 'exit', exitCode: 3, message: expect.stringContaining('exited with code 3 during the repetition') });
    expect(report.scenarios[0]?.failure?.stderrTail).toContain('going away');
    expectNothingLeft(['http.server', '--bind', '127.0.0.1', '18472']);
  });

  it('fails with exit 4 when the service is not ready within its timeout, and stops it', async () => {
    const file = await scenario('never-ready', `  service:\n    command: [sleep, "976"]\n    ready: { tcp: "127.0.0.1:18473" }\n    timeout: 1s\n  command: ["true"]`);
    const { code, report } = await run(file, 'never-ready');
    expect(code).toBe(4);
    expect(report.scenarios[0]?.failure).toMatchObject({ repetition: 1, kind: 'timeout', message: expect.stringContaining('not ready after 1000 ms') });
    expectNothingLeft(['sleep', '976']);
  });

  it('fails with exit 4 naming a service command that does not exist', async () => {
    const file = await scenario('not-found', `  service:\n    command: [kdelta-no-such-server]\n    ready: { delay: 2s }\n  command: ["true"]`);
    const { code, report } = await run(file, 'not-found');
    expect(code).toBe(4);
    expect(report.scenarios[0]?.failure).toMatchObject({ kind: 'spawn', message: 'service command not found: kdelta-no-such-server' });
    expectNothingLeft(['kdelta-no-such-server']);
  });

  it('SIGTERM during a repetition stops the driver and the service, removes their cgroups and exits 143', async () => {
    // argv of their own: run-signals.test.ts, which may run beside this file, has a `sleep 975` service.
    const file = await scenario('interrupted', `  service:\n    command: [sleep, "971"]\n    ready: { delay: 100ms }\n  command: [sleep, "970"]`);
    const k = spawnKdelta(['run', file, '--out', join(dir.path, 'interrupted-out'), '--baselines', join(dir.path, 'baselines')], { env: plainEnv() });
    const pid = k.child.pid!;
    await waitFor(() => processesWithArgv('sleep', '970').length > 0, 'the driver to run');
    expect(processesWithArgv('sleep', '971')).toHaveLength(1);
    k.child.kill('SIGTERM');
    // Bounded, so that a stop that hangs says where (kdelta's stderr) instead of timing the test out.
    const exit = await Promise.race([k.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`kdelta still running 30 s after SIGTERM:\n${k.rawStderr()}`)), 30_000))]);
    expect(exit.code, k.rawStderr()).toBe(143);
    expect(processesWithArgv('sleep', '971')).toEqual([]);
    expect(processesWithArgv('sleep', '970')).toEqual([]);
    expect(runCgroupsOf(pid)).toEqual([]);
  });
});
