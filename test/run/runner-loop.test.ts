// The repetition loop driven in-process with fake collectors, workload and cgroups (no root):
// start failures, a collector dying mid-run, a workload timing out, an abort between
// repetitions, a bug, and the cleanup after each.
import { describe, expect, it } from 'vitest';
import { KdeltaError } from '../../src/errors.js';
import { runScenario, type RunnerOptions } from '../../src/run/runner.js';
import type { ScenarioRun } from '../../src/run/types.js';
import { machineFacts } from '../fixtures/machine-facts.js';
import { fakeCgroups, fakeCollector, fakeDeps, fakeProgress, fakeScenario, fakeWorkload, type FakeCollectorOptions, type FakeWorkloadOptions, type Log } from './fakes.js';

const CGROUP2 = '/fake/cgroup2';

function setup(o: { ebpf?: FakeCollectorOptions; proc?: FakeCollectorOptions; workload?: FakeWorkloadOptions; signal?: AbortSignal; isRoot?: boolean } = {}) {
  const log: Log = [];
  const cgroups = fakeCgroups(log);
  const progress = fakeProgress();
  const deps = fakeDeps([fakeCollector('ebpf', log, o.ebpf), fakeCollector('proc', log, o.proc)], fakeWorkload(log, o.workload), cgroups);
  const opts: RunnerOptions = {
    facts: machineFacts({ cgroup2: CGROUP2, isRoot: o.isRoot ?? true }),
    runId: 'run1',
    signal: o.signal ?? new AbortController().signal,
    progress,
  };
  return { log, cgroups, progress, deps, opts };
}

const samples = (run: ScenarioRun, name: string) => run.metrics.find((m) => m.name === name)?.samples;
const availability = (run: ScenarioRun, name: 'proc' | 'ebpf') => run.collectors.find((c) => c.name === name)!.availability;
const stops = (log: Log) => log.filter((l) => l.startsWith('stop '));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

