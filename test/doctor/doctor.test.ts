import { describe, expect, test } from 'vitest';
import { doctorExitCode, runDoctor, type DoctorCheck } from '../../src/doctor/doctor.js';
import { formatDoctor } from '../../src/doctor/format.js';
import type { MachineFacts } from '../../src/environment/types.js';
import { VM_FACTS } from '../fixtures/machine-facts.js';

const VM = VM_FACTS;

const check = (facts: MachineFacts, id: string): DoctorCheck => {
  const c = runDoctor(facts).checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

describe('doctor on recorded machine facts', () => {
  test('the set-up VM passes every check and says eBPF is usable', () => {
    const report = runDoctor(VM);
    expect(report.checks.map((c) => c.id)).toEqual([
      'privileges',
      'bpftrace',
      'tracefs',
      'btf',
      'cgroup2',
      'schedstat',
      'psi',
      'cpus',
      'numa',
      'governor',
      'smt',
      'irqbalance',
    ]);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.summary).toEqual({ ok: 12, missing: 0, warning: 0 });
    expect(report.facts).toMatchObject({ cpus: 2, numaNodes: 1, cgroup2: '/sys/fs/cgroup/unified', bpftrace: { usable: true, version: '0.17.0' } });
  });

  test('without bpftrace: the eBPF metrics are disabled and the fix is apt-get', () => {
    const report = runDoctor({ ...VM, bpftrace: null });
    const c = report.checks.find((x) => x.id === 'bpftrace');
    expect(c).toMatchObject({ ok: false, status: 'missing', fix: 'apt-get install bpftrace' });
    expect(c?.disables).toEqual(['sched.ready_delay.*', 'syscall.*', 'irq.hard.*.time*', 'softirq.*.time*']);
    expect(report.facts.bpftrace).toEqual({ usable: false, version: null, path: null });
    expect(report.disabled).toEqual(['sched.ready_delay.*', 'syscall.*', 'irq.hard.*.time*', 'softirq.*.time*']);
  });

  test('without tracefs: --fix is offered and eBPF is not usable', () => {
    const report = runDoctor({ ...VM, tracefs: null });
    expect(report.checks.find((x) => x.id === 'tracefs')).toMatchObject({
      ok: false,
      fix: 'kdelta doctor --fix (or: mount -t tracefs tracefs /sys/kernel/tracing)',
      disables: ['sched.ready_delay.*', 'syscall.*', 'irq.hard.*.time*', 'softirq.*.time*'],
    });
    expect(report.facts.bpftrace.usable).toBe(false);
  });

  test('not root and no capabilities: privileges fail; with CAP_BPF and CAP_PERFMON they pass', () => {
    expect(check({ ...VM, isRoot: false, hasBpfCaps: false }, 'privileges')).toMatchObject({ ok: false, status: 'missing' });
    expect(runDoctor({ ...VM, isRoot: false, hasBpfCaps: false }).facts.bpftrace.usable).toBe(false);
    expect(check({ ...VM, isRoot: false, hasBpfCaps: true }, 'privileges')).toMatchObject({ ok: true, detail: 'CAP_BPF and CAP_PERFMON in the effective set' });
  });

  test('missing cgroup2, schedstat and PSI name the /proc metrics they take away', () => {
    const report = runDoctor({ ...VM, cgroup2: null, schedstat: false, psi: false });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId.cgroup2?.disables).toContain('sched.context_switches*');
    expect(byId.schedstat?.disables.join(' ')).toContain('sched.ready_delay.total');
    expect(byId.psi?.disables).toContain('system.psi.cpu_some');
    expect(report.summary.missing).toBe(3);
  });

  test('noise sources are warnings that disable nothing', () => {
    const report = runDoctor({ ...VM, smt: true, governor: 'powersave', irqbalanceRunning: true, btf: false });
    const warned = report.checks.filter((c) => c.status === 'warning');
    expect(warned.map((c) => c.id)).toEqual(['btf', 'governor', 'smt', 'irqbalance']);
    expect(warned.every((c) => c.disables.length === 0 && c.fix !== undefined)).toBe(true);
    expect(report.disabled).toEqual([]);
  });

  test('a four-node machine lists the CPUs of each node', () => {
    const cpus = Array.from({ length: 64 }, (_, i) => i);
    const cpuNode = Object.fromEntries(cpus.map((c) => [c, Math.floor(c / 16)]));
    const c = check({ ...VM, onlineCpus: cpus, cpuNode, numaNodes: [0, 1, 2, 3] }, 'numa');
    expect(c.detail).toBe('4 nodes (node0: 0-15; node1: 16-31; node2: 32-47; node3: 48-63)');
    expect(check({ ...VM, onlineCpus: cpus }, 'cpus').detail).toBe('64 online (0-63)');
  });
});

