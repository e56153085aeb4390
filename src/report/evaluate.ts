import type { BaselineProblem } from '../baselines/check.js';
import type { BaselineMatch } from '../baselines/types.js';
import { doubtsOn, withDoubts } from '../compare/doubt.js';
import { checkLimit, compareRun, gatedMetrics } from '../compare/engine.js';
import type { Comparand } from '../compare/types.js';
import { summarize } from '../metrics/summary.js';
import type { ScenarioRun } from '../run/types.js';
import { collectorProvides } from '../collect/registry.js';
import type { Fingerprint } from '../environment/types.js';
import { VERSION_TEXT } from '../version.js';
import type { Correction, GateMetricSpec } from '../scenario/types.js';
import type { LimitReport, MetricReport, Report, ScenarioReport, Verdict } from './types.js';
import { inputFailure, limitVerdictOf, missingVerdict, problemVerdict, staleVerdict, verdictOf as wordDecision, type Missing } from './verdicts.js';

export type { BaselineMatch } from '../baselines/types.js';

/** A gated metric of an unavailable collector is `unavailable`, not `no-baseline`: by the metric patterns each collector declares. */
function whyMissing(run: ScenarioRun, name: string): Missing {
  for (const c of run.collectors) {
    if (!collectorProvides(c.name, name)) continue;
    if (!c.enabled) return { kind: 'collector-disabled', collector: c.name };
    if (c.availability.state === 'unavailable') return { kind: 'collector-unavailable', collector: c.name, reason: c.availability.reason };
  }
  if (run.failure) {
    const measured = run.metrics.find((m) => m.name === name)?.samples.length ?? 0;
    return measured > 0 ? { kind: 'failed-after', measured, repetitions: run.repetitions } : { kind: 'failed-before' };
  }
  return { kind: 'absent' };
}

/** `problems`: baseline metrics that did not fit what the run measured (the scenario errs as an input problem). */
type RunAndBaseline = { run: ScenarioRun; baseline: BaselineMatch | null; problems?: readonly BaselineProblem[] };

/** The key of a comparand: one family spans scenarios, and metric names repeat across them. */
function keyOf(run: ScenarioRun, metric: string): string {
  return `${run.scenario.name}\u0000${metric}`;
}

/**
 * The gated metrics of a run, with their settings. Names the scenario spelt out exactly are
 * gated even when this run lacks them: a metric that disappeared must be reported, never
 * silently dropped from the gate.
 */
function gatedOf(run: ScenarioRun): Map<string, GateMetricSpec> {
  const names = run.metrics.map((m) => m.name);
  const exact = Object.keys(run.scenario.gate.metrics).filter((k) => !k.includes('*') && !names.includes(k));
  return gatedMetrics(run.scenario.gate, [...names, ...exact]);
}

