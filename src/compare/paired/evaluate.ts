import type { Metric } from '../../metrics/types.js';
import type { GateSpec } from '../../scenario/types.js';
import { explainVerdicts, type Explanation } from '../explain.js';
import { gatedMetrics } from '../gate.js';
import type { DecisionStatus } from '../types.js';
import { comparePaired, type PairedComparand, type PairedComparison, type PairedOptions } from './compare.js';

/** The gated metrics of one scenario measured on both sides, keyed `scenario\0metric`. */
export function abComparands(scenario: string, gate: GateSpec, base: readonly Metric[], head: readonly Metric[], rounds?: { min: number; max: number }): PairedComparand[] {
  const names = head.map((m) => m.name).filter((n) => base.some((b) => b.name === n));
  const out: PairedComparand[] = [];
  for (const [metric, spec] of gatedMetrics(gate, names)) {
    const h = head.find((m) => m.name === metric)!;
    const b = base.find((m) => m.name === metric)!;
    const n = Math.min(b.samples.length, h.samples.length);
    if (n === 0) continue;
    out.push({
      name: `${scenario}\u0000${metric}`,
      label: metric,
      unit: h.unit,
      better: h.better,
      base: b.samples.slice(0, n),
      head: h.samples.slice(0, n),
      tolerance: spec.tolerance,
      alpha: spec.alpha,
      ...(rounds && { rounds }),
    });
  }
  return out;
}

/** Whether the rounds loop of one scenario may stop: every gated metric decided (none gated: after rounds.min). */
export function abDecided(scenario: string, gate: GateSpec, base: readonly Metric[], head: readonly Metric[], options: PairedOptions): boolean {
  const comparands = abComparands(scenario, gate, base, head);
  return comparands.length === 0 || comparePaired(comparands, options, false).decided;
}

/** The final look over every gated metric of the run: one Holm family, as for `run`. */
export function abVerdicts(comparands: readonly PairedComparand[], options: PairedOptions): PairedComparison {
  return comparePaired(comparands, options, true);
}

/** The kernel's explanation for one scenario's verdicts, paired by round. */
export function abExplanations(verdicts: ReadonlyArray<{ metric: string; status: DecisionStatus | null }>, base: readonly Metric[], head: readonly Metric[]): Explanation[] {
  const metrics = head.flatMap((h) => {
    const b = base.find((m) => m.name === h.name);
    const n = Math.min(b?.samples.length ?? 0, h.samples.length);
    return b && n > 0 ? [{ name: h.name, unit: h.unit, base: b.samples.slice(0, n), head: h.samples.slice(0, n) }] : [];
  });
  return explainVerdicts(
    verdicts.map((v) => ({ metric: v.metric, status: v.status ?? 'none' })),
    metrics,
    { paired: true },
  );
}
