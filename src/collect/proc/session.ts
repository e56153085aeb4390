import { performance } from 'node:perf_hooks';
import type { MachineFacts } from '../../environment/types.js';
import type { CollectorSession, RepetitionCapture, RepetitionRef, TaskSet } from '../types.js';
import { procDegradations } from './availability.js';
import { procCapture } from './metrics.js';
import { readCgroupTasks, readSystemSample, type SystemSample } from './snapshot.js';
import { TaskTracker } from './tasks.js';
import { extrasMetrics, readExtras, type ExtrasSnapshot, type ProcParts } from './extras.js';
import { readTopology } from '../../kernel/topology.js';

export { procAvailability, procDegradations } from './availability.js';

export interface ProcSessionOptions {
  /** Where /proc and /sys are; tests may point them at recorded trees. */
  roots?: { proc: string; sys: string };
  /**
   * Whether schedstat fills `sched.ready_delay.total` (default true). Pass false when the
   * eBPF capture measures ready delay in the same run: the schedstat figure is then
   * `sched.run_delay.total`, the kernel's own count to check the eBPF one against.
   */
  readyDelay?: boolean;
}

interface RepetitionState {
  rep: RepetitionRef;
  t0: number;
  samples: SystemSample[];
  tracker: TaskTracker | null;
  timer: ReturnType<typeof setInterval> | null;
  inFlight: Promise<void> | null;
  skippedTicks: number;
  errors: string[];
  /** The opt-in parts read before the repetition; null when none is on. */
  extras: ExtrasSnapshot | null;
}

/** What the sampler knows for the whole scenario. */
interface Sampler {
  roots: { proc: string; sys: string };
  intervalMs: number;
  facts: MachineFacts;
  options: ProcSessionOptions;
  parts: ProcParts;
  cpuNode: Record<number, number>;
  nodes: number[];
  current: RepetitionState | null;
}

const elapsed = (st: RepetitionState) => (performance.now() - st.t0) / 1000;

async function sample(roots: Sampler['roots'], st: RepetitionState, atStart: boolean): Promise<void> {
  const cgroupPath = st.rep.cgroup?.path ?? null;
  const [sys, tasks] = await Promise.all([
    readSystemSample(roots.proc, cgroupPath, elapsed(st)),
    cgroupPath ? readCgroupTasks(roots.proc, cgroupPath) : Promise.resolve([]),
  ]);
  if (st.tracker) {
    st.tracker.observe(tasks, atStart);
    sys.taskRunDelayNs = st.tracker.totals().runDelayNs;
  }
  st.samples.push(sys);
}

function stopTimer(st: RepetitionState | null): void {
  if (st?.timer) clearInterval(st.timer);
  if (st) st.timer = null;
}

/** Takes the first sample and starts the periodic ones; a tick that finds the last sample still running is skipped and counted. */
async function startRepetition(s: Sampler, rep: RepetitionRef): Promise<void> {
  stopTimer(s.current);
  const st: RepetitionState = {
    rep,
    t0: performance.now(),
    samples: [],
    tracker: rep.cgroup ? new TaskTracker() : null,
    timer: null,
    inFlight: null,
    skippedTicks: 0,
    errors: [],
    extras: null,
  };
  s.current = st;
  // Read before the first sample so the counted window holds nothing of kdelta's own start-up reads.
  if (s.parts.net || s.parts.memory) st.extras = await readExtras(s.parts, s.roots);
  await sample(s.roots, st, true);
  st.timer = setInterval(() => {
    if (st.inFlight) {
      st.skippedTicks++;
      return;
    }
    st.inFlight = sample(s.roots, st, false)
      .catch((err: unknown) => {
        st.errors.push(String(err));
      })
      .finally(() => {
        st.inFlight = null;
      });
  }, s.intervalMs);
  // The sampler must never be what keeps kdelta alive.
  st.timer.unref();
}

/** Takes the last sample and turns the repetition's samples into its metrics. */
async function finishRepetition(s: Sampler, rep: RepetitionRef, tasks: TaskSet): Promise<RepetitionCapture> {
  const st = s.current;
  if (!st || st.rep.index !== rep.index) {
    return { metrics: [], lost: [`the /proc sampler was not started for repetition ${rep.index}`], notes: [], series: [] };
  }
  stopTimer(st);
  if (st.inFlight) await st.inFlight;
  await sample(s.roots, st, false);
  const extrasAfter = st.extras ? await readExtras(s.parts, s.roots) : null;
  s.current = null;
  const capture = procCapture({
    samples: st.samples,
    polled: st.tracker ? st.tracker.totals() : null,
    reported: tasks.threads,
    cpuNode: s.cpuNode,
    nodes: s.nodes,
    skippedTicks: st.skippedTicks,
    readyDelay: s.options.readyDelay ?? true,
  });
  if (st.extras && extrasAfter) {
    capture.metrics.push(...extrasMetrics(st.extras, extrasAfter));
    capture.notes.push('net.softnet.*, net.snmp.*, net.dev.* and mem.vmstat.* are machine-wide counts, not the workload\'s alone');
  }
  for (const e of st.errors) capture.lost.push(`a /proc sample failed: ${e}`);
  for (const d of procDegradations(s.facts)) capture.notes.push(`${d.missing}: without ${d.disables.join(', ')}`);
  if (!rep.cgroup) capture.notes.push('no repetition cgroup: the workload\'s threads were not polled, so sched.context_switches and the polled sched.ready_delay.total are missing');
  return capture;
}

/**
 * The /proc sampler: a snapshot before and after each repetition and one every
 * `intervalMs` in between, reading files only (no subprocesses). Each sample also polls the
 * threads of the repetition's cgroup, since a thread's schedstat and status vanish with it.
 */
export function createProcSession(spec: { intervalMs: number; net?: boolean; memory?: boolean }, facts: MachineFacts, options: ProcSessionOptions = {}): CollectorSession {
  const s: Sampler = {
    roots: options.roots ?? { proc: '/proc', sys: '/sys' },
    intervalMs: Math.max(1, spec.intervalMs),
    facts,
    options,
    parts: { net: spec.net ?? false, memory: spec.memory ?? false },
    cpuNode: { ...facts.cpuNode },
    nodes: facts.numaNodes.length > 0 ? [...facts.numaNodes] : [0],
    current: null,
  };
  return {
    name: 'proc',
    async start(): Promise<void> {
      // Facts name the CPUs online when kdelta started; a CPU brought online later still needs a node.
      const topo = await readTopology(s.roots);
      s.cpuNode = { ...topo.cpuNode, ...facts.cpuNode };
      if (facts.numaNodes.length === 0) s.nodes = topo.nodes;
    },
    beforeRepetition: (rep) => startRepetition(s, rep),
    afterRepetition: (rep, tasks) => finishRepetition(s, rep, tasks),
    async stop(): Promise<void> {
      stopTimer(s.current);
      s.current = null;
    },
  };
}