function comparandsOf({ run, baseline }: RunAndBaseline, gated: Map<string, GateMetricSpec>): Comparand[] {
  if (run.failure) return [];
  const usable = baseline && !baseline.stale ? baseline.baseline : null;
  const out: Comparand[] = [];
  for (const [metric, spec] of gated) {
    const current = run.metrics.find((m) => m.name === metric);
    if (!current) continue;
    out.push({
      name: keyOf(run, metric),
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
  return out;
}

function baselineSummary(samples: number[] | undefined): MetricReport['baseline'] {
  return samples ? { samples, summary: summarize(samples) } : null;
}

/** Every metric of the run, then the gated ones it lacks, each with its verdict when gated. */
function metricReports({ run, baseline, problems }: RunAndBaseline, gated: Map<string, GateMetricSpec>, decided: (metric: string) => Verdict | null): MetricReport[] {
  const metrics: MetricReport[] = run.metrics.map((m) => {
    const base = baseline && !baseline.stale ? baseline.baseline.metrics[m.name] : undefined;
    const spec = gated.get(m.name);
    const problem = problems?.find((p) => p.metric === m.name);
    let verdict: Verdict | null = spec ? (problem ? problemVerdict(problem) : decided(m.name)) : null;
    if (spec && verdict?.status === 'no-baseline' && baseline?.stale) verdict = staleVerdict(m.name);
    if (spec && !verdict && run.failure) verdict = missingVerdict(m.name, whyMissing(run, m.name));
    const report: MetricReport = {
      name: m.name,
      unit: m.unit,
      better: m.better,
      samples: m.samples,
      summary: summarize(m.samples),
      histogram: m.histogram ?? null,
      source: m.source ?? null,
      baseline: baselineSummary(base?.samples),
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
      baseline: baselineSummary(base?.samples),
      gated: true,
      tolerance: spec.tolerance,
      verdict: missingVerdict(name, whyMissing(run, name)),
    });
  }
  return metrics;
}

function limitReports(run: ScenarioRun): LimitReport[] {
  return run.scenario.gate.limits.map((limit) => {
    const m = run.metrics.find((x) => x.name === limit.metric);
    const verdict = m ? limitVerdictOf(checkLimit(limit, m.samples, m.unit)) : missingVerdict(limit.metric, whyMissing(run, limit.metric));
    return { text: limit.text, metric: limit.metric, verdict };
  });
}

function scenarioReport({ run, baseline, problems }: RunAndBaseline, metrics: MetricReport[], limits: LimitReport[]): ScenarioReport {
  const failed = [...metrics.map((m) => m.verdict), ...limits.map((l) => l.verdict)].some(
    (v) => v?.status === 'regression' || v?.status === 'limit-exceeded',
  );
  // Spread in this order so report.json keeps its key order whatever the state.
  const head = { name: run.scenario.name, description: run.scenario.description, file: run.scenario.file };
  const middle = { repetitions: run.repetitions, warmup: run.warmup, isolation: run.isolation, collectors: run.collectors, lost: run.lost };
  const tail = {
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
    ...(run.syscallEvents && { syscallEvents: run.syscallEvents }),
  };
  const failure = run.failure ?? (problems?.length ? inputFailure(run, problems) : null);
  return failure
    ? { ...head, status: 'error', ...middle, failure, ...tail }
    : { ...head, status: failed ? 'regression' : 'pass', ...middle, failure: null, ...tail };
}

/**
 * Compares every scenario run with its baseline and assembles the report's scenarios. All
 * gated metrics of the run form one family for the p-value adjustment, so that a run with
 * many metrics does not raise a false alarm just by having many chances to; scenarios that
 * ask for different corrections get the strictest of them (holm), said in the report's `family`.
 */
export function evaluateRuns(runs: RunAndBaseline[], seed: number): { scenarios: ScenarioReport[]; family: Report['family'] } {
  const corrections = new Set<Correction>(runs.map(({ run }) => run.scenario.gate.correction));
  const correction: Correction = corrections.size === 1 ? [...corrections][0]! : 'holm';
  const gatedPerRun = runs.map(({ run }) => gatedOf(run));
  const comparands = runs.flatMap((r, i) => comparandsOf(r, gatedPerRun[i]!));
  const comparison = compareRun(comparands, { test: 'mann-whitney', correction, seed, machineMismatch: [] });
  const scenarios = runs.map((r, i) => {
    const decided = (metric: string): Verdict | null => {
      const decision = comparison.verdicts.get(keyOf(r.run, metric));
      return decision ? wordDecision(withDoubts(decision, doubtsOn(metric, r.run.doubts ?? []))) : null;
    };
    return scenarioReport(r, metricReports(r, gatedPerRun[i]!, decided), limitReports(r.run));
  });
  return { scenarios, family: comparison.family };
}

/** The run's status: an error (failed workload) outranks a regression. */
export function overallStatus(scenarios: ScenarioReport[]): Report['status'] {
  if (scenarios.some((s) => s.status === 'error')) return 'error';
  if (scenarios.some((s) => s.status === 'regression')) return 'regression';
  return 'pass';
}

/** The report of one run of kdelta. */
export function buildReport(runId: string, startedAt: Date, fp: Fingerprint, scenarios: ScenarioReport[], family: Report['family'], endedAt = new Date()): Report {
  return {
    schemaVersion: 1,
    runId,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    kdeltaVersion: VERSION_TEXT,
    environment: fp,
    status: overallStatus(scenarios),
    family,
    scenarios,
  };
}
