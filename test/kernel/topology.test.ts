import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuNodeFromCpulists, readTopology, smtSiblingGroups } from '../../src/kernel/topology.js';
import { FIXTURES, fixture } from '../collect/proc/fixture.js';

describe('topology', () => {
  it('maps CPUs to nodes from interleaved node cpulists', () => {
    const map = cpuNodeFromCpulists([
      { node: 1, cpulist: '8-15,40-47' },
      { node: 0, cpulist: '0-7,32-39' },
    ]);
    expect(map[0]).toBe(0);
    expect(map[39]).toBe(0);
    expect(map[8]).toBe(1);
    expect(map[47]).toBe(1);
    expect(map[16]).toBeUndefined();
  });

  it('collapses sibling lists into groups', () => {
    expect(smtSiblingGroups(['0,32', '32,0', '1,33', '2'])).toEqual([[0, 32], [1, 33], [2]]);
  });

  it('reads a recorded 64-CPU, 4-node tree', async () => {
    const root = join(FIXTURES, 'x86-64cpu-4node');
    const topo = await readTopology({ sys: join(root, 'sys'), proc: join(root, 'proc') });
    expect(topo.onlineCpus).toHaveLength(64);
    expect(topo.nodes).toEqual([0, 1, 2, 3]);
    const expected = JSON.parse(fixture('x86-64cpu-4node/node-of-cpu.json')) as Record<string, number>;
    for (const [cpu, node] of Object.entries(expected)) expect(topo.cpuNode[Number(cpu)]).toBe(node);
    expect(topo.smtSiblings).toHaveLength(32);
    expect(topo.smtSiblings[3]).toEqual([3, 35]);
    expect(topo.irqAffinity['105']).toEqual([20]);
    expect(topo.irqAffinity['24']).toHaveLength(64);
  });

  it('calls a machine without node directories one node 0', async () => {
    const topo = await readTopology({ sys: join(FIXTURES, 'no-such-dir'), proc: join(FIXTURES, 'no-such-dir') });
    expect(topo.nodes).toEqual([0]);
    expect(topo.onlineCpus).toEqual([]);
  });
});
