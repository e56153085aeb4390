import { describe, expect, test } from 'vitest';
import { renderConsoleSummary } from '../../src/report/console.js';
import { AWKWARD, manyScenarioReport, sampleReport } from './sample.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

describe('renderConsoleSummary', () => {
  const written = { json: 'reports/r1/report.json', junit: 'reports/r1/junit.xml', markdown: 'reports/r1/summary.md' };
  const text = renderConsoleSummary(sampleReport(), { color: false, written });

  test('gives the status, each scenario, the verdict counts, the worst regressions and the report paths', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('kdelta ERROR: 2 regressions, 1 workload failed (3 scenarios in 5m00s, run 2026-11-21T22-00-00Z-abc123)');
    expect(lines[1]).toMatch(/^ {2}! crashy\s+error\s+workload failed in repetition 2: command exited with code 3$/);
    expect(lines[2]).toMatch(/^ {2}✖ syscall-loop\s+regression\s+1 regression, 1 limit-exceeded, 1 improvement, 1 pass$/);
    expect(lines[3]).toContain(`✔ ${AWKWARD}`);
    expect(text).toContain('gated checks: 1 regression, 1 limit-exceeded, 1 inconclusive, 1 unavailable, 1 no-baseline, 1 no verdict, 1 improvement, 1 pass');
    expect(text).toContain('worst regressions:\n  syscall-loop: sched.ready_delay.p99 < 1us broken: 1.14 µs\n  syscall-loop: sched.ready_delay.p99 +14.2% vs baseline, tolerance +10%, p=0.003\n');
    expect(text).toContain('reports: reports/r1/report.json\n         reports/r1/junit.xml\n         reports/r1/summary.md\n');
  });

  test('has no colour codes unless asked, and has them when asked', () => {
    expect(text).not.toMatch(ANSI);
    expect(renderConsoleSummary(sampleReport(), { color: true })).toMatch(ANSI);
  });

  test('fits one screen on a run of 300 scenarios: worst ones listed, the rest counted', () => {
    const out = renderConsoleSummary(manyScenarioReport(300), { color: false });
    const lines = out.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(out).toContain('  … and 280 more scenarios (280 pass)\n');
    expect(out).toContain('bench-275');
  });

  test('a run with many failing scenarios still fits one screen', () => {
    const report = manyScenarioReport(300);
    for (const s of report.scenarios) if (s.status === 'pass') s.status = 'regression';
    const lines = renderConsoleSummary(report, { color: false }).trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(lines).toContain('  … and 280 more scenarios (280 regression)');
  });

  test('control characters in names cannot reach the terminal', () => {
    const report = sampleReport();
    report.scenarios[0]!.name = 'evil\u001b[2Jname';
    const out = renderConsoleSummary(report, { color: false });
    expect(out).not.toMatch(ANSI);
    expect(out).toContain('evil\\x1b[2Jname');
  });
});
