import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/doctor.js';
import { VM_FACTS } from '../fixtures/machine-facts.js';

describe('doctor: the cgroup memory controller', () => {
  it('warns with the reason and the fix where the controller is bound to cgroup v1, and names what it takes away', () => {
    const report = runDoctor(VM_FACTS, undefined, null, { memory: { state: 'off', reason: 'the memory controller is bound to the cgroup v1 hierarchy at /sys/fs/cgroup/memory', fix: 'boot with systemd.unified_cgroup_hierarchy=1' } });
    const c = report.checks.find((x) => x.id === 'cgroup.memory');
    expect([c?.status, c?.disables, c?.fix]).toEqual(['warning', ['mem.cgroup.*'], 'boot with systemd.unified_cgroup_hierarchy=1']);
    expect(c?.detail).toContain('mem.faults.major.count is machine-wide');
  });

  it('is ok where cgroup v2 offers it, and absent where it was not asked', () => {
    expect(runDoctor(VM_FACTS, undefined, null, { memory: { state: 'on' } }).checks.find((x) => x.id === 'cgroup.memory')?.status).toBe('ok');
    expect(runDoctor(VM_FACTS).checks.some((x) => x.id === 'cgroup.memory')).toBe(false);
  });
});
