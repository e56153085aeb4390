// The runner with a service, in-process with fakes (test/run/fakes.ts): the service comes up
// once before the warm-up in its own cgroup, its points join each counted repetition, and it
// is stopped, before its cgroup is removed, on every way out of the scenario.
import { describe, expect, it } from 'vitest';
import { runScenario, type RunnerOptions } from '../../src/run/runner.js';
import type { PreparedWorkload, ServiceSession, WorkloadFailed } from '../../src/run/types.js';
import { machineFacts } from '../fixtures/machine-facts.js';
import { fakeCgroups, fakeCollector, fakeDeps, fakeProgress, fakeScenario, fakeWorkload, type FakeWorkloadOptions, type Log } from '../run/fakes.js';

const CGROUP2 = '/fake/cgroup2';
const SERVICE_CGROUP = `${CGROUP2}/kdelta-777-run1/svc/service`;

const died = (message: string): WorkloadFailed => ({ state: 'failed', kind: 'exit', exitCode: 3, signal: null, stderrTail: 'bind: address in use', message });

function fakeService(log: Log, o: { failStart?: boolean; dieAfter?: number; abortOnStart?: AbortController } = {}): ServiceSession {
  let rep = 0;
  return {
    async start(ctx) {
      log.push(`service start in ${ctx.cgroup?.path ?? 'none'}`);
      o.abortOnStart?.abort();
      if (o.abortOnStart) return { state: 'failed', kind: 'aborted', exitCode: null, signal: null, stderrTail: '', message: 'service was stopped before it was ready: kdelta was interrupted' };
      return o.failStart ? died('service `srv` exited with code 3 before it was ready') : { state: 'ready' };
    },
    async beforeRepetition() {
      log.push(`service before r${rep}`);
    },
    async afterRepetition() {
      const i = rep++;
      log.push(`service after r${i}`);
      if (i === o.dieAfter) return died('service `srv` exited with code 3 during the repetition');
      return { state: 'ok', metrics: [{ name: 'service.cpu_time', unit: 'ns', better: 'lower', value: 500 + i, zeroWhenAbsent: true }] };
    },
    async stop() {
      log.push('service stop');
    },
  };
}

function setup(service: (log: Log) => ServiceSession, w: FakeWorkloadOptions & { throwAt?: number } = {}, signal = new AbortController().signal) {
  const log: Log = [];
  const cgroups = fakeCgroups(log);
  const base = fakeWorkload(log, w);
  let runs = 0;
  const workload: PreparedWorkload = {
    ...base,
    run: async (ctx) => {
      if (runs++ === w.throwAt) throw new Error('a bug in the driver');
      return base.run(ctx);
    },
    service: service(log),
  };
  const deps = fakeDeps([fakeCollector('proc', log)], workload, cgroups);
  const opts: RunnerOptions = { facts: machineFacts({ cgroup2: CGROUP2, isRoot: true }), runId: 'run1', signal, progress: fakeProgress() };
  return { log, cgroups, deps, opts };
}

/** The service is stopped once, after its last use, before any cgroup is removed, and no cgroup is left. */
function expectCleanedUp(log: Log, live: Set<string>): void {
  expect(log.filter((l) => l === 'service stop')).toHaveLength(1);
  expect(log.indexOf('service stop')).toBeLessThan(log.findIndex((l) => l.startsWith('rmdir')));
  expect(log).toContain(`rmdir ${SERVICE_CGROUP}`);
  expect(live.size).toBe(0);
}