describe('formatting', () => {
  test('plain text is one aligned line per check plus a summary, without escape codes', () => {
    const text = formatDoctor(runDoctor({ ...VM, tracefs: null }), { color: false });
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    expect(text.includes('\u001b[')).toBe(false);
    expect(lines[0]).toBe('ok       privileges  running as root');
    expect(lines[2]).toBe(
      'missing  tracefs     not mounted: bpftrace reports "tracepoint not found" for every probe — disables sched.ready_delay.*, syscall.*, irq.hard.*.time*, softirq.*.time* — fix: kdelta doctor --fix (or: mount -t tracefs tracefs /sys/kernel/tracing)',
    );
    expect(lines[12]).toBe(
      'eBPF capture NOT usable; 1 missing, 0 warnings; not measurable here: sched.ready_delay.*, syscall.*, irq.hard.*.time*, softirq.*.time*.',
    );
  });

  test('with colour, marks are coloured symbols', () => {
    const first = formatDoctor(runDoctor({ ...VM, tracefs: null }), { color: true }).split('\n');
    expect(first[0]).toBe('\u001b[32m✓\u001b[39m  \u001b[1mprivileges\u001b[22m  running as root');
    expect(first[2]?.startsWith('\u001b[31m✗\u001b[39m  ')).toBe(true);
  });

  test('a healthy machine ends with a one-line all-clear', () => {
    expect(formatDoctor(runDoctor(VM), { color: false }).trimEnd().split('\n').at(-1)).toBe('eBPF capture usable; every metric can be measured here.');
  });

  test('the JSON form is one object with checks and facts', () => {
    const parsed = JSON.parse(JSON.stringify(runDoctor(VM))) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['checks', 'disabled', 'facts', 'summary']);
  });
});

describe('exit code', () => {
  test('doctor informs: 0 even when things are missing', () => {
    expect(doctorExitCode(runDoctor({ ...VM, bpftrace: null }))).toBe(0);
  });

  test('strict mode exits 3 when something is missing, not for warnings', () => {
    expect(doctorExitCode(runDoctor({ ...VM, bpftrace: null }), { strict: true })).toBe(3);
    expect(doctorExitCode(runDoctor({ ...VM, smt: true }), { strict: true })).toBe(0);
  });
});

describe('doctor and the libbpf capture', () => {
  const ready = { state: 'ready' as const, detail: 'libbpf loader' };
  const notBuilt = { state: 'unavailable' as const, reason: 'helpers/bin/kdelta-bpf is not built', fix: 'npm run build:helpers', disables: [] };
  const find = (checks: DoctorCheck[], id: string): DoctorCheck | undefined => checks.find((c) => c.id === id);

  test('with the libbpf loader ready, a run uses libbpf and a missing bpftrace disables nothing', () => {
    const report = runDoctor({ ...VM, bpftrace: null }, { libbpf: ready, backend: 'auto' });
    expect(report.capture?.backend).toBe('libbpf');
    expect(find(report.checks, 'bpftrace')?.status).toBe('warning');
    expect(find(report.checks, 'libbpf')?.status).toBe('ok');
    expect(report.disabled).toEqual([]);
  });

  test('with the loader not built, a run falls back to bpftrace and doctor says why', () => {
    const report = runDoctor(VM, { libbpf: notBuilt, backend: 'auto' });
    expect(report.capture).toEqual({ backend: 'bpftrace', reason: 'fallback: the libbpf capture is unavailable (helpers/bin/kdelta-bpf is not built)' });
    expect(find(report.checks, 'libbpf')).toMatchObject({ status: 'warning', fix: 'npm run build:helpers', disables: [] });
    expect(formatDoctor(report, { color: false })).toContain('eBPF capture: bpftrace (fallback: the libbpf capture is unavailable');
  });

  test('with neither capture able to run, the libbpf check is missing and takes the eBPF metrics away', () => {
    const report = runDoctor({ ...VM, bpftrace: null }, { libbpf: notBuilt, backend: 'auto' });
    expect(report.capture?.backend).toBeNull();
    expect(find(report.checks, 'libbpf')?.status).toBe('missing');
    expect(report.disabled).toContain('sched.ready_delay.*');
  });

  test('KDELTA_EBPF=bpftrace makes doctor report bpftrace even where libbpf is ready', () => {
    const report = runDoctor(VM, { libbpf: ready, backend: 'bpftrace' });
    expect(report.capture).toEqual({ backend: 'bpftrace', reason: 'KDELTA_EBPF=bpftrace forces it' });
    expect(find(report.checks, 'libbpf')?.detail).toContain('not used');
  });
});

describe('doctor on slow-call events', () => {
  test('says whether they can run: ok when ready, a warning that disables nothing when not', () => {
    expect(runDoctor(VM, undefined, null, { events: { state: 'ready', detail: 'libbpf' } }).checks.find((c) => c.id === 'events')).toMatchObject({ ok: true, status: 'ok' });
    const c = runDoctor(VM, undefined, null, { events: { state: 'unavailable', reason: 'helpers/bin/kdelta-events is not built', fix: 'npm run build:helpers', disables: [] } }).checks.find((x) => x.id === 'events');
    expect(c).toMatchObject({ ok: false, status: 'warning', detail: 'slow-call events: helpers/bin/kdelta-events is not built', fix: 'npm run build:helpers', disables: [] });
    expect(runDoctor(VM).checks.some((x) => x.id === 'events')).toBe(false);
  });
});
