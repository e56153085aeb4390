import { performance } from 'node:perf_hooks';
import type { MachineFacts } from '../../environment/types.js';
import type { CollectorSession, RepetitionCapture, RepetitionRef, TaskSet } from '../types.js';
import { procDegradations } from './availability.js';
import { procCapture } from './metrics.js';
import { readCgroupTasks, readSystemSample, type SystemSample } from './snapshot.js';
import { TaskTracker } from './tasks.js';
import { extrasMetrics, readExtras, type ExtrasSnapshot, type ProcParts } from './extras.js';
import { readTopology } from '../../kernel/topology.js';
import { readCgroupMemory, type CgroupMemoryCounters, type MemoryController } from '../../kernel/cgroup-memory.js';
import { cgroupMemoryMetrics, memoryControllerFor } from './cgroup-memory.js';
import { startExitListener, type ExitListener } from '../../kernel/taskstats.js';
import { observeExits } from './exits.js';

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
  /** The cgroup's memory counters before the repetition; null when the part is off or the controller is. */
  memory: CgroupMemoryCounters | null;
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
  /** The memory controller for the repetition cgroups, when `collect.proc.memory` is on. */
  memoryController: MemoryController | null;
  /** Task exit notifications, where the fallback measures ready delay and they can be had. */
  exits: ExitListener | null;
  /** Why there are none, said in each repetition's notes. */
  exitsError: string | null;
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
    memory: null,
  };
  s.current = st;
  // Read before the first sample so the counted window holds nothing of kdelta's own start-up reads.
  if (s.parts.net || s.parts.memory) st.extras = await readExtras(s.parts, s.roots);
  if (s.memoryController?.state === 'on' && rep.cgroup) st.memory = await readCgroupMemory(rep.cgroup.path);
  // Exits before the repetition are not its own.
  if (s.exits && st.tracker) await s.exits.drain();
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

/** The repetition's exits into the tracker, after the last sample, so each exit is a thread's final reading. */
async function takeExits(exits: ExitListener, tracker: TaskTracker, rootPid: number | null): Promise<string[]> {
  const { exits: all, lost } = await exits.drain();
  const own = observeExits(tracker, all, rootPid);
  const notes = [`the polled schedstat and status figures include the final counters of ${own} workload tasks from their taskstats exit notifications`];
  if (lost > 0) notes.push(`taskstats exit notifications overflowed ${lost} times: some short-lived tasks are missing`);
  return notes;
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
  const exitNotes = s.exits && st.tracker ? await takeExits(s.exits, st.tracker, tasks.pid) : [];
  const extrasAfter = st.extras ? await readExtras(s.parts, s.roots) : null;
  const memoryAfter = st.memory && rep.cgroup ? await readCgroupMemory(rep.cgroup.path) : null;
  s.current = null;
  const capture = procCapture({
    samples: st.samples,
    polled: st.tracker ? st.tracker.totals() : null,
    reported: tasks.threads,
    cpuNode: s.cpuNode,
    nodes: s.nodes,
    skippedTicks: st.skippedTicks,
    readyDelay: s.options.readyDelay ?? true,
    withExits: exitNotes.length > 0,
  });
  if (st.extras && extrasAfter) {
    capture.metrics.push(...extrasMetrics(st.extras, extrasAfter));
    capture.notes.push('net.softnet.*, net.snmp.*, net.dev.* and mem.vmstat.* are machine-wide counts, not the workload\'s alone');
  }
  capture.notes.push(...exitNotes);
  if (s.exitsError !== null && st.tracker) capture.notes.push(`no task exit notifications (${s.exitsError}): tasks that lived less than one poll interval are missing from the polled figures`);
  if (st.memory && memoryAfter) capture.metrics.push(...cgroupMemoryMetrics(st.memory, memoryAfter));
  if (s.memoryController?.state === 'off') capture.notes.push(`mem.cgroup.* missing: ${s.memoryController.reason} (fix: ${s.memoryController.fix})`);
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
    memoryController: null,
    exits: null,
    exitsError: null,
  };
  return {
    name: 'proc',
    async start(reps): Promise<void> {
      if (s.parts.memory) s.memoryController = await memoryControllerFor(reps, facts.cgroup2, s.roots.proc);
      if ((options.readyDelay ?? true) && !options.roots && reps.some((r) => r.cgroup)) {
        const l = facts.isRoot ? await startExitListener() : { error: 'not root' };
        if ('error' in l) s.exitsError = l.error;
        else s.exits = l;
      }
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
      await s.exits?.stop();
      s.exits = null;
    },
  };
}
