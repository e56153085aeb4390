import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enableMemoryController, memoryControllerOffered, memoryV1Mount, parseKeyValues } from '../../src/kernel/cgroup-memory.js';
import { cgroupMemoryMetrics } from '../../src/collect/proc/cgroup-memory.js';

const HYBRID = `30 25 0:26 / /sys/fs/cgroup/unified rw,relatime shared:10 - cgroup2 cgroup2 rw
34 25 0:30 / /sys/fs/cgroup/memory rw,relatime shared:14 - cgroup cgroup rw,memory
35 25 0:31 / /sys/fs/cgroup/pids rw,relatime shared:15 - cgroup cgroup rw,pids`;

let root = '';
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = '';
});

/** A cgroup tree made of plain files: what the kernel would show, without its behaviour. */
async function tree(controllers: string): Promise<{ mount: string; rep: string }> {
  root = await mkdtemp(join(tmpdir(), 'kdelta-memcg-'));
  const mount = join(root, 'cg');
  const rep = join(mount, 'kdelta-1-abc', 'sc-r0');
  await mkdir(rep, { recursive: true });
  await writeFile(join(mount, 'cgroup.controllers'), controllers);
  await writeFile(join(mount, 'cgroup.subtree_control'), '');
  await writeFile(join(mount, 'kdelta-1-abc', 'cgroup.subtree_control'), '');
  return { mount, rep };
}

describe('cgroup memory controller', () => {
  it('finds the v1 hierarchy that holds the memory controller', () => {
    expect([memoryV1Mount(HYBRID), memoryV1Mount(HYBRID.split('\n')[0]!)]).toEqual(['/sys/fs/cgroup/memory', null]);
  });

  it('says the controller is bound to v1 where the v2 root does not offer it, and writes nothing', async () => {
    const { mount, rep } = await tree('hugetlb\n');
    const mc = await enableMemoryController(mount, rep, HYBRID);
    expect(mc.state === 'off' && mc.reason).toContain('bound to the cgroup v1 hierarchy at /sys/fs/cgroup/memory');
    expect(await readFile(join(mount, 'cgroup.subtree_control'), 'utf8')).toBe('');
    expect((await memoryControllerOffered(mount, HYBRID)).state).toBe('off');
  });

  it('writes +memory into every ancestor subtree_control from the root down to the parent', async () => {
    const { mount, rep } = await tree('cpu io memory pids\n');
    expect((await memoryControllerOffered(mount, null)).state).toBe('on');
    // Plain files never grow memory.events, so the answer is off, after both writes.
    const mc = await enableMemoryController(mount, rep, null);
    const written = await Promise.all([join(mount, 'cgroup.subtree_control'), join(mount, 'kdelta-1-abc', 'cgroup.subtree_control')].map((f) => readFile(f, 'utf8')));
    expect(written).toEqual(['+memory', '+memory']);
    expect(mc.state === 'off' && mc.reason).toContain('has no memory.events after enabling');
  });

  it('is on at once where the cgroup already has memory.events', async () => {
    const { mount, rep } = await tree('memory\n');
    await writeFile(join(rep, 'memory.events'), 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n');
    expect((await enableMemoryController(mount, rep, null)).state).toBe('on');
  });

  it('turns memory.events and memory.stat deltas into mem.cgroup.* counts, sizes left out', () => {
    const before = { events: parseKeyValues('low 0\nhigh 2\nmax 0\noom 0\noom_kill 0\n'), stat: parseKeyValues('anon 4096\npgfault 100\npgmajfault 1\n') };
    const after = { events: parseKeyValues('low 0\nhigh 5\nmax 1\noom 1\noom_kill 1\n'), stat: parseKeyValues('anon 8192\npgfault 160\npgmajfault 4\n') };
    const m = new Map(cgroupMemoryMetrics(before, after).map((p) => [p.name, p.value]));
    expect([m.get('mem.cgroup.events.high.count'), m.get('mem.cgroup.events.oom_kill.count'), m.get('mem.cgroup.stat.pgfault.count'), m.get('mem.cgroup.stat.pgmajfault.count')]).toEqual([3, 1, 60, 3]);
    expect([...m.keys()].some((k) => k.includes('anon'))).toBe(false);
  });
});
