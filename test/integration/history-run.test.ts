import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openStore } from '../../src/history/open.js';
import { selectShard } from '../../src/scenario/shard.js';
import { plainEnv, repoRoot, runCli } from '../cli/support.js';

const scenario = (name: string) => `name: ${name}\ndescription: a few getppid calls\nworkload:\n  builtin: { name: syscall-loop, count: 100 }\nrepetitions: 2\nwarmup: 0\ncollect: { proc: false, ebpf: false }\n`;

describe('kdelta run --shard and --history', () => {
  test('a shard runs only its scenarios, and --history keeps the run with a link to its report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kdelta-run-history-'));
    const names = ['one', 'two', 'three', 'four', 'five'];
    for (const n of names) await writeFile(join(dir, `${n}.yaml`), scenario(n));
    const store = join(dir, 'h.sqlite');
    const r = await runCli(['run', dir, '--shard', '2/2', '--history', store, '--out', join(dir, 'out'), '--baselines', join(dir, 'baselines'), '--machine', 'test'], { cwd: dir, env: plainEnv({ KDELTA_COMMIT: 'abc123' }) });
    expect(r.code).toBe(0);
    const opened = await openStore(store, repoRoot);
    try {
      const runs = await opened.listRuns();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ commit: 'abc123', machine: 'test', reportPath: join('out', 'report.json') });
      const series = await opened.series({ metric: 'workload.wall_time' });
      expect(series.map((s) => s.scenario).sort()).toEqual(selectShard(names, 2, 2).sort());
    } finally {
      await opened.close();
    }
  });

  test('--shard that is not i/N is bad input', async () => {
    const r = await runCli(['run', join(repoRoot, 'test/fixtures/cli/valid'), '--shard', '3/2'], { env: plainEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--shard 3/2 is not of the form i/N');
  });
});
