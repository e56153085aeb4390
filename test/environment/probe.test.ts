import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { findCgroup2Mount } from '../../src/kernel/cgroup.js';
import { findTracefsMount } from '../../src/kernel/tracefs.js';
import {
  CAP,
  commsInclude,
  hasBpfCapabilities,
  hasCapability,
  parseBpftraceVersion,
  parseCapEff,
  parseCpuModel,
  summarizeGovernors,
} from '../../src/environment/probe.js';

const fixture = (name: string): string => readFileSync(`test/fixtures/environment/${name}`, 'utf8');

describe('capabilities from /proc/self/status', () => {
  test('root on the VM has CAP_BPF and CAP_PERFMON (but not CAP_SYS_RESOURCE, bit 24)', () => {
    const eff = parseCapEff(fixture('status-root-vm.txt'));
    expect(eff).toBe(0x1fffeffffffn);
    expect(hasCapability(eff as bigint, CAP.BPF)).toBe(true);
    expect(hasCapability(eff as bigint, CAP.PERFMON)).toBe(true);
    expect(hasCapability(eff as bigint, 24)).toBe(false);
    expect(hasBpfCapabilities(fixture('status-root-vm.txt'))).toBe(true);
  });

  test('a plain user has neither', () => {
    expect(hasBpfCapabilities(fixture('status-user.txt'))).toBe(false);
  });

  test('a user granted exactly CAP_BPF and CAP_PERFMON is enough', () => {
    const eff = parseCapEff(fixture('status-bpf-caps.txt')) as bigint;
    expect(eff).toBe((1n << 39n) | (1n << 38n));
    expect(hasCapability(eff, CAP.SYS_ADMIN)).toBe(false);
    expect(hasBpfCapabilities(fixture('status-bpf-caps.txt'))).toBe(true);
  });

  test('a status without CapEff has no capabilities', () => {
    expect(parseCapEff('Name:\tx\n')).toBe(null);
    expect(hasBpfCapabilities('Name:\tx\n')).toBe(false);
  });
});

describe('CPU model from /proc/cpuinfo', () => {
  test('x86 uses the model name', () => {
    expect(parseCpuModel(fixture('cpuinfo-x86-vm.txt'))).toBe('AMD EPYC');
  });

  test('arm64 has no model name, so implementer and part stand in', () => {
    expect(parseCpuModel(fixture('cpuinfo-arm64.txt'))).toBe('implementer 0x41 part 0xd0c');
  });

  test('an empty cpuinfo is unknown', () => {
    expect(parseCpuModel('')).toBe('unknown');
  });
});

describe('mounts from mountinfo', () => {
  test('the hybrid VM has cgroup2 under unified and no tracefs', () => {
    const text = fixture('mountinfo-hybrid-vm.txt');
    expect(findCgroup2Mount(text)).toBe('/sys/fs/cgroup/unified');
    expect(findTracefsMount(text)).toBe(null);
  });

  test('the hybrid VM after `kdelta doctor --fix` has tracefs at the canonical place', () => {
    const text = fixture('mountinfo-hybrid-vm-tracefs.txt');
    expect(findCgroup2Mount(text)).toBe('/sys/fs/cgroup/unified');
    expect(findTracefsMount(text)).toBe('/sys/kernel/tracing');
  });

  test('a pure v2 host with tracefs in two places reports the canonical one', () => {
    const text = fixture('mountinfo-v2-tracefs.txt');
    expect(findCgroup2Mount(text)).toBe('/sys/fs/cgroup');
    expect(findTracefsMount(text)).toBe('/sys/kernel/tracing');
  });

  test('tracefs automounted under debugfs counts', () => {
    expect(findTracefsMount(fixture('mountinfo-debugfs-tracing-only.txt'))).toBe('/sys/kernel/debug/tracing');
  });
});

describe('small parsers', () => {
  test.each([
    ['bpftrace-version-0.17.txt', '0.17.0'],
    ['bpftrace-version-0.24.txt', '0.24.1-5-gabcdef'],
  ])('%s names version %s', (file, version) => {
    expect(parseBpftraceVersion(fixture(file))).toBe(version);
  });

  test('a version line without a number is no version', () => {
    expect(parseBpftraceVersion('bpftrace (unknown)')).toBe(null);
  });

  test('irqbalance is found by its comm, not by a prefix', () => {
    expect(commsInclude(['systemd\n', 'irqbalance\n'], 'irqbalance')).toBe(true);
    expect(commsInclude(['irqbalance-ui\n'], 'irqbalance')).toBe(false);
  });

  test('governors: none without cpufreq, one when all agree, a list when they differ', () => {
    expect(summarizeGovernors([null, null])).toBe(null);
    expect(summarizeGovernors(['performance\n', 'performance\n'])).toBe('performance');
    expect(summarizeGovernors(['schedutil\n', 'performance\n', null])).toBe('performance,schedutil');
  });
});
