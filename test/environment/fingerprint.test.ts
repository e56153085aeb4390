import { describe, expect, test } from 'vitest';
import { fingerprintFrom, fingerprintMismatch, irqAffinityDigest, machineSlug, slugOf } from '../../src/environment/fingerprint.js';
import type { Fingerprint } from '../../src/environment/types.js';
import { VM_FACTS } from '../fixtures/machine-facts.js';


describe('fingerprint', () => {
  test('is built from the facts', () => {
    expect(fingerprintFrom(VM_FACTS, { 24: [0, 1] }, 'v20.20.2')).toEqual({
      arch: 'x86_64',
      cpuModel: 'AMD EPYC',
      cpuCount: 2,
      numaNodes: 1,
      smt: false,
      kernelRelease: '6.18.44-fc-v657',
      governor: null,
      bpftraceVersion: '0.17.0',
      irqAffinityDigest: irqAffinityDigest({ 24: [0, 1] }),
      nodeVersion: 'v20.20.2',
    } satisfies Fingerprint);
  });

  test('the IRQ digest is 16 hex, ignores key order, and changes when one IRQ moves', () => {
    const a = irqAffinityDigest({ 24: [0, 1], 25: [0, 1], 3: [0] });
    expect(a).toMatch(/^[0-9a-f]{16}$/u);
    expect(irqAffinityDigest({ 3: [0], 25: [0, 1], 24: [0, 1] })).toBe(a);
    expect(irqAffinityDigest({ 24: [0, 1], 25: [1], 3: [0] })).not.toBe(a);
  });

  test('mismatches are listed field by field as old -> new', () => {
    const a = fingerprintFrom(VM_FACTS, {}, 'v20.20.2');
    const b = { ...a, kernelRelease: '6.1.0', governor: 'performance', bpftraceVersion: null };
    expect(fingerprintMismatch(b, a)).toEqual(['kernelRelease: 6.1.0 -> 6.18.44-fc-v657', 'governor: performance -> none', 'bpftraceVersion: none -> 0.17.0']);
    expect(fingerprintMismatch(a, { ...a })).toEqual([]);
  });
});

describe('machine slug', () => {
  test('names the machine class from arch, counts and model', () => {
    expect(machineSlug(fingerprintFrom(VM_FACTS, {}, 'v20.20.2'))).toBe('x86_64-2cpu-1node-amd-epyc');
  });

  test('ignores versions, so a kernel upgrade keeps the class', () => {
    const fp = fingerprintFrom(VM_FACTS, {}, 'v20.20.2');
    expect(machineSlug({ ...fp, kernelRelease: '6.1.0', nodeVersion: 'v22.0.0' })).toBe(machineSlug(fp));
  });

  test.each([
    ['Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', 'intel-xeon-gold-6338'],
    ['AMD EPYC 7B13 64-Core Processor', 'amd-epyc-7b13-64-core'],
    ['implementer 0x41 part 0xd0c', 'implementer-0x41-part-0xd0c'],
    ['../../etc', 'etc'],
    ['', 'unknown'],
  ])('%j slugs to %s', (model, slug) => {
    expect(slugOf(model)).toBe(slug);
  });
});
