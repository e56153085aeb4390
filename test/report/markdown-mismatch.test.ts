import { describe, expect, test } from 'vitest';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/types.js';
import { mismatchWarning } from '../../src/report/verdicts.js';
import { cmarkGfm, htmlText, xpath } from './helpers.js';
import { manyScenarioReport, sampleReport } from './sample.js';

/** The report with every baseline from this machine class. */
function matchingReport(report: Report): Report {
  for (const s of report.scenarios) if (s.baseline) s.baseline = { ...s.baseline, mismatch: [] };
  return report;
}

/** The sample with its first scenario's regression downgraded, as a baseline of another machine class makes it. */
function mismatchedReport(): Report {
  const report = matchingReport(sampleReport());
  const s = report.scenarios[0]!;
  s.baseline = { ...s.baseline!, mismatch: ['kernelRelease: 6.1 -> 6.18'] };
  const m = s.metrics.find((x) => x.verdict?.status === 'regression')!;
  const v = m.verdict!;
  if (v.status !== 'regression') throw new Error('the sample changed: no regression to downgrade');
  const warning = mismatchWarning(s.baseline.mismatch, v.change);
  m.verdict = { ...v, status: 'pass', warning, message: `warning: ${v.message}: ${warning}` };
  return report;
}

describe('a baseline from another machine class', () => {
  const report = mismatchedReport();

  test('the headline warns with a count of such baselines and what differs', () => {
    const text = htmlText(cmarkGfm(renderMarkdown(report, { variant: 'summary' })));
    const withBaseline = report.scenarios.filter((s) => s.baseline !== null).length;
    expect(withBaseline).toBeGreaterThan(1);
    expect(text).toContain(`1 of ${withBaseline} baselines come from another machine class: kernelRelease: 6.1 -> 6.18`);
  });

  test('the verdict says what it would have been, with the change', () => {
    const md = renderMarkdown(report, { variant: 'summary' });
    expect(md).toContain('would be a regression: +14.2%, but the baseline comes from another machine class');
  });

  test('the affected JUnit testcase carries a system-out note', () => {
    const xml = renderJunit(report);
    expect(xpath(xml, 'string(//testcase[@name="sched.ready_delay.p99"]/system-out)')).toContain('would be a regression: +14.2%');
  });

  test('a run whose baselines all match has no such warning', () => {
    const md = renderMarkdown(matchingReport(manyScenarioReport(3)), { variant: 'summary' });
    expect(md).not.toContain('another machine class');
  });
});

describe('summary.md and comment.md', () => {
  test('summary.md links report.html in its headline; comment.md does not (the comment has no folder beside it)', () => {
    expect(renderMarkdown(sampleReport(), { variant: 'summary' })).toContain('Pictures: [report.html](report.html)');
    expect(renderMarkdown(sampleReport(), { variant: 'comment' })).not.toContain('report.html');
  });

  test('the cut-off note names the scenarios whose details it left out', () => {
    const md = renderMarkdown(manyScenarioReport(400), { variant: 'comment' });
    const note = md.split('\n').find((l) => l.includes('Cut to keep'))!;
    expect(note).toMatch(/the details of [\d,]+ of 400 scenarios \(passing scenarios are cut first\): [^ ]+-\d+, /);
    expect(note).toContain('more. report.json has everything.');
  });

  test('the header says when the measurements were taken', () => {
    const r = sampleReport();
    expect(renderMarkdown(r, { variant: 'summary' })).toContain(`measured ${r.startedAt} → ${r.endedAt}`);
  });
});
