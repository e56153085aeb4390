import type { Baseline } from '../baselines/types.js';
import { checkLimit, compareRun, gatedMetrics } from '../compare/engine.js';
import type { Comparand, Verdict } from '../compare/types.js';
import { summarize } from '../metrics/summary.js';
import type { Correction } from '../scenario/types.js';
import type { LimitReport, MetricReport, Report, ScenarioReport } from '../report/types.js';
import type { ScenarioRun } from './runner.js';

/** The baseline a scenario run is compared with, as found before the run. */
export interface BaselineMatch {
  path: string;
  baseline: Baseline;
  /** Fingerprint fields that differ from this machine. */
  mismatch: string[];
  /** The workload definition changed since the baseline was recorded. */
  stale: boolean;
}

/** Metric patterns each collector provides: a gated metric of an unavailable collector is `unavailable`, not `no-baseline`. */
const COLLECTOR_METRICS: Record<'proc' | 'ebpf', RegExp> = {
  ebpf: /^(sched\.ready_delay\.|syscall\.|irq\.hard\..*\.time|softirq\..*\.time)/,
  proc: /^(irq\.|softirq\..*\.count|system\.|sched\.cgroup_pressure|sched\.context_switches)/,
};

function whyMissing(run: ScenarioRun, name: string): string {
  for (const c of run.collectors) {
    if (!COLLECTOR_METRICS[c.name].test(name)) continue;
    if (!c.enabled) return `${name}: the ${c.name} collector is disabled in this scenario`;
    if (c.availability.state === 'unavailable') return `${name}: the ${c.name} collector could not run here: ${c.availability.reason}`;
  }
  if (run.failure) {
    const measured = run.metrics.find((m) => m.name === name)?.samples.length ?? 0;
    return measured > 0
      ? `${name}: not compared: the workload failed after ${measured} of ${run.repetitions} repetitions`
      : `${name}: the workload failed before it was measured`;
  }
  return `${name}: this run produced no such metric`;
}

/**
 * Compares every scenario run with its baseline and assembles the report's scenarios. All
 * gated metrics of the run form one family for the p-value adjustment (notes/statistics.md,
 * point 4); scenarios that ask for different corrections get the strictest of them (holm),
 * said in the report's `family`.
 */
