import type { BaselineMatch } from '../baselines/types.js';
import { checkLimit, compareRun, gatedMetrics } from '../compare/engine.js';
import type { Comparand } from '../compare/types.js';
import { summarize } from '../metrics/summary.js';
import type { ScenarioRun } from '../run/runner.js';
import type { Correction } from '../scenario/types.js';
import type { LimitReport, MetricReport, Report, ScenarioReport, Verdict } from './types.js';
import { limitVerdictOf, missingVerdict, staleVerdict, verdictOf as wordDecision, type Missing } from './verdicts.js';

export type { BaselineMatch } from '../baselines/types.js';

/** Metric patterns each collector provides: a gated metric of an unavailable collector is `unavailable`, not `no-baseline`. */
const COLLECTOR_METRICS: Record<'proc' | 'ebpf', RegExp> = {
  ebpf: /^(sched\.ready_delay\.|syscall\.|irq\.hard\..*\.time|softirq\..*\.time)/,
  proc: /^(irq\.|softirq\..*\.count|system\.|sched\.cgroup_pressure|sched\.context_switches)/,
};

function whyMissing(run: ScenarioRun, name: string): Missing {
  for (const c of run.collectors) {
    if (!COLLECTOR_METRICS[c.name].test(name)) continue;
    if (!c.enabled) return { kind: 'collector-disabled', collector: c.name };
    if (c.availability.state === 'unavailable') return { kind: 'collector-unavailable', collector: c.name, reason: c.availability.reason };
  }
  if (run.failure) {
    const measured = run.metrics.find((m) => m.name === name)?.samples.length ?? 0;
    return measured > 0 ? { kind: 'failed-after', measured, repetitions: run.repetitions } : { kind: 'failed-before' };
  }
  return { kind: 'absent' };
}

/**
 * Compares every scenario run with its baseline and assembles the report's scenarios. All
 * gated metrics of the run form one family for the p-value adjustment, so that a run with
 * many metrics does not raise a false alarm just by having many chances to; scenarios that
 * ask for different corrections get the strictest of them (holm), said in the report's `family`.
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
  const verdictOf = (index: number, metric: string): Verdict | undefined => {
    const decision = comparison.verdicts.get(`${runs[index]!.run.scenario.name}\u0000${metric}`);
    return decision && wordDecision(decision);
  };

  const scenarios = runs.map(({ run, baseline }, index): ScenarioReport => {
    const gated = gatedPerRun[index]!;
    const metrics: MetricReport[] = run.metrics.map((m) => {
      const base = baseline && !baseline.stale ? baseline.baseline.metrics[m.name] : undefined;
      const spec = gated.get(m.name);
      let verdict: Verdict | null = spec ? (verdictOf(index, m.name) ?? null) : null;
      if (spec && verdict?.status === 'no-baseline' && baseline?.stale) {
        verdict = staleVerdict(m.name);
      }
      if (spec && !verdict && run.failure) verdict = missingVerdict(m.name, whyMissing(run, m.name));
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
        verdict: missingVerdict(name, whyMissing(run, name)),
      });
    }

    const limits: LimitReport[] = run.scenario.gate.limits.map((limit) => {
      const m = run.metrics.find((x) => x.name === limit.metric);
      const verdict = m ? limitVerdictOf(checkLimit(limit, m.samples, m.unit)) : missingVerdict(limit.metric, whyMissing(run, limit.metric));
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
