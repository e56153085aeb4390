import { dirname } from 'node:path';
import { fingerprintMismatch } from '../environment/fingerprint.js';
import type { Fingerprint } from '../environment/types.js';
import { InputError } from '../errors.js';
import { lostRequiredCollector } from '../run/collectors.js';
import { doubtWarning } from '../run/doubts.js';
import type { ScenarioRun } from '../run/types.js';
import type { GateSpec, Scenario } from '../scenario/types.js';
import { reconcileBaseline, type MetricShape } from './check.js';
import { baselinePath, readBaseline, writeBaseline } from './store.js';
import { sweepStaleTemps } from '../files.js';
import { workloadHash } from './hash.js';
import type { Baseline, BaselineMatch } from './types.js';
import { baselineFromRun } from './update.js';

/** What a SIGKILLed kdelta left half-written in a machine's folder; a read-only folder keeps them, harmlessly. */
async function sweepLeftovers(folder: string): Promise<void> {
  await sweepStaleTemps(folder).catch(() => undefined);
}

/** The metrics whose unit and direction are known before the run: wall time and the figures the file declares. */
function declaredMetrics(s: Scenario): MetricShape[] {
  const own = s.workload.metrics.map((m) => ({ name: m.name.startsWith('workload.') ? m.name : `workload.${m.name}`, unit: m.unit, better: m.better }));
  return [{ name: 'workload.wall_time', unit: 'ns', better: 'lower' }, ...own];
}

/**
 * Reads every scenario's baseline before anything runs, so a corrupt one, one of another
 * scenario, or one whose declared metrics changed unit or direction fails fast (exit 2) and
 * is never overwritten; `replacing` (baseline update) reads them only for corruption. This is
 * where `gate.require_same_machine` is decided: a baseline of another machine class is refused
 * here, before anything is measured against it.
 */
export async function findBaselines(scenarios: Scenario[], dir: string, machine: string, fp: Fingerprint, o: { replacing?: boolean } = {}): Promise<Map<string, BaselineMatch | null>> {
  const found = new Map<string, BaselineMatch | null>();
  for (const s of scenarios) {
    const path = baselinePath(dir, machine, s.name);
    if (found.size === 0) await sweepLeftovers(dirname(path));
    const baseline = await readBaseline(path);
    const mismatch = baseline ? fingerprintMismatch(baseline.environment, fp) : [];
    if (baseline && mismatch.length && s.gate.requireSameMachine) {
      throw new InputError(`the baseline of ${s.name} was recorded on another machine class (${mismatch.join(', ')}) and gate.require_same_machine is true`, { file: path, fix: 'record a baseline on this machine class (kdelta baseline update --machine NAME), or set gate.require_same_machine: false' });
    }
    const match = baseline && { path, baseline, mismatch, stale: baseline.workloadHash !== workloadHash(s.workload, dirname(s.file)) };
    // `baseline update` replaces the baseline, and is the fix for one that no longer fits.
    found.set(s.name, o.replacing ? match : reconcileBaseline(match, s, declaredMetrics(s)));
  }
  return found;
}

/**
 * Why a run whose samples are in doubt (a workload that left its cgroup, cut stdout, a full
 * capture map) does not become the baseline every later run is judged against; null when it
 * has none, or when `baseline update --force` keeps it anyway.
 */
export function doubtfulBaseline(run: ScenarioRun, force: boolean): string | null {
  const doubts = run.doubts ?? [];
  if (doubts.length === 0 || force) return null;
  const name = run.scenario.name;
  const more = doubts.length > 1 ? ` (and ${doubts.length - 1} more doubt(s))` : '';
  return `kdelta: not updating a baseline from samples in doubt: ${doubtWarning(name, doubts[0]!)}${more}; run it again, or keep these samples anyway: kdelta baseline update ${run.scenario.file} --scenario ${name} --force\n`;
}

/**
 * Writes each run as its scenario's new baseline, printing through `say` how it differs from
 * the old one (what a reviewer accepts; `describe` is report/'s wording of that difference); a
 * run whose workload failed, that lost a collector it requires, or whose samples are in doubt
 * (unless `force`) leaves its baseline alone.
 */
export async function storeBaselines(
  runs: ScenarioRun[],
  o: { dir: string; machine: string; environment: Fingerprint; reason: string; commit: string | null; force?: boolean; describe: (old: Baseline | null, next: Baseline, gate: GateSpec) => string },
  say: (text: string) => void,
): Promise<void> {
  let swept = false;
  for (const run of runs) {
    if (run.failure) {
      say(`kdelta: ${run.scenario.name}: not updating its baseline: the workload failed\n`);
      continue;
    }
    const lost = lostRequiredCollector(run);
    if (lost) {
      say(`kdelta: ${run.scenario.name}: not updating its baseline: the ${lost.name} collector it requires stopped during the run\n`);
      continue;
    }
    const doubtful = doubtfulBaseline(run, o.force ?? false);
    if (doubtful) {
      say(doubtful);
      continue;
    }
    const path = baselinePath(o.dir, o.machine, run.scenario.name);
    if (!swept) await sweepLeftovers(dirname(path));
    swept = true;
    const old = await readBaseline(path);
    const next: Baseline = baselineFromRun(run, { machine: o.machine, environment: o.environment, reason: o.reason, commit: o.commit });
    say(o.describe(old, next, run.scenario.gate));
    await writeBaseline(path, next);
    say(`kdelta: wrote ${path}\n`);
  }
}