describe('runScenario with a service', () => {
  it('starts the service once, in its own cgroup, before the warm-up and after the collectors', async () => {
    const { log, deps, opts } = setup((l) => fakeService(l));
    await runScenario(fakeScenario('svc'), opts, deps);
    expect(log).toContain(`mkdir ${SERVICE_CGROUP}`);
    expect(log.filter((l) => l.startsWith('service start'))).toEqual([`service start in ${SERVICE_CGROUP}`]);
    expect(log.indexOf('start proc')).toBeLessThan(log.indexOf(`service start in ${SERVICE_CGROUP}`));
    expect(log.indexOf(`service start in ${SERVICE_CGROUP}`)).toBeLessThan(log.findIndex((l) => l.startsWith('run r0')));
  });

  it('wraps each driver run in the service readings and keeps its points for the counted repetitions only', async () => {
    const { log, deps, opts } = setup((l) => fakeService(l));
    const run = await runScenario(fakeScenario('svc'), opts, deps);
    const r1 = log.findIndex((l) => l.startsWith('run r1'));
    expect(log.slice(r1 - 1, r1 + 2)).toEqual(['service before r1', `run r1 in ${CGROUP2}/kdelta-777-run1/svc/r1`, 'service after r1']);
    expect(run.metrics.find((m) => m.name === 'service.cpu_time')?.samples).toEqual([501, 502, 503, 504]);
    expect(run.failure).toBeNull();
    expectCleanedUp(log, (deps.cgroups as ReturnType<typeof fakeCgroups>).live);
  });

  it('fails the scenario in repetition 1 with the exit status and output of a service that dies before it is ready, running no driver', async () => {
    const { log, cgroups, deps, opts } = setup((l) => fakeService(l, { failStart: true }));
    const run = await runScenario(fakeScenario('svc'), opts, deps);
    expect(run.failure).toMatchObject({ repetition: 1, kind: 'exit', exitCode: 3, stderrTail: 'bind: address in use', message: expect.stringContaining('before it was ready') });
    expect(log.some((l) => l.startsWith('run r'))).toBe(false);
    expectCleanedUp(log, cgroups.live);
  });

  it('reports a service that dies during a repetition as the failure, over the driver\'s own outcome', async () => {
    const { log, cgroups, deps, opts } = setup((l) => fakeService(l, { dieAfter: 2 }), { timeoutAt: 2 });
    const run = await runScenario(fakeScenario('svc'), opts, deps);
    expect(run.failure).toMatchObject({ repetition: 3, kind: 'exit', exitCode: 3, message: expect.stringContaining('during the repetition') });
    expect(log.some((l) => l.startsWith('run r3'))).toBe(false);
    expectCleanedUp(log, cgroups.live);
  });

  it('stops the service when the driver fails', async () => {
    const { log, cgroups, deps, opts } = setup((l) => fakeService(l), { timeoutAt: 1 });
    const run = await runScenario(fakeScenario('svc'), opts, deps);
    expect(run.failure).toMatchObject({ repetition: 2, kind: 'timeout' });
    expectCleanedUp(log, cgroups.live);
  });

  it('stops the service when kdelta is interrupted between repetitions', async () => {
    const ac = new AbortController();
    const { log, cgroups, deps, opts } = setup((l) => fakeService(l), { afterRun: (i) => i === 1 && ac.abort() }, ac.signal);
    const run = await runScenario(fakeScenario('svc'), opts, deps);
    expect(run.failure).toMatchObject({ kind: 'aborted' });
    expectCleanedUp(log, cgroups.live);
  });

  it('stops the service when kdelta is interrupted while it starts', async () => {
    const ac = new AbortController();
    const { log, cgroups, deps, opts } = setup((l) => fakeService(l, { abortOnStart: ac }), {}, ac.signal);
    const run = await runScenario(fakeScenario('svc'), opts, deps);
    expect(run.failure).toMatchObject({ repetition: 1, kind: 'aborted' });
    expectCleanedUp(log, cgroups.live);
  });

  it('stops the service when the driver throws (a bug), and lets the error through', async () => {
    const { log, cgroups, deps, opts } = setup((l) => fakeService(l), { throwAt: 2 });
    await expect(runScenario(fakeScenario('svc'), opts, deps)).rejects.toThrow('a bug in the driver');
    expectCleanedUp(log, cgroups.live);
  });

  it('gives the service no cgroup when kdelta may not create cgroups', async () => {
    const { log, deps, opts } = setup((l) => fakeService(l));
    const run = await runScenario(fakeScenario('svc'), { ...opts, facts: machineFacts({ cgroup2: CGROUP2, isRoot: false }) }, deps);
    expect(log).toContain('service start in none');
    expect(log.filter((l) => l === 'service stop')).toHaveLength(1);
    expect(run.failure).toBeNull();
  });
});
