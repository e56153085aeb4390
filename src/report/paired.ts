import { baselineFromRun } from '../baselines/update.js';
import { abComparands, abExplanations, abVerdicts } from '../compare/paired/evaluate.js';
import type { PairedComparand, PairedOptions } from '../compare/paired/compare.js';
import { pairedDoubtsOn, withDoubts } from '../compare/doubt.js';
import type { Decision } from '../compare/types.js';
import type { Fingerprint } from '../environment/types.js';
import type { AbScenarioRun } from '../run/ab.js';
import { evaluateRuns } from './evaluate.js';
import { renderExplanation } from './explain.js';
import type { MetricReport, Report, ScenarioReport } from './types.js';
import { verdictOf } from './verdicts.js';

/** The key of a comparand, as report/evaluate.ts keys its own. */
const keyOf = (scenario: string, metric: string): string => `${scenario}\u0000${metric}`;

function withPairedVerdicts(metrics: MetricReport[], scenario: string, decisions: Map<string, Decision>): MetricReport[] {
  return metrics.map((m) => {
    const d = m.gated ? decisions.get(keyOf(scenario, m.name)) : undefined;
    return d ? { ...m, verdict: verdictOf(d) } : m;
  });
}

/** The base side's series and slow-call events, which the report would otherwise drop (the head side's are the scenario's own). */
function baseSideOf(run: AbScenarioRun): Pick<ScenarioReport, 'baseSide'> {
  const { cpuSeries, timeline, syscallEvents } = run.base;
  if (!cpuSeries && !timeline && !syscallEvents) return {};
  return { baseSide: { ...(cpuSeries && { cpuSeries }), ...(timeline && { timeline }), ...(syscallEvents && { syscallEvents }) } };
}

/**
 * The paired decisions with each pair's doubts applied, as a stored run applies its own: a
 * round whose base or head sample is in doubt (a workload that left its cgroup, cut stdout, a
 * full capture map) makes the verdicts on the metrics it touches inconclusive, with the reason.
 */
function withPairDoubts(decisions: ReadonlyMap<string, Decision>, runs: readonly AbScenarioRun[]): Map<string, Decision> {
  const out = new Map(decisions);
  for (const r of runs) {
    const [base, head] = [r.base.doubts ?? [], r.head.doubts ?? []];
    if (base.length === 0 && head.length === 0) continue;
    for (const m of new Set([...r.base.metrics, ...r.head.metrics].map((x) => x.name))) {
      const key = keyOf(r.name, m);
      const d = out.get(key);
      if (d) out.set(key, withDoubts(d, pairedDoubtsOn(m, base, head)));
    }
  }
  return out;
}

/**
 * The report's scenarios of a `kdelta ab` run: each pair as its head side's run with the
 * base side in the baseline's place (so every table, JUnit case and the saved report read as
 * for `kdelta run`), the gated metrics decided by the paired comparison over all pairs (one
 * Holm family), and the kernel's explanation of each regression or improvement.
 */
export function evaluateAbRuns(runs: readonly AbScenarioRun[], options: PairedOptions, env: Fingerprint): { scenarios: ScenarioReport[]; family: Report['family'] } {
  const comparands: PairedComparand[] = runs.filter((r) => !r.head.failure && !r.base.failure).flatMap((r) => abComparands(r.name, r.head.scenario.gate, r.base.metrics, r.head.metrics, r.design));
  const { verdicts, family } = abVerdicts(comparands, options);
  const decisions = withPairDoubts(verdicts, runs);
  const asBaseline = (r: AbScenarioRun) => ({
    path: r.base.scenario.file,
    baseline: baselineFromRun(r.base, { machine: 'base side', environment: env, reason: 'kdelta ab: the base side', commit: null }),
    mismatch: [],
    stale: false,
  });
  // The report's losses are both sides', the base side's named as such.
  const withBaseLosses = (r: AbScenarioRun) => ({ ...r.head, lost: [...r.head.lost, ...r.base.lost.map((l) => ({ ...l, what: `base side: ${l.what}` }))] });
  const evaluated = evaluateRuns(runs.map((r) => ({ run: withBaseLosses(r), baseline: asBaseline(r) })), options.seed).scenarios;
  const scenarios = evaluated.map((s, i): ScenarioReport => {
    const run = runs[i]!;
    const metrics = withPairedVerdicts(s.metrics, s.name, decisions);
    const failed = [...metrics.map((m) => m.verdict), ...s.limits.map((l) => l.verdict)].some((v) => v?.status === 'regression' || v?.status === 'limit-exceeded');
    const gated = metrics.filter((m) => m.gated).map((m) => ({ metric: m.name, status: decisions.get(keyOf(s.name, m.name))?.status ?? null }));
    const explanations = abExplanations(gated, run.base.metrics, run.head.metrics).map((e) => {
      const d = decisions.get(keyOf(s.name, e.metric));
      return { ...e, text: renderExplanation(e, d && 'change' in d ? d.change : NaN) };
    });
    const explained = { ...(explanations.length && { explanations }), ...baseSideOf(run) };
    if (s.status === 'error') return { ...s, metrics, ...explained };
    return { ...s, metrics, status: failed ? 'regression' : 'pass', ...explained };
  });
  return { scenarios, family };
}
