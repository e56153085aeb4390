import { explanationOf } from './explain.js';
import { sidesOf } from './sides.js';
import junitReportBuilder, { type Builder } from 'junit-report-builder';
import type { Fingerprint } from '../environment/types.js';
import {
  environmentErrorOf,
  failureHow,
  failureLine,
  gatedItemsOf,
  verdictDetailLines,
  wallTimeSeconds,
  type GatedItem,
} from './items.js';
import type { Report, ScenarioReport } from './types.js';

/*
 * JUnit XML that validates against the Jenkins JUnit XSD (../shared/conformance/jenkins-junit.xsd),
 * the common ground of Jenkins, GitLab, dorny/test-reporter and mikepenz/action-junit-report.
 *
 * What junit-report-builder 5 emits that the XSD rejects, and what we do about it:
 * - a `skipped` attribute on <testsuites>: removed after building;
 * - <skipped/> cannot carry a reason through the builder, and the XSD allows no attribute on
 *   it (only text): the reason is put in as its text after building;
 * - properties on a <testcase> and the `file` attribute are not in the XSD: never used.
 * The builder writes failure, error, skipped in that order while the XSD wants skipped, error,
 * failure; each testcase here gets at most one of them, so the order never matters.
 *
 * Test names are metric names or limit texts, never a measured value, so CI history lines
 * up from run to run. Passing testcases have time 0: a testcase is a verdict on the whole
 * scenario, not a run of its own; the scenario's measured wall time goes on its testsuite.
 */

// The package is CommonJS whose module.exports is a builder, while its types describe an ES
// default export: under NodeNext the default import is that builder at run time.
const rootBuilder = ((junitReportBuilder as unknown as { default?: Builder }).default ??
  junitReportBuilder) as unknown as Builder;

const SKIPPED_MARK = '<skipped/>';

type Outcome =
  | { kind: 'pass' }
  | { kind: 'failure'; message: string; type: string; body: string }
  | { kind: 'skipped'; reason: string };

function outcomeOf(item: GatedItem, scenario: ScenarioReport, report: Report): Outcome {
  const v = item.verdict;
  const why = explanationOf(report, scenario.name, item.name);
  const body = [...verdictDetailLines(item, report), ...(why ? [`kernel: ${why}`] : [])].join('\n');
  if (v === null) {
    const why = scenario.failure ? `no verdict: the workload failed (${scenario.failure.message})` : 'no verdict';
    return { kind: 'skipped', reason: why };
  }
  switch (v.status) {
    case 'pass':
    case 'improvement':
      return { kind: 'pass' };
    case 'regression':
      return { kind: 'failure', message: failureLine(item, sidesOf(report)), type: 'regression', body };
    case 'limit-exceeded':
      return { kind: 'failure', message: failureLine(item, sidesOf(report)), type: 'limit-exceeded', body };
    case 'inconclusive':
      return { kind: 'skipped', reason: `inconclusive: ${v.message} (needs ${v.neededRepetitions} ${sidesOf(report).needed})` };
    case 'no-baseline':
      return { kind: 'skipped', reason: `no baseline: ${v.message}` };
    case 'unavailable':
      return { kind: 'skipped', reason: `unavailable: ${v.message}` };
  }
}

function fingerprintProperties(fp: Fingerprint): Array<[string, string]> {
  return Object.entries(fp).map(([k, v]) => [`kdelta.environment.${k}`, v === null ? '' : String(v)]);
}

function escapeXmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Puts each skip reason into its <skipped/> element, in document order. Only text outside
 * CDATA sections is touched: a workload's stderr inside a CDATA body could contain the
 * same characters, while outside CDATA every `<` of data is escaped.
 */
function fillSkippedReasons(xml: string, reasons: readonly string[]): string {
  let next = 0;
  return xml
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) =>
      part.startsWith('<![CDATA[')
        ? part
        : part.replaceAll(SKIPPED_MARK, () => `<skipped>${escapeXmlText(reasons[next++] ?? '')}</skipped>`),
    )
    .join('');
}

/** The run as JUnit XML: one testsuite per scenario, one testcase per gated metric and per limit. */
export function renderJunit(report: Report): string {
  const builder = rootBuilder.newBuilder().name('kdelta');
  const skipReasons: string[] = [];
  for (const scenario of report.scenarios) {
    const suite = builder
      .testSuite()
      .name(scenario.name)
      .timestamp(report.startedAt)
      .time(wallTimeSeconds(scenario));
    suite.property('kdelta.runId', report.runId);
    suite.property('kdelta.version', report.kdeltaVersion);
    suite.property('kdelta.scenarioFile', scenario.file);
    suite.property('kdelta.status', scenario.status);
    for (const [k, v] of fingerprintProperties(report.environment)) suite.property(k, v);
    const ab = report.ab?.scenarios.find((a) => a.name === scenario.name);
    if (ab) suite.property('kdelta.ab.rounds', String(ab.rounds));
    if (scenario.baseline && !report.ab) {
      suite.property('kdelta.baseline.machine', scenario.baseline.machine);
      suite.property('kdelta.baseline.mismatch', scenario.baseline.mismatch.join('; '));
    }
    const classname = `kdelta.${scenario.name}`;

    if (scenario.failure) {
      const f = scenario.failure;
      const how = failureHow(f);
      suite
        .testCase()
        .className(classname)
        .name('workload')
        .time(0)
        .error(`workload failed in ${sidesOf(report).repetition} ${f.repetition} (${how}): ${f.message}`, f.kind, f.stderrTail || '(no stderr)');
    }

    const envError = environmentErrorOf(scenario);
    if (envError !== null) {
      suite.testCase().className(classname).name('environment').time(0).error(envError, 'environment');
    }

    for (const item of gatedItemsOf(scenario)) {
      const tc = suite.testCase().className(classname).name(item.name).time(0);
      const outcome = outcomeOf(item, scenario, report);
      switch (outcome.kind) {
        case 'pass':
          break;
        case 'failure':
          tc.failure(outcome.message, outcome.type).stacktrace(outcome.body);
          break;
        case 'skipped':
          tc.skipped();
          skipReasons.push(outcome.reason);
          break;
      }
    }
  }
  const xml = builder.build();
  // The XSD has no `skipped` attribute on <testsuites> (only on <testsuite>).
  const fixedRoot = xml.replace(/^(<\?xml[^>]*>\s*<testsuites\b[^>]*?) skipped="\d+"/, '$1');
  return fillSkippedReasons(fixedRoot, skipReasons).replace(/\n*$/, '\n');
}
