import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { mergeReports } from '../../src/history/merge.js';
import { unfoldReport, type StoredReport } from '../../src/report/compact.js';
import { validateReport } from '../../src/report/schema.js';
import type { Report } from '../../src/report/types.js';
import { reportJsonText } from '../../src/report/write.js';
import { repoRoot } from './helpers.js';
import { sampleReport } from './sample.js';

/*
 * report.json of the shipped suite, recorded with `kdelta run scenarios/ --repetitions 10`
 * against the committed baselines (8 scenarios, 2,226 metrics, 16 gated) and kept gzipped in
 * the form kdelta wrote before this one (bucket arrays with hi, baselineSamples per
 * scenario, every metric field present; paths made relative to the checkout). Written in
 * today's form it must stay under 600 KB and read back as the same report, deciding the
 * same verdicts.
 */

const SUITE = join(repoRoot, 'test/fixtures/report/suite-r10.json.gz');
const LIMIT_BYTES = 600_000;

function parsedReport(text: string): Report {
  const parsed: unknown = JSON.parse(text);
  const v = validateReport(parsed);
  if (!v.ok) throw new Error(v.errors.slice(0, 5).join('; '));
  return unfoldReport(parsed as StoredReport);
}

/** As JSON: a summary of no samples is NaN in memory and null in the file. */
const asJson = (r: unknown): unknown => JSON.parse(JSON.stringify(r));

const recordedText = gunzipSync(readFileSync(SUITE)).toString('utf8');
const recorded = parsedReport(recordedText);
const compactText = reportJsonText(recorded);

function verdicts(report: Report): unknown {
  return {
    status: report.status,
    family: report.family,
    scenarios: report.scenarios.map((s) => [s.name, s.status, s.metrics.filter((m) => m.gated).map((m) => [m.name, m.verdict]), s.limits.map((l) => l.verdict)]),
  };
}

describe('report.json of the shipped suite', () => {
  test(`is under ${LIMIT_BYTES / 1000} KB, from ${Math.round(Buffer.byteLength(recordedText) / 1000)} KB in the previous form`, () => {
    expect(recorded.scenarios).toHaveLength(8);
    expect(recorded.scenarios.every((s) => s.baseline !== null)).toBe(true);
    expect(Buffer.byteLength(compactText)).toBeLessThan(LIMIT_BYTES);
    expect(Buffer.byteLength(compactText)).toBeLessThan(Buffer.byteLength(recordedText) * 0.75);
  });

  test('reads back as the same report: samples, baseline samples, histograms, summaries and verdicts', () => {
    expect(asJson(parsedReport(compactText))).toEqual(asJson(recorded));
  });

  test('writing what was read back gives the same bytes', () => {
    expect(reportJsonText(parsedReport(compactText))).toBe(compactText);
  });

  test('the engine decides the same verdicts on the compact report as on the recorded one', async () => {
    const fromRecorded = await mergeReports([{ path: 'recorded.json', report: recorded }], 'round-trip');
    const fromCompact = await mergeReports([{ path: 'compact.json', report: parsedReport(compactText) }], 'round-trip');
    expect(verdicts(fromCompact)).toEqual(verdicts(fromRecorded));
    // Something was decided: the comparison is not between two empty lists.
    const decided = fromCompact.scenarios.flatMap((s) => s.metrics.filter((m) => m.verdict !== null));
    expect(decided.length).toBeGreaterThanOrEqual(16);
  });
});

describe('the compact form', () => {
  const text = reportJsonText(sampleReport());
  const stored = JSON.parse(text) as StoredReport;
  const metrics = stored.scenarios.flatMap((s) => s.metrics);

  test('leaves out fields at their usual value and keeps the others', () => {
    expect(metrics.some((m) => 'gated' in m && m.gated === false)).toBe(false);
    expect(metrics.some((m) => 'verdict' in m && m.verdict === null)).toBe(false);
    expect(metrics.some((m) => 'better' in m && m.better === 'lower')).toBe(false);
    expect(metrics.filter((m) => m.better === 'higher').length).toBeGreaterThan(0);
    expect(metrics.some((m) => 'summary' in m)).toBe(false);
    expect(metrics.filter((m) => Array.isArray(m.baseline)).length).toBeGreaterThan(0);
    expect(stored.scenarios.some((s) => 'baselineSamples' in s)).toBe(false);
  });

  test('drops a histogram upper bound only where it follows from the lower one', () => {
    const withHistogram = metrics.filter((m) => m.histogram && 'lo' in m.histogram);
    expect(withHistogram.length).toBeGreaterThan(0);
    expect(withHistogram.every((m) => m.histogram && 'lo' in m.histogram && m.histogram.hi === undefined)).toBe(true);
    const odd = sampleReport();
    const m = odd.scenarios[0]!.metrics.find((x) => x.histogram)!;
    m.histogram = { unit: 'ns', subBuckets: 8, buckets: [{ lo: 100, hi: 150, count: 3 }] };
    const back = parsedReport(reportJsonText(odd));
    expect(back.scenarios[0]!.metrics.find((x) => x.name === m.name)!.histogram).toEqual(m.histogram);
  });

  test('a metric without a baseline and one with an empty baseline stay apart', () => {
    const report = sampleReport();
    const [a, b] = report.scenarios[0]!.metrics;
    a!.baseline = null;
    b!.baseline = { samples: [], summary: { median: NaN, mean: NaN, min: NaN, max: NaN, stddev: NaN } };
    const back = parsedReport(reportJsonText(report)).scenarios[0]!.metrics;
    expect(back[0]!.baseline).toBeNull();
    expect(back[1]!.baseline?.samples).toEqual([]);
  });
});
