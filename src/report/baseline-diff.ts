import type { Baseline } from '../baselines/types.js';
import { compareRun, gatedMetrics } from '../compare/engine.js';
import { median } from '../compare/stats/effect.js';
import type { Comparand } from '../compare/types.js';
import { fingerprintMismatch } from '../environment/fingerprint.js';
import type { GateSpec } from '../scenario/types.js';
import { formatValue } from './format.js';
import type { VerdictStatus } from './types.js';
import { verdictOf } from './verdicts.js';

/*
 * What `kdelta baseline update` prints before it replaces a baseline: the old and the new
 * samples compared as a gate would compare a run, so a reviewer sees what they accept.
 */

export interface DescribeOptions {
  /** The scenario's gate: decides which metrics are listed in full and with which tolerance. */
  gate?: GateSpec;
  seed?: number;
  /** Ungated metrics that changed significantly are listed up to this many. */
  maxOther?: number;
}

const DEFAULT_GATE: GateSpec = {
  alpha: 0.05,
  tolerance: 0.05,
  correction: 'holm',
  test: 'mann-whitney',
  metrics: {},
  limits: [],
  requireSameMachine: false,
};

function comparandsOf(old: Baseline, next: Baseline, names: string[], spec: (name: string) => { tolerance: number; alpha: number }): Comparand[] {
  return names.map((name) => {
    const n = next.metrics[name]!;
    return { name, unit: n.unit, better: n.better, baseline: old.metrics[name]!.samples, current: n.samples, ...spec(name) };
  });
}

function line(status: VerdictStatus, text: string): string {
  return `    ${status.padEnd(12)} ${text}`;
}

/**
 * What accepting `next` in place of `old` means, for a reviewer: per metric the same
 * statistics a gate would apply to a run (new samples vs old ones). Gated metrics are
 * listed in full, as one family; ungated ones form a second family and only those that
 * changed significantly are listed. "regression" here reads: the new baseline is worse,
 * and later runs will be held to it.
 */
export function describeUpdate(old: Baseline | null, next: Baseline, options: DescribeOptions = {}): string {
  const gate = options.gate ?? DEFAULT_GATE;
  const names = Object.keys(next.metrics).sort();
  const reps = Math.max(0, ...names.map((n) => next.metrics[n]!.samples.length));
  const head = `baseline ${next.scenario} on ${next.machine}`;
  if (old === null) {
    return `${head}: new, ${names.length} metrics, ${reps} repetitions (reason: ${next.provenance.reason || 'none given'})\n`;
  }
  const out: string[] = [
    `${head}: update of the baseline recorded ${old.provenance.time} (${old.provenance.reason || 'no reason given'}), reason: ${next.provenance.reason || 'none given'}`,
  ];
  if (old.workloadHash !== next.workloadHash) out.push(`  workload definition changed (${old.workloadHash.slice(0, 12)} -> ${next.workloadHash.slice(0, 12)})`);
  const env = fingerprintMismatch(old.environment, next.environment);
  if (env.length > 0) out.push(`  environment: ${env.join(', ')}`);

  const shared = names.filter((n) => old.metrics[n] !== undefined);
  const added = names.filter((n) => old.metrics[n] === undefined);
  const removed = Object.keys(old.metrics)
    .sort()
    .filter((n) => next.metrics[n] === undefined);
  const gated = gatedMetrics(gate, shared);
  const options0 = { test: gate.test, correction: gate.correction, seed: options.seed ?? 1, machineMismatch: [] };

  const gatedNames = shared.filter((n) => gated.has(n));
  if (gatedNames.length > 0) {
    const run = compareRun(comparandsOf(old, next, gatedNames, (n) => gated.get(n)!), options0);
    out.push(`  gated metrics, new vs old (${run.family.correction}, family of ${run.family.size}):`);
    for (const n of gatedNames) {
      const v = verdictOf(run.verdicts.get(n)!);
      const was = formatValue(median(old.metrics[n]!.samples), old.metrics[n]!.unit, 'message');
      const now = formatValue(median(next.metrics[n]!.samples), next.metrics[n]!.unit, 'message');
      out.push(line(v.status, `${was} -> ${now}  ${v.message}`));
    }
  }
  const otherNames = shared.filter((n) => !gated.has(n));
  if (otherNames.length > 0) {
    const run = compareRun(
      comparandsOf(old, next, otherNames, () => ({ tolerance: gate.tolerance, alpha: gate.alpha })),
      options0,
    );
    const changed = otherNames.filter((n) => {
      const s = run.verdicts.get(n)!.status;
      return s === 'regression' || s === 'improvement';
    });
    out.push(
      `  ungated metrics: ${changed.length} of ${otherNames.length} changed beyond ${Number((gate.tolerance * 100).toFixed(2))}% ` +
        `(alpha ${gate.alpha}, ${run.family.correction} over ${run.family.size})`,
    );
    const max = options.maxOther ?? 20;
    for (const n of changed.slice(0, max)) {
      const v = verdictOf(run.verdicts.get(n)!);
      out.push(line(v.status, v.message));
    }
    if (changed.length > max) out.push(`    ... and ${changed.length - max} more`);
  }
  if (added.length > 0) out.push(`  added: ${added.join(', ')}`);
  if (removed.length > 0) out.push(`  removed: ${removed.join(', ')}`);
  return `${out.join('\n')}\n`;
}
