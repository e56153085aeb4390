import type { TaskSet, RepetitionCapture } from '../types.js';
import type { MetricPoint } from '../../metrics/types.js';
import type { IrqTable } from './irq-table.js';
import { cpuSeriesOf } from './cpu-series.js';
import { diffInterrupts, type InterruptRow } from './interrupts.js';
import { metricSegment } from './names.js';
import type { SystemSample } from './snapshot.js';
import { diffSoftirqs } from './softirqs.js';
import { NS_PER_TICK } from './stat.js';
import type { TaskTotals } from './tasks.js';

/** Rows kept in a repetition's irqstat table; the runner sums repetitions and keeps its own top rows. */
export const IRQ_TABLE_ROWS = 50;

export interface ProcRepetitionInput {
  /** In time order: the snapshot before the repetition, the timed samples, the snapshot after. */
  samples: SystemSample[];
  /** Deltas of the threads the poll saw in the repetition cgroup; null when there was no cgroup to poll. */
  polled: TaskTotals | null;
  /** What the workload reported for its threads just before they exited (exact). */
  reported: TaskSet['threads'];
  /** NUMA node of each CPU (online CPUs at least). */
  cpuNode: Record<number, number>;
  nodes: number[];
  /** Ticks the timer skipped because the previous read had not finished. */
  skippedTicks: number;
  /**
   * true (default): schedstat fills `sched.ready_delay.total`, the fallback where eBPF does
   * not measure it. false: the eBPF capture owns that name, and the same figure is
   * reported as `sched.run_delay.total` to cross-check it.
   */
  readyDelay?: boolean;
  /** The polled figures include every exited task's final counters (taskstats exit notifications). */
  withExits?: boolean;
}

interface HardIrqAcc {
  row: InterruptRow;
  perCpu: Map<number, number>;
  total: number;
}

const count = (name: string, value: number, extra: Partial<MetricPoint> = {}): MetricPoint => ({
  name,
  unit: '1',
  better: 'lower',
  value,
  zeroWhenAbsent: true,
  ...extra,
});

/** Coefficient of variation (population standard deviation over the mean); null when nothing happened. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

/** The name a numbered IRQ is known by in metrics and tables: its handler names, or `irq<N>` for a line with no handler. */
export function irqDisplayName(row: Pick<InterruptRow, 'id' | 'name'>): string {
  return row.name === '' ? `irq${row.id}` : row.name;
}

/** What a repetition's steps add to, in the order the report lists them. */
interface Out {
  metrics: MetricPoint[];
  lost: string[];
  notes: string[];
}

/** Hard and soft IRQ counts summed interval by interval over the samples. */
interface IrqWalk {
  hard: Map<string, HardIrqAcc>;
  arch: Map<string, number>;
  cpuTotals: Map<number, number>;
  softirq: Map<string, number>;
  irqIntervals: number;
  sawSoftirqs: boolean;
}

function addHardIrqInterval(prev: SystemSample, s: SystemSample, walk: IrqWalk, values: Record<string, number>, out: Out): void {
  const { hard, arch, cpuTotals } = walk;
  walk.irqIntervals++;
  const d = diffInterrupts(prev.interrupts!, s.interrupts!);
  const at = `between ${prev.t.toFixed(2)} s and ${s.t.toFixed(2)} s`;
  const { lost, notes } = out;
  for (const key of d.vanished) lost.push(`IRQ ${key} disappeared ${at}: its interrupts after the earlier sample are not counted`);
  for (const where of d.reset) lost.push(`interrupt counter ${where} restarted from 0 ${at} (IRQ freed and allocated again): counts before the restart are lost`);
  for (const cpu of d.cpusWentOffline) lost.push(`CPU ${cpu} went offline ${at}: its interrupts in that interval are not counted`);
  for (const cpu of d.cpusCameOnline) lost.push(`CPU ${cpu} came online ${at}: its interrupts in that interval are not counted (its counters kept older values)`);
  if (d.wrapped.length > 0) notes.push(`32-bit interrupt counters wrapped and were counted through 2^32: ${d.wrapped.join(', ')}`);
  for (const { row, perCpu, total } of d.rows) {
    if (row.kind === 'arch') {
      arch.set(row.id, (arch.get(row.id) ?? 0) + total);
      continue;
    }
    let acc = hard.get(row.key);
    if (!acc) hard.set(row.key, (acc = { row, perCpu: new Map(), total: 0 }));
    acc.total += total;
    perCpu.forEach((n, i) => {
      const cpu = d.cpus[i]!;
      acc.perCpu.set(cpu, (acc.perCpu.get(cpu) ?? 0) + n);
      cpuTotals.set(cpu, (cpuTotals.get(cpu) ?? 0) + n);
      values[`irq.cpu${cpu}.count`] = (values[`irq.cpu${cpu}.count`] ?? 0) + n;
    });
  }
  for (const cpu of d.cpus) if (!cpuTotals.has(cpu)) cpuTotals.set(cpu, 0);
}

