import { describe, expect, it } from 'vitest';
import { parseDump } from '../../../src/collect/bpf/dump.js';
import { groupNamer } from '../../../src/collect/bpf/groups.js';
import { timelineFromDump } from '../../../src/collect/bpf/timeline.js';

const line = (rows: unknown[], ready: number[], lost = 0) => JSON.stringify({ map: 'tl', rows, ready, lost });

describe('timeline of the libbpf capture', () => {
  it('keeps 10 ms slots as they are when there are at most 100', () => {
    const d = parseDump(line([['worker1', 0, [5, 0], [1, 0]], ['worker2', 49, [0, 7], [0, 2]]], [3, 100]));
    const tl = timelineFromDump(d, 2, groupNamer())!;
    expect([tl.slotNs, tl.slots, tl.cpus]).toEqual([10_000_000, 50, [0, 1]]);
    expect(tl.groups.map((g) => g.name)).toEqual(['worker*']);
    expect([tl.groups[0]!.onCpuNs[0]![0], tl.groups[0]!.onCpuNs[1]![49], tl.groups[0]!.switches[1]![49]]).toEqual([5, 7, 2]);
    expect(tl.readyDelayNs[3]).toBe(100);
  });

  it('merges adjacent slots so that 1000 kernel slots become 100 of 100 ms, nothing lost', () => {
    const rows = Array.from({ length: 1000 }, (_, s) => ['a', s, [1, 2], [1, 0]]);
    const tl = timelineFromDump(parseDump(line(rows, [999, 8], 4)), 2, groupNamer())!;
    expect([tl.slotNs, tl.slots, tl.lost]).toEqual([100_000_000, 100, 4]);
    expect(tl.groups[0]!.onCpuNs[1]!.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(tl.groups[0]!.switches[0]![99]).toBe(10);
    expect(tl.readyDelayNs[99]).toBe(8);
  });

  it('leaves out a group that neither ran nor switched in', () => {
    const d = parseDump(line([['worker1', 0, [5, 0], [1, 0]], ['launcher', 0, [0, 0], [0, 0]]], []));
    expect(timelineFromDump(d, 2, groupNamer())!.groups.map((g) => g.name)).toEqual(['worker*']);
  });

  it('is absent when the workload never ran', () => {
    expect(timelineFromDump(parseDump(line([], [])), 2, groupNamer())).toBeNull();
  });
});
