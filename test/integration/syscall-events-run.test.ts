// Slow-call events through `kdelta run`: report.json keeps them (and validates), summary.md
// lists them with their stacks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unfoldReport, type StoredReport } from '../../src/report/compact.js';
import { validateReport } from '../../src/report/schema.js';
import type { Report } from '../../src/report/types.js';
import { repoRoot, runCli, tempDir, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };
let report: Report;
let summary: string;

beforeAll(async () => {
  dir = await tempDir('kdelta-events-run-');
  const file = await writeScenario(
    dir.path,
    'slow-calls.yaml',
    `name: slow-calls
workload:
  command: [${JSON.stringify(join(repoRoot, 'helpers', 'bin', 'kdelta-slowcall'))}, "3", "30", "100"]
repetitions: 2
warmup: 0
collect:
  proc: false
  ebpf: { ready_delay: false, irq: false, syscalls: { events: { over: 15ms, max: 2, stacks: true } } }
  require: [events]
gate:
  metrics:
    workload.wall_time: {}
`,
  );
  const out = join(dir.path, 'out');
  const r = await runCli(['run', file, '--out', out, '--baselines', join(dir.path, 'baselines'), '--machine', 'events-test']);
  expect(r.code, r.stderr).toBe(0);
  const stored = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as StoredReport;
  const v = validateReport(stored);
  expect(v.ok ? [] : v.errors).toEqual([]);
  report = unfoldReport(stored);
  summary = readFileSync(join(out, 'summary.md'), 'utf8');
}, 120_000);

afterAll(async () => {
  await dir.remove();
});

describe('kdelta run with collect.ebpf.syscalls.events', () => {
  it('keeps max events per repetition in report.json and counts the dropped one exactly', () => {
    const ev = report.scenarios[0]!.syscallEvents!;
    expect(ev).toMatchObject({ overNs: 15_000_000, max: 2, stacks: true });
    expect(ev.repetitions.map((r) => [r.repetition, r.seen, r.dropped, r.events.length])).toEqual([
      [1, 3, 1, 2],
      [2, 3, 1, 2],
    ]);
    for (const e of ev.repetitions.flatMap((r) => r.events)) {
      expect(e.syscall).toBe('nanosleep');
      expect(e.comm).toBe('kdelta-slowcall');
      expect(e.durationNs).toBeGreaterThanOrEqual(30_000_000);
      expect(e.user.some((f) => f.includes('kdelta_slow_call+0x'))).toBe(true);
    }
    const count = report.scenarios[0]!.metrics.find((m) => m.name === 'syscall.slow.count');
    expect(count?.samples).toEqual([3, 3]);
  });

  it('lists them in summary.md', () => {
    expect(summary).toContain('**Slowest system calls** (over 15');
    expect(summary).toMatch(/\| 1 \| [^|]+ \| kdelta-slowcall \(\d+\/\d+\) \| nanosleep \| [^|]+ \| [^|]*kdelta\\_slow\\_call\+0x/u);
  });
});
