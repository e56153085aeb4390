import type { Decision, LimitDecision, MetricDoubt, Subject, Undecided } from '../compare/types.js';
import type { Correction } from '../scenario/types.js';
import { formatChange, formatP, formatValue } from './format.js';
import type { BaselineProblem } from '../baselines/check.js';
import type { ScenarioRun } from '../run/types.js';
import type { Verdict, WorkloadFailure } from './types.js';

/*
 * The words of every verdict. The compare engine decides (a status and numbers); this turns
 * a decision into the verdict report.json stores, with the one-line message every format
 * quotes, so a table row, a JUnit message and the console cannot tell different stories.
 */

const change = (x: number): string => formatChange(x, 'message');
const p = (x: number): string => formatP(x, 'message');

function familyText(correction: Correction, size: number): string {
  return correction === 'none' ? 'uncorrected' : `${correction}, family of ${size}`;
}

/** The tolerance written in the bad direction: `+5%` for lower-is-better, `-5%` for higher-is-better. */
function toleranceText(s: Subject): string {
  const pct = `${Number((s.tolerance * 100).toFixed(2))}%`;
  return s.better === 'lower' ? `+${pct}` : `-${pct}`;
}

function head(d: { change: number; ci: [number, number]; adjustedP: number; subject: Subject }): string {
  const s = d.subject;
  // From a zero median a percentage says nothing; show the two medians instead.
  const what = Number.isFinite(d.change)
    ? `${change(d.change)} [${change(d.ci[0])}, ${change(d.ci[1])}]`
    : `${formatValue(s.baselineMedian, s.unit, 'message')} -> ${formatValue(s.currentMedian, s.unit, 'message')}`;
  if (s.paired) {
    const { rounds, design } = s.paired;
    return `${s.label} ${what} head vs base over ${rounds} rounds, tolerance ${toleranceText(s)}, p=${p(d.adjustedP)} (paired, sequential ${design.min}-${design.max} rounds, holm over ${s.family.size})`;
  }
  return `${s.label} ${what} vs baseline, tolerance ${toleranceText(s)}, p=${p(d.adjustedP)} (${familyText(s.family.correction, s.family.size)})`;
}

function undecidedText(why: Undecided, s: Subject, mde: number): string {
  const { size, correction } = s.family;
  switch (why.kind) {
    case 'too-few': {
      const after = correction === 'holm' && size > 1 ? `, ${p(why.floor)} after holm over ${size}` : '';
      return `${s.n[0]} vs ${s.n[1]} repetitions cannot reach p < ${s.alpha} (smallest possible p ${p(why.smallestP)}${after})`;
    }
    case 'ci-spans':
    case 'not-significant': {
      // The paired interval is the sequential design's, not a plain (1 - alpha) one.
      const interval = s.paired ? 'the sequential interval' : `the ${Number(((1 - s.alpha) * 100).toFixed(1))}% CI`;
      const text = why.kind === 'ci-spans' ? `${interval} spans both 0 and the tolerance` : 'the change is beyond the tolerance but not significant';
      return `${text}, minimum detectable effect ${change(mde).replace('+', '')}`;
    }
    case 'doubtful':
      return why.doubts.map(doubtText).join('; ');
  }
}

function repetitionsText(reps: readonly number[], word: 'repetition' | 'round'): string {
  return `${word}${reps.length === 1 ? '' : 's'} ${reps.join(', ')}`;
}

/** The warning words of one doubt on a metric's samples; an A/B side's name it and count rounds (`head side: ... (round 3)`). */
export function doubtText(d: MetricDoubt): string {
  const at = repetitionsText(d.repetitions, d.side ? 'round' : 'repetition');
  const side = d.side ? `${d.side} side: ` : '';
  switch (d.kind) {
    case 'capture-lost':
      return `${side}capture lost ${d.entries} entries (${at})`;
    case 'left-cgroup':
      return `${side}the workload left its cgroup (${d.processes} ${d.processes === 1 ? 'process' : 'processes'} outside it, killed; ${at}), so what they did was not measured`;
    case 'output-cut':
      return `${side}stdout was cut: ${d.bytes} bytes (${d.lines} lines) between the kept head and tail were not read (${at})`;
  }
}

/** The warning of a regression downgraded to a pass because the baseline comes from another machine class. */
export function mismatchWarning(differences: readonly string[], changed?: number): string {
  const by = changed !== undefined && Number.isFinite(changed) ? `: ${change(changed)}` : '';
  return `would be a regression${by}, but the baseline comes from another machine class (${differences.join(', ')})`;
}

