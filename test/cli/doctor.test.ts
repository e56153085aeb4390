import { describe, expect, it } from 'vitest';
import { cgroup2, hasStackTrace, runCli } from './support.js';

// The real machine these tests run on (DESIGN: a 2-CPU, one-node VM with a hybrid cgroup
// layout, root, bpftrace installed). Run after `doctor --fix`, which mounts tracefs if needed.
describe('kdelta doctor on this machine', () => {
  it('--fix then --json: one JSON object saying 2 CPUs, 1 NUMA node, the cgroup2 mount and a usable bpftrace', async () => {
    const fixed = await runCli(['doctor', '--fix']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).not.toContain('could not mount tracefs');

    const r = await runCli(['doctor', '--json']);
    expect(r.code).toBe(0);
    expect(hasStackTrace(r.stderr)).toBe(false);
    // One object, nothing else on stdout.
    const text = r.stdout.trim();
    expect(text.startsWith('{') && text.endsWith('}')).toBe(true);
    const report = JSON.parse(text) as {
      facts: { cpus: number; numaNodes: number; cgroup2: string | null; bpftrace: { usable: boolean; version: string | null; path: string | null }; tracefs: string | null };
      checks: Array<{ id: string; ok: boolean; status: string }>;
    };
    expect(report.facts.cpus).toBe(2);
    expect(report.facts.numaNodes).toBe(1);
    expect(report.facts.cgroup2).toBe(cgroup2());
    expect(report.facts.cgroup2).toBe('/sys/fs/cgroup/unified');
    expect(report.facts.bpftrace.usable).toBe(true);
    expect(report.facts.bpftrace.version).toMatch(/^\d+\.\d+/);
    expect(report.facts.bpftrace.path).toMatch(/\/bpftrace$/);
    expect(report.facts.tracefs).not.toBeNull();
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    for (const id of ['bpftrace', 'tracefs', 'cgroup2', 'privileges']) expect(byId.get(id)?.ok, id).toBe(true);
  });

  it('without --json prints plain text, no escape codes off a terminal', async () => {
    const r = await runCli(['doctor']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bpftrace/);
    expect(r.stdout).not.toContain('\x1b');
  });
});
