import type { Availability } from '../collect/types.js';
import type { IrqTable } from '../collect/proc/irq-table.js';
import type { Tested } from '../compare/types.js';
import type { ProcCpuSeries, SchedTimeline } from '../run/timeline.js';
import type { SlowCallEvents } from '../run/syscall-events.js';
import type { RunFailure } from '../run/types.js';
import type { Fingerprint } from '../environment/types.js';
import type { Better, Histogram, Summary } from '../metrics/types.js';
import type { Correction } from '../scenario/types.js';

/**
 * The outcome for one gated metric or limit, as report.json stores it: the engine's status
 * and numbers (Tested), and the message report/verdicts.ts words for it.
 */
export type Verdict =
  | ({
      status: 'pass' | 'regression' | 'improvement';
      message: string;
      /** Set when the regression was downgraded (baseline from another machine class). */
      warning?: string;
    } & Tested)
  | ({
      status: 'inconclusive';
      /** Repetitions per side that would let the test reach alpha and resolve the tolerance. */
      neededRepetitions: number;
      message: string;
    } & Tested)
  | {
      status: 'limit-exceeded';
      /** The offending value (median, or the worst repetition with `each`). */
      value: number;
      limit: string;
      message: string;
    }
  | { status: 'no-baseline' | 'unavailable'; message: string };

export type VerdictStatus = Verdict['status'];

/** One run of kdelta: what report.json holds (schemas/report.schema.json). */
export interface Report {
  schemaVersion: 1;
  runId: string;
  startedAt: string;
  endedAt: string;
  kdeltaVersion: string;
  environment: Fingerprint;
  /** `error` when a workload failed or a required collector could not run. */
  status: 'pass' | 'regression' | 'error';
  /** The p-values of all gated metrics of the run form one family. */
  family: { size: number; correction: Correction };
  scenarios: ScenarioReport[];
  /** Present when `kdelta ab` measured two sides on this machine. */
  ab?: AbReport;
}

export type ScenarioStatus = 'pass' | 'regression' | 'error';

export interface CollectorReport {
  name: 'proc' | 'ebpf' | 'kernel' | 'events';
  enabled: boolean;
  availability: Availability;
  /** Which source filled which metrics, sampling, fallbacks. */
  notes: string[];
}

export interface MetricReport {
  name: string;
  unit: string;
  better: Better;
  samples: number[];
  summary: Summary;
  histogram: Histogram | null;
  source: string | null;
  baseline: { samples: number[]; summary: Summary } | null;
  gated: boolean;
  /** The relative tolerance the metric was gated with (0.03 = 3%), for messages; absent when not gated. */
  tolerance?: number;
  verdict: Verdict | null;
}

export interface LimitReport {
  text: string;
  metric: string;
  verdict: Verdict;
}

/** How a workload failed, in the repetition it failed in: the runner's record, as the report keeps it. */
export type WorkloadFailure = RunFailure;

/** What every scenario of a report has, whatever its state. */
interface ScenarioFacts {
  name: string;
  description: string;
  file: string;
  repetitions: number;
  warmup: number;
  /** How the workload was told apart from the rest of the machine. */
  isolation: { kind: 'cgroup'; path: string } | { kind: 'pid' | 'none'; reason: string };
  collectors: CollectorReport[];
  /** Per repetition, what was lost: such repetitions are marked, not silently averaged in. */
  lost: Array<{ repetition: number; collector: 'proc' | 'ebpf' | 'kernel' | 'events'; what: string }>;
  baseline: {
    path: string;
    machine: string;
    recordedAt: string;
    /** Fingerprint fields that differ from this machine: `kernelRelease: 6.1 -> 6.18`. */
    mismatch: string[];
    stale: boolean;
  } | null;
  metrics: MetricReport[];
  limits: LimitReport[];
  irqTable: IrqTable | null;
  /** Per counted repetition, the /proc sampler's per-CPU interrupt and softirq counts over time. */
  cpuSeries?: ProcCpuSeries[];
  /** Per counted repetition, where the thread groups ran over time (eBPF). */
  timeline?: SchedTimeline[];
  /** In a `kdelta ab` report, the base side's series and slow-call events (cpuSeries, timeline and syscallEvents here are the head side's). */
  baseSide?: { cpuSeries?: ProcCpuSeries[]; timeline?: SchedTimeline[]; syscallEvents?: SlowCallEvents };
  /** Slow system calls per counted repetition, with stacks (`collect.ebpf.syscalls.events`). */
  syscallEvents?: SlowCallEvents;
  /** The kernel's explanation of each regression or improvement (never gating). */
  explanations?: ExplanationReport[];
}

export interface ExplanationReport {
  metric: string;
  status: 'regression' | 'improvement';
  /** The explanation as one line of plain text (escaped by each writer). */
  text: string;
  considered: number;
  related: Array<{ name: string; unit: string; ratio: number; absolute: number; pValue: number; adjustedP: number }>;
}

export interface AbReport {
  seed: number;
  rounds: { min: number; max: number };
  test: 'signed-rank' | 'bootstrap';
  sides: Record<'base' | 'head', { dir: string; env: Record<string, string> }>;
  scenarios: Array<{ name: string; state: 'paired' | 'new' | 'removed'; rounds: number; order: Array<Array<'base' | 'head'>> }>;
}

/**
 * One scenario of a run, by state: judged (`pass` or `regression`, its workload ran every
 * repetition), or `error`: its workload failed (`failure` says how), or, with `failure`
 * null, a collector it requires could not run here.
 */
export type ScenarioReport =
  | (ScenarioFacts & { status: 'pass' | 'regression'; failure: null })
  | (ScenarioFacts & { status: 'error'; failure: WorkloadFailure | null });
