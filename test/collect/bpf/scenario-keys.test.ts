import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadScenarios } from '../../../src/scenario/load.js';

const dir = mkdtempSync(join(tmpdir(), 'kdelta-threads-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(collect: string) {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `name: x\nworkload: { command: [x] }\ncollect:\n${collect}\n`);
  return loadScenarios([file]);
}

describe('scenario keys of the per thread group capture', () => {
  test('collect.roles keeps its patterns in file order and reaches the eBPF spec with threads and timeline', async () => {
    const { scenarios, problems } = await load('  roles: { "alpha*": compute, "/^beta/": io }\n  ebpf: { threads: true, timeline: true }');
    expect(problems).toEqual([]);
    const roles = [
      { pattern: 'alpha*', role: 'compute' },
      { pattern: '/^beta/', role: 'io' },
    ];
    expect(scenarios[0]!.collect.roles).toEqual(roles);
    expect(scenarios[0]!.collect.ebpf).toMatchObject({ threads: true, timeline: true, roles });
  });

  test('a role name with a dot, which would split the metric name, is a problem', async () => {
    const { problems } = await load('  roles: { "alpha*": "a.b" }');
    expect(problems.length).toBe(1);
  });

  test('threads are off and the timeline on when not written; timeline: false opts out', async () => {
    const { scenarios } = await load('  ebpf: {}');
    expect(scenarios[0]!.collect.ebpf).not.toHaveProperty('threads');
    expect(scenarios[0]!.collect.ebpf).toHaveProperty('timeline', true);
    const off = await load('  ebpf: { timeline: false }');
    expect(off.scenarios[0]!.collect.ebpf).not.toHaveProperty('timeline');
  });
});