export function evaluateRuns(runs: Array<{ run: ScenarioRun; baseline: BaselineMatch | null }>, seed: number): { scenarios: ScenarioReport[]; family: Report['family'] } {
  const corrections = new Set<Correction>(runs.map(({ run }) => run.scenario.gate.correction));
  const correction: Correction = corrections.size === 1 ? [...corrections][0]! : 'holm';

  const comparands: Comparand[] = [];
  const owner = new Map<string, { scenario: number; metric: string }>();
  const gatedPerRun = runs.map(({ run, baseline }, index) => {
    const names = run.metrics.map((m) => m.name);
    // Gated names the scenario spelt out exactly are gated even when this run lacks them: a
    // metric that disappeared must be reported, never silently dropped from the gate.
    const exact = Object.keys(run.scenario.gate.metrics).filter((k) => !k.includes('*') && !names.includes(k));
    const gated = gatedMetrics(run.scenario.gate, [...names, ...exact]);
    const usable = baseline && !baseline.stale ? baseline.baseline : null;
    for (const [metric, spec] of gated) {
      const current = run.metrics.find((m) => m.name === metric);
      if (!current || run.failure) continue;
      const key = `${run.scenario.name}\u0000${metric}`;
      owner.set(key, { scenario: index, metric });
      comparands.push({
        name: key,
        label: metric,
        unit: current.unit,
        better: current.better,
        baseline: usable?.metrics[metric]?.samples ?? null,
        current: current.samples,
        tolerance: spec.tolerance,
        alpha: spec.alpha,
        test: run.scenario.gate.test,
        machineMismatch: baseline?.mismatch ?? [],
      });
    }
    return gated;
  });

  const comparison = compareRun(comparands, {
    test: 'mann-whitney',
    correction,
    seed,
    machineMismatch: [],
    requireSameMachine: false,
  });
  const verdictOf = (index: number, metric: string): Verdict | undefined => comparison.verdicts.get(`${runs[index]!.run.scenario.name}\u0000${metric}`);

  const scenarios = runs.map(({ run, baseline }, index): ScenarioReport => {
    const gated = gatedPerRun[index]!;
    const metrics: MetricReport[] = run.metrics.map((m) => {
      const base = baseline && !baseline.stale ? baseline.baseline.metrics[m.name] : undefined;
      const spec = gated.get(m.name);
      let verdict: Verdict | null = spec ? (verdictOf(index, m.name) ?? null) : null;
      if (spec && verdict?.status === 'no-baseline' && baseline?.stale) {
        verdict = { status: 'no-baseline', message: `${m.name}: the baseline is stale (the workload changed since it was recorded); record a new one with kdelta baseline update` };
      }
      if (spec && !verdict && run.failure) verdict = { status: 'unavailable', message: whyMissing(run, m.name) };
      const report: MetricReport = {
        name: m.name,
        unit: m.unit,
        better: m.better,
        samples: m.samples,
        summary: summarize(m.samples),
        histogram: m.histogram ?? null,
        source: m.source ?? null,
        baseline: base ? { samples: base.samples, summary: summarize(base.samples) } : null,
        gated: spec !== undefined,
        verdict,
      };
      if (spec) report.tolerance = spec.tolerance;
      return report;
    });
    for (const [name, spec] of gated) {
      if (run.metrics.some((m) => m.name === name)) continue;
      const base = baseline?.baseline.metrics[name];
      metrics.push({
        name,
        unit: base?.unit ?? '',
        better: base?.better ?? 'lower',
        samples: [],
        summary: summarize([]),
        histogram: null,
        source: null,
        baseline: base ? { samples: base.samples, summary: summarize(base.samples) } : null,
        gated: true,
        tolerance: spec.tolerance,
        verdict: { status: 'unavailable', message: whyMissing(run, name) },
      });
    }

    const limits: LimitReport[] = run.scenario.gate.limits.map((limit) => {
      const m = run.metrics.find((x) => x.name === limit.metric);
      const verdict = m ? checkLimit(limit, m.samples, m.unit) : { status: 'unavailable' as const, message: whyMissing(run, limit.metric) };
      return { text: limit.text, metric: limit.metric, verdict };
    });

    const failed = [...metrics.map((m) => m.verdict), ...limits.map((l) => l.verdict)].some(
      (v) => v?.status === 'regression' || v?.status === 'limit-exceeded',
    );
    return {
      name: run.scenario.name,
      description: run.scenario.description,
      file: run.scenario.file,
      status: run.failure ? 'error' : failed ? 'regression' : 'pass',
      repetitions: run.repetitions,
      warmup: run.warmup,
      isolation: run.isolation,
      collectors: run.collectors,
      lost: run.lost,
      failure: run.failure,
      baseline: baseline
        ? {
            path: baseline.path,
            machine: baseline.baseline.machine,
            recordedAt: baseline.baseline.provenance.time,
            mismatch: baseline.mismatch,
            stale: baseline.stale,
          }
        : null,
      metrics,
      limits,
      irqTable: run.irqTable,
      ...(run.cpuSeries && { cpuSeries: run.cpuSeries }),
      ...(run.timeline && { timeline: run.timeline }),
    };
  });
  return { scenarios, family: comparison.family };
}

/** The run's status: an error (failed workload) outranks a regression. */
export function overallStatus(scenarios: ScenarioReport[]): Report['status'] {
  if (scenarios.some((s) => s.status === 'error')) return 'error';
  if (scenarios.some((s) => s.status === 'regression')) return 'regression';
  return 'pass';
}
