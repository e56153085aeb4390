// Fakes for the runner's side effects (run/types.ts): collectors, a workload and cgroups that
// record what the runner did to them, so the repetition loop runs in-process without root.
import { EnvironmentError } from '../../src/errors.js';
import type { Progress } from '../../src/run/progress.js';
import type { CgroupOps, CollectorKind, CollectorName, PreparedWorkload, RepetitionRef, RunnerDeps, WorkloadOutcome } from '../../src/run/types.js';
import type { Scenario } from '../../src/scenario/types.js';

/** Everything the fakes saw, in order: `start ebpf`, `before proc r0`, `run r0`, `stop ebpf`, `mkdir ...`, `rmdir ...`. */
export type Log = string[];

export interface FakeCollectorOptions {
  /** Throw from start (a collector that cannot start here). */
  failStart?: boolean;
  /** Die (throw a KdeltaError) in this phase of the repetition with this 0-based index; only in the given session (0-based, in creation order) when `session` is set. */
  dieAt?: { index: number; phase: 'before' | 'after'; session?: number };
  /** Throw a plain Error (a bug) instead of a KdeltaError when dying. */
  bug?: boolean;
}

/**
 * A collector that reports `<name>.value` = 100 + repetition index and a count `<name>.events`
 * that is 0 when absent (as the eBPF counts are), so zero-filling after a death would show.
 */
export function fakeCollector(name: CollectorName, log: Log, o: FakeCollectorOptions = {}): CollectorKind {
  let sessions = 0;
  const die = (session: number, rep: RepetitionRef, phase: 'before' | 'after'): void => {
    if (o.dieAt?.index !== rep.index || o.dieAt.phase !== phase) return;
    if (o.dieAt.session !== undefined && o.dieAt.session !== session) return;
    log.push(`die ${name} r${rep.index}`);
    if (o.bug) throw new Error(`${name} has a bug`);
    throw new EnvironmentError(`${name} capture: it stopped: Killed`, { fix: `restart ${name}` });
  };
  return {
    name,
    provides: [`${name}.*`],
    availability: () => ({ state: 'ready' }),
    create: () => {
      let stopped = false;
      const session = sessions++;
      return {
        name,
        async start() {
          log.push(`start ${name}`);
          if (o.failStart) throw new EnvironmentError(`${name} capture: could not load the program: refused`, { fix: `fix ${name}` });
        },
        async beforeRepetition(rep) {
          log.push(`before ${name} r${rep.index}`);
          die(session, rep, 'before');
        },
        async afterRepetition(rep) {
          log.push(`after ${name} r${rep.index}`);
          die(session, rep, 'after');
          return {
            metrics: [
              { name: `${name}.value`, unit: 'ns', better: 'lower', value: 100 + rep.index },
              { name: `${name}.events`, unit: '1', better: 'lower', value: 10 + rep.index, zeroWhenAbsent: true },
            ],
            lost: [],
            notes: [`${name} note`],
          };
        },
        async stop() {
          if (!stopped) log.push(`stop ${name}`);
          stopped = true;
        },
      };
    },
  };
}

export interface FakeWorkloadOptions {
  /** The repetition (0-based) whose run times out. */
  timeoutAt?: number;
  /** Called after the run of each repetition (to abort between repetitions, say). */
  afterRun?: (index: number) => void;
}

/** A workload whose wall time is 1000 + repetition index ns. */
export function fakeWorkload(log: Log, o: FakeWorkloadOptions = {}): PreparedWorkload {
  let index = 0;
  return {
    inProcess: false,
    async run(ctx): Promise<WorkloadOutcome> {
      const i = index++;
      log.push(`run r${i}${ctx.cgroup ? ` in ${ctx.cgroup.path}` : ''}`);
      o.afterRun?.(i);
      if (i === o.timeoutAt) {
        return { state: 'failed', kind: 'timeout', exitCode: null, signal: 'SIGKILL', stderrTail: '', message: 'timed out after 700 ms' };
      }
      return { state: 'ok', wallTimeNs: 1000 + i, metrics: [], tasks: { pid: 4242, threads: [] } };
    },
  };
}

/** Cgroups as directories in a map: created ones are listed until removed. */
export function fakeCgroups(log: Log): CgroupOps & { live: Set<string> } {
  const live = new Set<string>();
  let id = 1n;
  return {
    live,
    async create(path) {
      log.push(`mkdir ${path}`);
      live.add(path);
      return { path, id: id++ };
    },
    async remove(path) {
      log.push(`rmdir ${path}`);
      live.delete(path);
    },
  };
}

export function fakeDeps(collectors: CollectorKind[], workload: PreparedWorkload, cgroups: CgroupOps): RunnerDeps {
  return { collectors, prepareWorkload: async () => workload, cgroups, pid: 777 };
}

/** A Progress that keeps its warnings. */
export function fakeProgress(): Progress & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    scenarioStart: () => undefined,
    repetitionDone: () => undefined,
    scenarioEnd: () => undefined,
    info: () => undefined,
    warn: (m) => warnings.push(m),
    close: () => undefined,
  };
}

export function fakeScenario(name: string, changes: Partial<Scenario['collect']> = {}, counts: { repetitions?: number; warmup?: number } = {}): Scenario {
  return {
    name,
    description: '',
    file: `/nonexistent/${name}.yaml`,
    workload: { kind: 'command', argv: ['true'], env: {}, cwd: '/tmp', timeoutMs: 1000, metrics: [] },
    repetitions: counts.repetitions ?? 4,
    warmup: counts.warmup ?? 1,
    collect: { proc: { intervalMs: 100 }, ebpf: { readyDelay: true, syscalls: false, irq: true }, require: [], ...changes },
    gate: { alpha: 0.05, tolerance: 0.05, correction: 'holm', test: 'mann-whitney', metrics: {}, limits: [], requireSameMachine: false },
  };
}
