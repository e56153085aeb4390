import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { mulberry32 } from '../../src/compare/stats/prng.js';
import { unfoldReport, type StoredReport } from '../../src/report/compact.js';
import { reportJsonText } from '../../src/report/write.js';
import { selectShard } from '../../src/scenario/shard.js';
import { plainEnv, runCli } from '../cli/support.js';
import { baselineOf, noisy, reportOf, runOf, shippedScenarios } from '../history/support.js';

describe('kdelta merge', () => {
  test('merges shard reports into one valid report set and exits 1 on a regression in any shard', async () => {
    const random = mulberry32(3);
    const scenarios = await shippedScenarios();
    const dir = await mkdtemp(join(tmpdir(), 'kdelta-merge-'));
    const paths: string[] = [];
    for (const i of [1, 2, 3]) {
      const names = new Set(selectShard(scenarios.map((s) => s.name), i, 3));
      const runs = scenarios
        .filter((s) => names.has(s.name))
        .map((s) => ({ run: runOf(s, { 'workload.wall_time': noisy(random, s.name === 'hackbench-pipe' ? 1.3e6 : 1e6, 10) }), baseline: baselineOf(s, { 'workload.wall_time': noisy(random, 1e6, 10) }) }));
      await mkdir(join(dir, `shard-${i}`));
      await writeFile(join(dir, `shard-${i}`, 'report.json'), reportJsonText(reportOf(`shard-${i}`, '2026-02-01T00:00:00.000Z', runs)));
      paths.push(join(dir, `shard-${i}`, 'report.json'));
    }
    const r = await runCli(['merge', ...paths, '--out', join(dir, 'merged')], { cwd: dir, env: plainEnv() });
    expect(r.stderr).not.toContain('kdelta bug');
    expect(r.code).toBe(1);
    const merged = unfoldReport(JSON.parse(await readFile(join(dir, 'merged', 'report.json'), 'utf8')) as StoredReport);
    expect(merged.scenarios.map((s) => s.name).sort()).toEqual(scenarios.map((s) => s.name).sort());
    const inFamily = merged.scenarios.flatMap((s) => s.metrics).filter((m) => m.verdict !== null && 'adjustedP' in m.verdict).length;
    expect(merged.family.size).toBe(inFamily);
    expect(inFamily).toBeGreaterThan(1);
    expect(merged.scenarios.find((s) => s.name === 'hackbench-pipe')?.status).toBe('regression');
  });
});