/** A gated metric's decision as report.json stores it, message included. */
export function verdictOf(d: Decision): Verdict {
  switch (d.status) {
    case 'no-baseline':
      return { status: 'no-baseline', message: `${d.label}: no baseline${d.emptyBaseline ? ' samples' : ''} to compare with` };
    case 'unavailable':
      return { status: 'unavailable', message: `${d.label}: no samples in this run` };
    case 'inconclusive': {
      const unit = d.subject.paired ? 'rounds' : 'repetitions per side';
      const needed = d.neededRepetitions >= 1000 ? `more than 1000 ${unit}` : `about ${d.neededRepetitions} ${unit}`;
      const { change: c, ci, pValue, adjustedP, mde, neededRepetitions } = d;
      // Doubtful samples need a clean run, not more repetitions.
      const message = `${head(d)}: inconclusive: ${undecidedText(d.why, d.subject, mde)}; ${d.why.kind === 'doubtful' ? 'run it again' : `${needed} needed`}`;
      return { status: 'inconclusive', change: c, ci, pValue, adjustedP, mde, neededRepetitions, message };
    }
    case 'pass':
    case 'regression':
    case 'improvement': {
      const { status, change: c, ci, pValue, adjustedP, mde } = d;
      if (d.downgraded !== null) {
        const warning = mismatchWarning(d.downgraded, d.change);
        return { status, change: c, ci, pValue, adjustedP, mde, warning, message: `warning: ${head(d)}: ${warning}` };
      }
      const outcome = status !== 'pass' ? status : d.significant ? 'pass (significant, within tolerance)' : d.subject.paired?.equivalent ? 'pass (interval inside the tolerance)' : status;
      return { status, change: c, ci, pValue, adjustedP, mde, message: `${head(d)}: ${outcome}` };
    }
  }
}

/**
 * A limit's decision as report.json stores it. A limit that holds is a `pass` with change 0,
 * ci [0, 0], p-values 1 and mde 0: a limit is not a statistical comparison, and reusing the
 * pass shape keeps the report schema's verdicts one union; the message carries the value.
 */
export function limitVerdictOf(d: LimitDecision): Verdict {
  const { text, metric, each } = d.limit;
  if (d.status === 'unavailable') return { status: 'unavailable', message: `${text}: ${metric} has no samples in this run` };
  const shown = `${formatValue(d.value, d.unit, 'message')} (${each ? `worst repetition of ${d.samples}` : `median of ${d.samples}`})`;
  if (d.status === 'limit-exceeded') return { status: 'limit-exceeded', value: d.value, limit: text, message: `${text} broken: ${metric} ${shown}` };
  return { status: 'pass', change: 0, ci: [0, 0], pValue: 1, adjustedP: 1, mde: 0, message: `${text} holds: ${metric} ${shown}` };
}

/** Why a gated metric has no verdict of the engine's: its scenario's run says. */
export type Missing =
  | { kind: 'collector-disabled'; collector: string }
  | { kind: 'collector-unavailable'; collector: string; reason: string }
  | { kind: 'failed-after'; measured: number; repetitions: number }
  | { kind: 'failed-before' }
  | { kind: 'absent' };

function missingText(why: Missing): string {
  switch (why.kind) {
    case 'collector-disabled':
      return `the ${why.collector} collector is disabled in this scenario`;
    case 'collector-unavailable':
      return `the ${why.collector} collector could not run here: ${why.reason}`;
    case 'failed-after':
      return `not compared: the workload failed after ${why.measured} of ${why.repetitions} repetitions`;
    case 'failed-before':
      return 'the workload failed before it was measured';
    case 'absent':
      return 'this run produced no such metric';
  }
}

export function missingVerdict(name: string, why: Missing): Verdict {
  return { status: 'unavailable', message: `${name}: ${missingText(why)}` };
}

/** A gated metric whose baseline was recorded for another workload definition. */
export function staleVerdict(name: string): Verdict {
  return { status: 'no-baseline', message: `${name}: the baseline is stale (the workload changed since it was recorded); record a new one with kdelta baseline update` };
}

/** `failure.kind` of a scenario whose baseline did not fit what it measured: exit 2, its samples kept. */
export const INPUT_FAILURE = 'input';

function problemText(p: BaselineProblem): string {
  const at = p.line === undefined ? p.file : `${p.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}`;
  return `${at}: ${p.message}${p.fix ? `; fix: ${p.fix}` : ''}`;
}

/** A gated metric left uncompared because its baseline's unit or direction does not fit the run. */
export function problemVerdict(p: BaselineProblem): Verdict {
  return { status: 'unavailable', message: `${p.metric}: not compared, the baseline does not fit what was measured: ${problemText(p)}` };
}

/** The scenario's failure for such baselines: after its last repetition, the measured samples kept. */
export function inputFailure(run: Pick<ScenarioRun, 'repetitions' | 'warmup'>, problems: readonly BaselineProblem[]): WorkloadFailure {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more baseline metric(s) that do not fit)` : '';
  return { repetition: run.warmup + run.repetitions, kind: INPUT_FAILURE, exitCode: null, signal: null, message: `${problemText(problems[0]!)}${more}`, stderrTail: '' };
}

/** How a scenario's failure is headed: a workload that failed in a repetition, or an input problem found once measured. */
export function failureHeadline(f: WorkloadFailure, repetition = 'repetition'): string {
  return f.kind === INPUT_FAILURE ? 'input problem found after measuring' : `workload failed in ${repetition} ${f.repetition}`;
}