/** The series point's counters that are plain differences from the previous sample, and the gauges. */
function addSystemValues(prev: SystemSample | undefined, s: SystemSample, values: Record<string, number>): void {
  if (prev) {
    if (s.stat && prev.stat) values['system.context_switches'] = s.stat.ctxt - prev.stat.ctxt;
    if (s.psi && prev.psi) values['system.psi.cpu_some'] = s.psi.some.totalUs - prev.psi.some.totalUs;
    if (s.cgroupPressure && prev.cgroupPressure) values['sched.cgroup_pressure.some'] = s.cgroupPressure.some.totalUs - prev.cgroupPressure.some.totalUs;
    if (s.taskRunDelayNs !== null && prev.taskRunDelayNs !== null) values['sched.ready_delay.total'] = s.taskRunDelayNs - prev.taskRunDelayNs;
  }
  if (s.stat) {
    values['system.procs_running'] = s.stat.procsRunning;
    values['system.procs_blocked'] = s.stat.procsBlocked;
  }
}

function walkSamples(samples: SystemSample[], out: Out, series: Array<{ t: number; values: Record<string, number> }>): IrqWalk {
  const walk: IrqWalk = { hard: new Map(), arch: new Map(), cpuTotals: new Map(), softirq: new Map(), irqIntervals: 0, sawSoftirqs: false };
  let prevIrq: SystemSample | null = null;
  let prevSoft: SystemSample | null = null;
  samples.forEach((s, index) => {
    const values: Record<string, number> = {};
    if (s.interrupts) {
      if (prevIrq?.interrupts) addHardIrqInterval(prevIrq, s, walk, values, out);
      prevIrq = s;
    }
    if (s.softirqs) {
      if (prevSoft?.softirqs) {
        const d = diffSoftirqs(prevSoft.softirqs, s.softirqs);
        for (const { row, total } of d.rows) {
          const v = row.vector.toLowerCase();
          walk.softirq.set(v, (walk.softirq.get(v) ?? 0) + total);
          values[`softirq.${v}.count`] = total;
        }
      }
      prevSoft = s;
    }
    addSystemValues(samples[index - 1], s, values);
    series.push({ t: s.t, values });
  });
  walk.sawSoftirqs = prevSoft !== null;
  return walk;
}

function irqMetrics(walk: IrqWalk, input: ProcRepetitionInput, { metrics, lost }: Out): void {
  const { cpuTotals, hard, arch } = walk;
  const { cpuNode, nodes } = input;
  const cpus = [...cpuTotals.keys()].sort((a, b) => a - b);
  for (const cpu of cpus) metrics.push(count(`irq.cpu${cpu}.count`, cpuTotals.get(cpu)!));
  const perNode = new Map(nodes.map((n) => [n, 0]));
  const unknownNode: number[] = [];
  for (const cpu of cpus) {
    const node = cpuNode[cpu];
    if (node === undefined) unknownNode.push(cpu);
    else perNode.set(node, (perNode.get(node) ?? 0) + cpuTotals.get(cpu)!);
  }
  if (unknownNode.length > 0) lost.push(`CPUs ${unknownNode.join(', ')} have no known NUMA node: their interrupts are in irq.cpu<N> but in no irq.node<N>`);
  const total = [...perNode.values()].reduce((a, b) => a + b, 0);
  for (const [node, n] of [...perNode].sort((a, b) => a[0] - b[0])) {
    metrics.push(count(`irq.node${node}.count`, n));
    // A share of no interrupts has no value (not 0), so it is left out of the repetition.
    if (total > 0) metrics.push({ name: `irq.node${node}.share`, unit: 'ratio', better: 'lower', value: n / total });
  }
  const cov = coefficientOfVariation(cpus.map((c) => cpuTotals.get(c)!));
  if (cov !== null) metrics.push({ name: 'irq.imbalance', unit: 'ratio', better: 'lower', value: cov });

  // Several lines may carry the same handler name (ACPI:Ged on two lines here); keyed by
  // name they add up, which keeps the metric the same when the kernel numbers them differently.
  const byName = new Map<string, number>();
  for (const acc of hard.values()) {
    const seg = metricSegment(irqDisplayName(acc.row));
    byName.set(seg, (byName.get(seg) ?? 0) + acc.total);
  }
  for (const [seg, n] of [...byName].sort()) if (n > 0) metrics.push(count(`irq.hard.${seg}.count`, n));
  for (const [id, n] of arch) metrics.push(count(`irq.arch.${metricSegment(id)}.count`, n));
}

