import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadScenarios } from '../../src/scenario/load.js';
import { repositoryOf } from '../../src/scenario/rules/paths.js';
import { runCli, tempDir } from '../cli/support.js';

const scenarioWith = (cwd: string, service = false): string =>
  [
    'name: walk',
    'workload:',
    '  command: ["true"]',
    `  cwd: ${JSON.stringify(cwd)}`,
    ...(service ? ['  service:', '    command: [sleep, "1"]', '    ready: { delay: 10ms }', `    cwd: ${JSON.stringify(cwd)}`] : []),
    'collect: { proc: false, ebpf: false }',
    '',
  ].join('\n');

describe('a relative cwd must stay inside the scenario file\'s repository', () => {
  let tmp: { path: string; remove: () => Promise<void> };
  let repo: string;
  beforeEach(async () => {
    tmp = await tempDir('kdelta-cwd-');
    repo = join(tmp.path, 'repo');
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(join(repo, 'scenarios', 'deep'), { recursive: true });
    await mkdir(join(repo, 'bench'), { recursive: true });
  });
  afterEach(() => tmp.remove());

  const load = async (text: string, dir = join(repo, 'scenarios', 'deep')) => {
    const file = join(dir, 'walk.yaml');
    await writeFile(file, text);
    return { file, ...(await loadScenarios([file])) };
  };

  test('the repository is the nearest folder with .git, else the file\'s own folder', async () => {
    expect(repositoryOf(join(repo, 'scenarios', 'deep'))).toBe(repo);
    await mkdir(join(tmp.path, 'loose'));
    expect(repositoryOf(join(tmp.path, 'loose'))).toBe(join(tmp.path, 'loose'));
  });

  test('`cwd: ../../../..` is exit 2 at the value, naming where it resolves and the fix', async () => {
    const { file, problems, scenarios } = await load(scenarioWith('../../../..'));
    expect(scenarios).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, line: 4, col: 8 });
    expect(problems[0]?.message).toContain(`workload.cwd "../../../.." resolves to ${join(repo, '..', '..')}, outside the scenario file's repository (${repo})`);
    expect(problems[0]?.message).toContain('write it as an absolute path');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:4:8:`);
  });

  test('one level too far is refused too, and so is a service cwd that climbs out', async () => {
    expect((await load(scenarioWith('../../..'))).problems).toHaveLength(1);
    const both = await load(scenarioWith('../../../elsewhere', true));
    expect(both.problems.map((p) => p.message.split(' ')[0])).toEqual(['workload.cwd', 'workload.service.cwd']);
  });

  test('a relative cwd inside the repository, the repository root, and any absolute path are taken as written', async () => {
    for (const cwd of ['../../bench', '../..', '.', tmp.path, '/']) {
      const { problems, scenarios } = await load(scenarioWith(cwd));
      expect(problems).toEqual([]);
      expect(scenarios).toHaveLength(1);
    }
  });

  test('outside any repository, the scenario file\'s folder is the bound', async () => {
    const loose = join(tmp.path, 'loose');
    await mkdir(join(loose, 'sub'), { recursive: true });
    expect((await load(scenarioWith('sub'), loose)).problems).toEqual([]);
    expect((await load(scenarioWith('..'), loose)).problems).toHaveLength(1);
  });
});
