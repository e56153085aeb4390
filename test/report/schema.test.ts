import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { reportSchema, validateReport } from '../../src/report/schema.js';
import { reportJsonText } from '../../src/report/write.js';
import { repoRoot } from './helpers.js';
import { AWKWARD, sampleReport } from './sample.js';

describe('report schema', () => {
  test('the committed schemas/report.schema.json is the schema constant (npm run schemas)', () => {
    const committed = readFileSync(join(repoRoot, 'schemas/report.schema.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(reportSchema, null, 2)}\n`);
  });

  test('a report with every verdict and a failed workload validates as written', () => {
    const result = validateReport(JSON.parse(reportJsonText(sampleReport())));
    expect(result).toEqual({ ok: true, report: expect.anything() });
    const statuses = new Set(
      sampleReport().scenarios.flatMap((s) => [...s.metrics.map((m) => m.verdict?.status), ...s.limits.map((l) => l.verdict.status)]),
    );
    for (const s of ['pass', 'regression', 'improvement', 'inconclusive', 'no-baseline', 'unavailable', 'limit-exceeded']) {
      expect(statuses).toContain(s);
    }
  });

  test('a report in the form written before the compact one, with the summary of an empty series as nulls, is accepted', () => {
    const parsed = JSON.parse(JSON.stringify(sampleReport()));
    const empty = parsed.scenarios[1].metrics.find((m: { samples: number[] }) => m.samples.length === 0);
    expect(empty.summary).toEqual({ median: null, mean: null, min: null, max: null, stddev: null });
    expect(validateReport(parsed).ok).toBe(true);
  });

  test('awkward names come back unchanged from report.json', () => {
    const parsed = JSON.parse(reportJsonText(sampleReport()));
    expect(parsed.scenarios[1].name).toBe(AWKWARD);
    expect(parsed.scenarios[1].metrics[0].name).toBe(`workload.${AWKWARD}`);
  });

  test('a sample that is not a number is rejected (null is only allowed in summaries and verdict statistics)', () => {
    const report = sampleReport();
    report.scenarios[0]!.metrics[0]!.samples.push(NaN);
    const result = validateReport(JSON.parse(reportJsonText(report)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toContain('/scenarios/0/metrics/0/samples/3');
  });

  test('an unknown verdict status, a missing field and an unknown field are rejected', () => {
    const bad = JSON.parse(reportJsonText(sampleReport()));
    bad.scenarios[0].metrics[1].verdict.status = 'worse';
    expect(validateReport(bad).ok).toBe(false);

    const missing = JSON.parse(reportJsonText(sampleReport()));
    delete missing.environment.kernelRelease;
    expect(validateReport(missing).ok).toBe(false);

    const extra = JSON.parse(reportJsonText(sampleReport()));
    extra.scenarios[0].surprise = 1;
    expect(validateReport(extra).ok).toBe(false);
  });

  test('an inconclusive verdict without neededRepetitions is rejected', () => {
    const bad = JSON.parse(reportJsonText(sampleReport()));
    delete bad.scenarios[1].metrics[0].verdict.neededRepetitions;
    expect(validateReport(bad).ok).toBe(false);
  });

  test('timestamps must be RFC 3339 date-times', () => {
    const bad = JSON.parse(reportJsonText(sampleReport()));
    bad.startedAt = 'yesterday';
    expect(validateReport(bad).ok).toBe(false);
  });
});
