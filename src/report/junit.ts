import { relative } from 'node:path';
import { explanationOf } from './explain.js';
import { sidesOf } from './sides.js';
import junitReportBuilder, { type Builder, type TestCase } from 'junit-report-builder';
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
import { failureHeadline, INPUT_FAILURE } from './verdicts.js';
import type { GateLines } from './gate-lines.js';
import type { Report, ScenarioReport } from './types.js';

/*
 * JUnit XML for Jenkins, GitLab, dorny/test-reporter, mikepenz/action-junit-report and
 * test-results-parser. It is the Jenkins JUnit XSD plus three attributes the XSD lacks and
 * real consumers read (Jenkins itself parses without validating and ignores them):
 * - `file` and `line` on <testcase>: the scenario file and the line of the gate entry, which
 *   GitLab and action-junit-report annotate (without them they glob for a file, line 1);
 * - `skipped` on <testsuites>: test-results-parser takes the run's skipped count from the
 *   root and reads a missing one as none, so totals would be wrong there.
 * <skipped/> cannot carry a reason through the builder, and the XSD allows no attribute on
 * it (only text): the reason is put in as its text after building. The builder writes
 * failure, error, skipped in that order while the XSD wants skipped, error, failure; each
 * testcase here gets at most one of them, so the order never matters.
 *
 * Test names are metric names or limit texts, never a measured value, so CI history lines
 * up from run to run; classname is the suite's name, so reporters that group by classname
 * do not nest a second level.
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
    const why = scenario.failure ? `no verdict: ${failureHeadline(scenario.failure)} (${scenario.failure.message})` : 'no verdict';
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

export interface JunitOptions {
  /** Scenario files are named relative to this folder (the working directory). */
  cwd?: string;
  /** Where each gated check is written in its scenario file (gate-lines.ts). */
  gateLines?: GateLines;
}

/** Milliseconds split into `n` whole shares that add up to the total exactly. */
function shares(totalMs: number, n: number): number[] {
  const base = Math.floor(totalMs / n);
  return Array.from({ length: n }, (_, i) => (base + (i < totalMs - base * n ? 1 : 0)) / 1000);
}

function runSeconds(report: Report): number {
  const ms = Date.parse(report.endedAt) - Date.parse(report.startedAt);
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
}

function suiteProperties(suite: ReturnType<Builder['testSuite']>, report: Report): void {
  suite.property('kdelta.runId', report.runId);
  suite.property('kdelta.version', report.kdeltaVersion);
  suite.property('kdelta.status', report.status);
  for (const [k, v] of fingerprintProperties(report.environment)) suite.property(k, v);
}

/** A regression downgraded because the baseline comes from another machine class, in words for <system-out>. */
function mismatchNote(item: GatedItem, scenario: ScenarioReport): string | null {
  const v = item.verdict;
  if (v && 'warning' in v && v.warning) return `kdelta: ${v.message}`;
  const mismatch = scenario.baseline?.mismatch ?? [];
  return mismatch.length > 0 ? `kdelta: the baseline comes from another machine class (${mismatch.join(', ')})` : null;
}

/**
 * The run as JUnit XML: one testsuite per scenario, one testcase per gated metric and per
 * limit. Times add up the way consumers sum them: the scenario's measured wall time is split
 * over its testcases (whole milliseconds), the root has the run's duration. Properties that
 * are the same for the whole run are written once, on the first testsuite (the XSD allows
 * no properties on the root).
 */
export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const builder = rootBuilder.newBuilder().name('kdelta');
  const skipReasons: string[] = [];
  report.scenarios.forEach((scenario, index) => {
    const file = relative(cwd, scenario.file) || scenario.file;
    const lines = options.gateLines?.get(scenario.name);
    const items = gatedItemsOf(scenario);
    const envError = environmentErrorOf(scenario);
    const count = items.length + (scenario.failure ? 1 : 0) + (envError !== null ? 1 : 0);
    const totalMs = Math.round(wallTimeSeconds(scenario) * 1000);
    const times = shares(totalMs, Math.max(1, count));
    let next = 0;
    const suite = builder.testSuite().name(scenario.name).timestamp(report.startedAt).time(totalMs / 1000);
    if (index === 0) suiteProperties(suite, report);
    suite.property('kdelta.scenarioFile', file);
    suite.property('kdelta.scenarioStatus', scenario.status);
    const ab = report.ab?.scenarios.find((a) => a.name === scenario.name);
    if (ab) suite.property('kdelta.ab.rounds', String(ab.rounds));
    if (scenario.baseline && !report.ab) {
      suite.property('kdelta.baseline.machine', scenario.baseline.machine);
      suite.property('kdelta.baseline.mismatch', scenario.baseline.mismatch.join('; '));
    }
    const testCase = (name: string, line: number | undefined): TestCase => {
      const tc = suite.testCase().className(scenario.name).name(name).time(times[next++] ?? 0).file(file);
      // The builder has no setter for `line`, which GitLab and action-junit-report read next to `file`.
      if (line !== undefined) (tc as unknown as { _attributes: Record<string, unknown> })._attributes['line'] = line;
      return tc;
    };

    if (scenario.failure) {
      const f = scenario.failure;
      if (f.kind === INPUT_FAILURE) testCase('baseline', undefined).error(`${failureHeadline(f)}: ${f.message}`, f.kind, f.message);
      else testCase('workload', undefined).error(`${failureHeadline(f, sidesOf(report).repetition)} (${failureHow(f)}): ${f.message}`, f.kind, f.stderrTail || '(no stderr)');
    }
    if (envError !== null) testCase('environment', undefined).error(envError, 'environment');

    for (const item of items) {
      const tc = testCase(item.name, item.kind === 'limit' ? lines?.limits.get(item.name) : lines?.metrics.get(item.name));
      const outcome = outcomeOf(item, scenario, report);
      if (outcome.kind === 'failure') tc.failure(outcome.message, outcome.type).stacktrace(outcome.body);
      if (outcome.kind === 'skipped') {
        tc.skipped();
        skipReasons.push(outcome.reason);
      }
      const note = mismatchNote(item, scenario);
      if (note !== null) tc.standardOutput(note);
    }
  });
  // The builder has no setter for the root's time: it goes in after `name`, the first attribute.
  const xml = builder.build().replace(/^(<\?xml[^>]*>\s*<testsuites name="kdelta")/, `$1 time="${round3(runSeconds(report))}"`);
  return fillSkippedReasons(xml, skipReasons).replace(/\n*$/, '\n');
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