function statMetrics(samples: SystemSample[], first: SystemSample, last: SystemSample, { metrics, lost }: Out): void {
  if (first.stat && last.stat) {
    metrics.push(count('system.context_switches', last.stat.ctxt - first.stat.ctxt));
    metrics.push(count('system.interrupts', last.stat.intrTotal - first.stat.intrTotal));
    const ticks = (key: 'irq' | 'softirq') => {
      const before = new Map(first.stat!.cpus.map((c) => [c.cpu, c[key]]));
      return last.stat!.cpus.reduce((sum, c) => sum + (before.has(c.cpu) ? c[key] - before.get(c.cpu)! : 0), 0);
    };
    metrics.push(count('system.irq_time', ticks('irq') * NS_PER_TICK, { unit: 'ns', source: 'proc-stat' }));
    metrics.push(count('system.softirq_time', ticks('softirq') * NS_PER_TICK, { unit: 'ns', source: 'proc-stat' }));
  } else {
    lost.push('/proc/stat could not be read at the start and end: system.context_switches is missing');
  }
  const running = samples.flatMap((s) => (s.stat ? [s.stat.procsRunning] : []));
  const blocked = samples.flatMap((s) => (s.stat ? [s.stat.procsBlocked] : []));
  if (running.length > 0) metrics.push({ name: 'system.procs_running.max', unit: '1', better: 'lower', value: Math.max(...running) });
  if (blocked.length > 0) metrics.push({ name: 'system.procs_blocked.max', unit: '1', better: 'lower', value: Math.max(...blocked) });

  if (first.psi && last.psi) metrics.push(count('system.psi.cpu_some', last.psi.some.totalUs - first.psi.some.totalUs, { unit: 'us' }));
}

function cgroupMetrics(first: SystemSample, last: SystemSample, metrics: MetricPoint[]): void {
  if (first.cgroupPressure && last.cgroupPressure) {
    metrics.push(count('sched.cgroup_pressure.some', last.cgroupPressure.some.totalUs - first.cgroupPressure.some.totalUs, { unit: 'us', source: 'cgroup-psi' }));
  }
  if (first.cgroupCpuStat && last.cgroupCpuStat) {
    const delta = (key: string) => {
      const a = first.cgroupCpuStat![key];
      const b = last.cgroupCpuStat![key];
      return a === undefined || b === undefined ? null : b - a;
    };
    const usage = delta('usage_usec');
    if (usage !== null) metrics.push(count('sched.cpu_time', usage * 1000, { unit: 'ns', source: 'cgroup' }));
    const throttled = delta('throttled_usec');
    if (throttled !== null) metrics.push(count('sched.throttled_time', throttled * 1000, { unit: 'ns', source: 'cgroup' }));
  }
}

function threadMetrics(input: ProcRepetitionInput, { metrics, lost, notes }: Out): void {
  const polled = input.polled;
  if (polled && polled.withStatus > 0) {
    metrics.push(count('sched.context_switches', polled.voluntary + polled.involuntary, { source: 'proc-status' }));
    metrics.push(count('sched.context_switches.voluntary', polled.voluntary, { source: 'proc-status' }));
    metrics.push(count('sched.context_switches.involuntary', polled.involuntary, { source: 'proc-status' }));
  } else if (polled) {
    lost.push('no thread of the workload was seen by the /proc poll (it ended before the first poll?): sched.context_switches is missing');
  }
  const delayName = input.readyDelay === false ? 'sched.run_delay.total' : 'sched.ready_delay.total';
  if (input.reported.length > 0) {
    const total = input.reported.reduce((a, t) => a + t.runDelayNs, 0);
    metrics.push(count(delayName, total, { unit: 'ns', source: 'schedstat' }));
    notes.push(`${delayName} from schedstat run_delay as reported by the workload's ${input.reported.length} threads just before they exited (exact)`);
  } else if (polled && polled.withSchedstat > 0) {
    metrics.push(count(delayName, polled.runDelayNs, { unit: 'ns', source: 'schedstat' }));
    if (input.withExits) notes.push(`${delayName} from schedstat run_delay of the threads polled in the repetition cgroup and of the workload's tasks at their exit (taskstats)`);
    else notes.push(
      `${delayName} from schedstat run_delay of the threads polled in the repetition cgroup (approximate: ` +
        'what a thread waited after its last poll, and threads that lived less than one poll interval, are not counted)',
    );
  }
  if (polled) {
    notes.push('sched.context_switches from /proc/<tid>/status of the threads polled in the repetition cgroup (approximate in the same way)');
  }
}