describe('runScenario with fakes', () => {
  it('runs warm-up and counted repetitions with each collector around the workload, stopping in reverse order, and removes every cgroup', async () => {
    const { log, cgroups, deps, opts } = setup();
    const run = await runScenario(fakeScenario('all-good'), opts, deps);
    expect(samples(run, 'workload.wall_time')).toEqual([1001, 1002, 1003, 1004]);
    expect(samples(run, 'ebpf.value')).toEqual([101, 102, 103, 104]);
    expect(samples(run, 'proc.value')).toEqual([101, 102, 103, 104]);
    expect(log.slice(log.indexOf('start ebpf'), log.indexOf('before ebpf r1'))).toEqual([
      'start ebpf',
      'start proc',
      'before ebpf r0',
      'before proc r0',
      `run r0 in ${CGROUP2}/kdelta-777-run1/all-good/r0`,
      'after proc r0',
      'after ebpf r0',
    ]);
    expect(stops(log)).toEqual(['stop proc', 'stop ebpf']);
    expect(log.indexOf('stop ebpf')).toBeLessThan(log.findIndex((l) => l.startsWith('rmdir')));
    expect(cgroups.live.size).toBe(0);
    expect(run.isolation).toEqual({ kind: 'cgroup', path: `${CGROUP2}/kdelta-777-run1/all-good` });
    expect(run.failure).toBeNull();
    expect(run.collectors.map((c) => [c.name, c.availability.state, c.notes])).toEqual([
      ['proc', 'ready', ['proc note']],
      ['ebpf', 'ready', ['ebpf note']],
    ]);
  });

  it('a collector that cannot start and is not required: unavailable with its reason, fix and metrics; the others and the workload run', async () => {
    const { log, cgroups, deps, opts, progress } = setup({ ebpf: { failStart: true } });
    const run = await runScenario(fakeScenario('ebpf-refused'), opts, deps);
    expect(availability(run, 'ebpf')).toEqual({ state: 'unavailable', reason: 'ebpf capture: could not load the program: refused', fix: 'fix ebpf', disables: ['ebpf.*'] });
    expect(samples(run, 'ebpf.value')).toBeUndefined();
    expect(samples(run, 'proc.value')).toHaveLength(4);
    expect(samples(run, 'workload.wall_time')).toHaveLength(4);
    expect(log.filter((l) => l.startsWith('before ebpf'))).toEqual([]);
    expect(stops(log)).toEqual(['stop ebpf', 'stop proc']);
    expect(progress.warnings.join('\n')).toContain('ebpf-refused: the ebpf collector could not start');
    expect(cgroups.live.size).toBe(0);
  });

  it('a required collector that cannot start: exit 3 naming the scenario, nothing run, cgroups removed', async () => {
    const { log, cgroups, deps, opts } = setup({ proc: { failStart: true } });
    const err = await rejection(runScenario(fakeScenario('proc-required', { require: ['proc'] }), opts, deps));
    expect(err).toBeInstanceOf(KdeltaError);
    expect((err as KdeltaError).exitCode).toBe(3);
    expect((err as KdeltaError).message).toBe('proc-required: proc capture: could not load the program: refused');
    expect(log.filter((l) => l.startsWith('run '))).toEqual([]);
    expect(stops(log)).toEqual(['stop proc', 'stop ebpf']);
    expect(cgroups.live.size).toBe(0);
  });

  it('a collector that dies before repetition 3: its metrics keep the values of the repetitions before, not zeros after; the rest goes on', async () => {
    // warm-up r0, counted r1..r4; dying at r3 leaves the counted r1 and r2.
    const { log, cgroups, deps, opts, progress } = setup({ ebpf: { dieAt: { index: 3, phase: 'before' } } });
    const run = await runScenario(fakeScenario('ebpf-dies'), opts, deps);
    expect(samples(run, 'ebpf.value')).toEqual([101, 102]);
    expect(samples(run, 'ebpf.events')).toEqual([11, 12]);
    expect(samples(run, 'proc.value')).toEqual([101, 102, 103, 104]);
    expect(samples(run, 'workload.wall_time')).toEqual([1001, 1002, 1003, 1004]);
    const a = availability(run, 'ebpf');
    expect(a.state).toBe('unavailable');
    expect(a.state === 'unavailable' && a.reason).toBe('ebpf capture: it stopped: Killed (stopped in repetition 4; the repetitions before it keep their values)');
    expect(a.state === 'unavailable' && a.disables).toEqual(['ebpf.*']);
    expect(run.lost.filter((l) => l.collector === 'ebpf').map((l) => [l.repetition, l.what])).toEqual([
      [3, 'not measured: the ebpf collector stopped in repetition 4'],
      [4, 'not measured: the ebpf collector stopped in repetition 4'],
    ]);
    expect(run.failure).toBeNull();
    expect(log.filter((l) => l.startsWith('before ebpf'))).toEqual(['before ebpf r0', 'before ebpf r1', 'before ebpf r2', 'before ebpf r3']);
    expect(stops(log)).toEqual(['stop ebpf', 'stop proc']);
    expect(progress.warnings.join('\n')).toContain('ebpf-dies: the ebpf collector stopped in repetition 4: ebpf capture: it stopped: Killed; its metrics are unavailable from there on');
    expect(cgroups.live.size).toBe(0);
  });

  it('a collector that dies while capturing a repetition loses that repetition too, and is not asked again', async () => {
    const { log, deps, opts } = setup({ proc: { dieAt: { index: 2, phase: 'after' } } });
    const run = await runScenario(fakeScenario('proc-dies'), opts, deps);
    expect(samples(run, 'proc.value')).toEqual([101]);
    expect(samples(run, 'ebpf.value')).toEqual([101, 102, 103, 104]);
    expect(run.lost.filter((l) => l.collector === 'proc').map((l) => l.repetition)).toEqual([2, 3, 4]);
    expect(log.filter((l) => l.startsWith('after proc'))).toEqual(['after proc r0', 'after proc r1', 'after proc r2']);
  });

  it('a required collector that dies still lets the scenario finish; the run says so in the collector status', async () => {
    const { deps, opts, progress } = setup({ ebpf: { dieAt: { index: 1, phase: 'before' } } });
    const run = await runScenario(fakeScenario('ebpf-required-dies', { require: ['ebpf'] }), opts, deps);
    expect(samples(run, 'workload.wall_time')).toHaveLength(4);
    expect(samples(run, 'ebpf.value')).toBeUndefined();
    expect(availability(run, 'ebpf').state).toBe('unavailable');
    expect(progress.warnings.join('\n')).toContain('the scenario requires it, so the run will exit 3');
  });

  it('a workload that times out stops the scenario at that repetition, with the measured ones kept and everything cleaned up', async () => {
    const { log, cgroups, deps, opts } = setup({ workload: { timeoutAt: 2 } });
    const run = await runScenario(fakeScenario('times-out'), opts, deps);
    expect(run.failure).toMatchObject({ repetition: 3, kind: 'timeout', message: 'timed out after 700 ms' });
    expect(samples(run, 'workload.wall_time')).toEqual([1001]);
    expect(log.filter((l) => l.startsWith('run '))).toHaveLength(3);
    // The collectors still close the window around the failed repetition.
    expect(log).toContain('after ebpf r2');
    expect(stops(log)).toEqual(['stop proc', 'stop ebpf']);
    expect(cgroups.live.size).toBe(0);
  });

  it('an abort between repetitions ends the loop before the next one, as an aborted failure, and cleans up', async () => {
    const controller = new AbortController();
    const { log, cgroups, deps, opts } = setup({ workload: { afterRun: (i) => i === 1 && controller.abort() }, signal: controller.signal });
    const run = await runScenario(fakeScenario('aborted'), opts, deps);
    expect(run.failure).toMatchObject({ repetition: 3, kind: 'aborted', message: 'kdelta was interrupted' });
    expect(samples(run, 'workload.wall_time')).toEqual([1001]);
    expect(log.filter((l) => l.startsWith('run '))).toHaveLength(2);
    expect(stops(log)).toEqual(['stop proc', 'stop ebpf']);
    expect(cgroups.live.size).toBe(0);
  });

  it('a bug in a collector mid-run propagates (exit 70 upstream), after the collectors are stopped and the cgroups removed', async () => {
    const { cgroups, deps, opts, log } = setup({ proc: { dieAt: { index: 1, phase: 'before' }, bug: true } });
    const err = await rejection(runScenario(fakeScenario('bug'), opts, deps));
    expect(err).not.toBeInstanceOf(KdeltaError);
    expect((err as Error).message).toBe('proc has a bug');
    expect(stops(log)).toEqual(['stop proc', 'stop ebpf']);
    expect(cgroups.live.size).toBe(0);
  });

  it('without root: no cgroups, isolation by pid with the reason, and a collector that needs cgroups is unavailable', async () => {
    const { log, deps, opts, progress } = setup({ isRoot: false });
    deps.collectors = [{ ...deps.collectors[0]!, withoutCgroups: 'filters on the repetition cgroup, and there is none' }, deps.collectors[1]!];
    const run = await runScenario(fakeScenario('no-root'), opts, deps);
    expect(run.isolation.kind).toBe('pid');
    expect(log.filter((l) => l.startsWith('mkdir'))).toEqual([]);
    expect(availability(run, 'ebpf')).toMatchObject({ state: 'unavailable', reason: 'filters on the repetition cgroup, and there is none' });
    expect(samples(run, 'proc.value')).toHaveLength(4);
    expect(progress.warnings[0]).toMatch(/^no-root: not root: cannot create cgroups/);
  });
});
