import { readdir } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselinePath, readBaseline } from '../../src/baselines/store.js';
import { workloadHash } from '../../src/baselines/hash.js';
import type { Baseline } from '../../src/baselines/types.js';
import { gatedMetrics } from '../../src/compare/gate.js';
import { smallestAdjustedP } from '../../src/compare/stats/adjust.js';
import { smallestPValue } from '../../src/compare/stats/mann-whitney.js';
import { fingerprint, machineSlug } from '../../src/environment/fingerprint.js';
import { probeMachine } from '../../src/environment/probe.js';
import { formatProblem, loadScenarios, SCENARIO_EXTENSIONS } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

// The committed suite (scenarios/) and its baselines (baselines/<this machine class>/): every
// file loads, says what it is for, gates something, and has a baseline recorded from the
// same workload definition on this machine class, so `kdelta run` here compares rather than
// reporting no-baseline.

const ROOT = resolve(import.meta.dirname, '..', '..');
const SCENARIOS = join(ROOT, 'scenarios');
const BASELINES = join(ROOT, 'baselines');

/** The scenarios the suite must contain (issue 8). */
const REQUIRED = ['cpu-oversubscribed', 'disk-fsync', 'hackbench-pipe', 'hackbench-socket', 'loopback-net', 'node-tinybench', 'syscall-mix'];

let scenarios: Scenario[] = [];
let machine = '';
const baselines = new Map<string, Baseline | null>();

beforeAll(async () => {
  const loaded = await loadScenarios([SCENARIOS]);
  if (loaded.problems.length > 0) throw new Error(`scenarios/ does not validate:\n${loaded.problems.map(formatProblem).join('\n')}`);
  scenarios = loaded.scenarios;
  machine = machineSlug(await fingerprint(await probeMachine()));
  for (const s of scenarios) baselines.set(s.name, await readBaseline(baselinePath(BASELINES, machine, s.name)));
});

describe('scenarios/', () => {
  it('loads every scenario file, and has the suite the issue asks for', async () => {
    const files = (await readdir(SCENARIOS)).filter((f) => (SCENARIO_EXTENSIONS as readonly string[]).includes(extname(f)));
    expect(scenarios.map((s) => s.file).sort()).toEqual(files.map((f) => join(SCENARIOS, f)).sort());
    expect(scenarios.map((s) => s.name).sort()).toEqual(expect.arrayContaining(REQUIRED));
  });

  it('describes every scenario and says what gates', () => {
    for (const s of scenarios) {
      expect(s.description.trim().length, `${s.name}: description`).toBeGreaterThan(80);
      expect(s.description, `${s.name}: the description names its gated metrics`).toMatch(/gate/iu);
      expect(Object.keys(s.gate.metrics).length, `${s.name}: gated metrics`).toBeGreaterThan(0);
    }
  });
});

describe(`baselines/<this machine class>`, () => {
  it('has a baseline for every scenario, recorded from the same workload definition', () => {
    for (const s of scenarios) {
      const b = baselines.get(s.name);
      expect(b, `${s.name}: no ${baselinePath(BASELINES, machine, s.name)}; record it with kdelta baseline update`).toBeTruthy();
      expect(b?.scenario).toBe(s.name);
      expect(b?.machine).toBe(machine);
      expect(b?.provenance.reason.trim(), `${s.name}: the baseline says why it was recorded`).not.toBe('');
      expect(b?.workloadHash, `${s.name}: the baseline is stale (the workload changed since it was recorded); re-record it`).toBe(
        workloadHash(s.workload, dirname(s.file)),
      );
    }
  });

  it('holds samples of every gated metric, one per repetition', () => {
    for (const s of scenarios) {
      const b = baselines.get(s.name);
      if (!b) throw new Error(`${s.name}: no baseline`);
      for (const [key, spec] of Object.entries(s.gate.metrics)) {
        // The key alone: does it match anything the baseline holds?
        const matching = [...gatedMetrics({ ...s.gate, metrics: { [key]: spec } }, Object.keys(b.metrics)).keys()];
        expect(matching.length, `${s.name}: gated ${key} matches no metric of the baseline`).toBeGreaterThan(0);
        for (const name of matching) expect(b.metrics[name]?.samples.length, `${s.name}: ${name}`).toBe(s.repetitions);
      }
    }
  });

  it('lets every gated metric reach alpha in a run of the whole suite (one Holm family)', () => {
    const gated = scenarios.map((s) => ({ s, specs: gatedMetrics(s.gate, Object.keys(baselines.get(s.name)?.metrics ?? {})) }));
    const family = gated.reduce((n, g) => n + g.specs.size, 0);
    for (const { s, specs } of gated) {
      expect(specs.size, `${s.name}: no gated metric has baseline samples`).toBeGreaterThan(0);
      for (const [name, spec] of specs) {
        const n = baselines.get(s.name)?.metrics[name]?.samples.length ?? 0;
        const alpha = spec.alpha;
        const floor = smallestAdjustedP(smallestPValue(n, s.repetitions), family, s.gate.correction);
        expect(floor, `${s.name}: ${name} with ${n} vs ${s.repetitions} repetitions in a family of ${family}`).toBeLessThan(alpha);
      }
    }
  });
});
