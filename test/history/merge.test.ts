import { describe, expect, test } from 'vitest';
import { mulberry32 } from '../../src/compare/stats/prng.js';
import { mergeReports } from '../../src/history/merge.js';
import type { Report } from '../../src/report/types.js';
import { selectShard } from '../../src/scenario/shard.js';
import type { Scenario } from '../../src/scenario/types.js';
import { baselineOf, noisy, reportOf, runOf, shippedScenarios } from './support.js';

/** Samples for each gated name of the shipped scenarios: half of them slowed by 4-12%, the rest unchanged. */
function recorded(scenarios: Scenario[]) {
  const random = mulberry32(11);
  return scenarios.map((scenario, k) => {
    const names = [...new Set(['workload.wall_time', ...Object.keys(scenario.gate.metrics).filter((n) => !n.includes('*'))])];
    const base: Record<string, number[]> = {};
    const current: Record<string, number[]> = {};
    names.forEach((name, j) => {
      base[name] = noisy(random, 1e6, 10, 0.02);
      current[name] = noisy(random, 1e6 * ((k + j) % 2 === 0 ? 1 + 0.04 + 0.02 * j : 1), 10, 0.02);
    });
    return { scenario, run: runOf(scenario, current), baseline: baselineOf(scenario, base) };
  });
}

function verdicts(report: Report): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of report.scenarios) for (const m of s.metrics) if (m.verdict) out[`${s.name} ${m.name}`] = `${m.verdict.status} ${'adjustedP' in m.verdict ? m.verdict.adjustedP.toPrecision(6) : ''}`;
  return out;
}

describe('kdelta merge', () => {
  test('a 3-shard run merged gives the verdicts of one unsharded run of the same samples', async () => {
    const data = recorded(await shippedScenarios());
    const unsharded = reportOf('whole', '2026-02-01T00:00:00.000Z', data.map(({ run, baseline }) => ({ run, baseline })));
    const shards = [1, 2, 3].map((i) => {
      const names = new Set(selectShard(data.map((d) => d.scenario.name), i, 3));
      const mine = data.filter((d) => names.has(d.scenario.name));
      return { path: `shard-${i}/report.json`, report: reportOf(`shard-${i}`, '2026-02-01T00:00:00.000Z', mine.map(({ run, baseline }) => ({ run, baseline }))) };
    });
    expect(shards.every((s) => s.report.family.size < unsharded.family.size)).toBe(true);
    const merged = await mergeReports(shards, 'merged');
    expect(merged.family).toEqual(unsharded.family);
    expect(verdicts(merged)).toEqual(verdicts(unsharded));
    expect(merged.status).toBe(unsharded.status);
    expect(Object.values(verdicts(merged)).some((v) => v.startsWith('regression'))).toBe(true);
  });

  test('a scenario in two shard reports is refused', async () => {
    const [first] = recorded((await shippedScenarios()).slice(0, 1));
    const report = reportOf('r', '2026-02-01T00:00:00.000Z', [{ run: first!.run, baseline: first!.baseline }]);
    await expect(mergeReports([{ path: 'a.json', report }, { path: 'b.json', report }], 'm')).rejects.toThrow(/is in a.json and in b.json/);
  });
});