/**
 * Turns the samples of one repetition into metrics, a time series and the irqstat table.
 * The series has one point per sample (`t` seconds after the first): counters
 * (`irq.cpu<N>.count`, `softirq.<v>.count`, `system.context_switches`, `system.psi.cpu_some`,
 * `sched.cgroup_pressure.some`, `sched.ready_delay.total`) are increases since the previous
 * sample, `system.procs_running` / `system.procs_blocked` are the values at the sample.
 * Counter deltas are summed interval by interval rather than taken end to end, so a row
 * that vanishes mid-repetition keeps what it counted up to its last sample, and a counter
 * that wraps more than once in a long repetition is still counted right.
 */
export function procCapture(input: ProcRepetitionInput): RepetitionCapture {
  const { samples, cpuNode, nodes } = input;
  const out: Out = { metrics: [], lost: [], notes: [] };
  const { metrics, lost, notes } = out;
  const series: Array<{ t: number; values: Record<string, number> }> = [];
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || samples.length < 2) {
    return { metrics, lost: ['the /proc sampler has fewer than two snapshots of this repetition'], notes, series };
  }
  const walk = walkSamples(samples, out, series);
  if (walk.irqIntervals === 0) lost.push('/proc/interrupts could not be read: irq.* metrics are missing');
  else irqMetrics(walk, input, out);
  if (!walk.sawSoftirqs || walk.softirq.size === 0) lost.push('/proc/softirqs could not be read: softirq.* metrics are missing');
  for (const [v, n] of walk.softirq) metrics.push(count(`softirq.${metricSegment(v)}.count`, n));
  statMetrics(samples, first, last, out);
  cgroupMetrics(first, last, metrics);
  threadMetrics(input, out);

  if (input.skippedTicks > 0) notes.push(`the /proc sampler skipped ${input.skippedTicks} ticks because a read took longer than the interval`);
  notes.push('irq.cpu<N>, irq.node<N>, irq.imbalance and irq.hard.* count numbered (device) IRQs only; architecture rows (LOC, RES, CAL, TLB, IPIn, ...) are irq.arch.<ROW>.count');
  notes.push('irq.hard.<name>: handler names with every character other than letters, digits, _ - . replaced by _; lines with the same name are summed');

  const cpuSeries = cpuSeriesOf(samples, cpuNode);
  return { metrics, lost, notes, series, tables: { irq: irqTableOf(walk.hard, walk.cpuTotals, cpuNode, nodes), ...(cpuSeries && { cpuSeries }) } };
}


function irqTableOf(hard: Map<string, HardIrqAcc>, cpuTotals: Map<number, number>, cpuNode: Record<number, number>, nodes: number[]): IrqTable {
  const nodeIndex = new Map(nodes.map((n, i) => [n, i]));
  const rows = [...hard.values()]
    .filter((a) => a.total > 0)
    .map((a) => {
      const perNode = nodes.map(() => 0);
      for (const [cpu, n] of a.perCpu) {
        const i = nodeIndex.get(cpuNode[cpu] ?? -1);
        if (i !== undefined) perNode[i]! += n;
      }
      return { irq: a.row.id, name: irqDisplayName(a.row), total: a.total, perNode };
    })
    .sort((a, b) => b.total - a.total || Number(a.irq) - Number(b.irq))
    .slice(0, IRQ_TABLE_ROWS);
  const perCpu = [...cpuTotals]
    .sort((a, b) => a[0] - b[0])
    .map(([cpu, total]) => ({ cpu, node: cpuNode[cpu] ?? -1, total }));
  return { nodes, rows, perCpu };
}
