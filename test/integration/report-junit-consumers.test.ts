import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseStringPromise } from 'xml2js';
import { xml2js } from 'xml-js';
import { repoRoot, runCli, tempDir } from '../cli/support.js';
import { extendedJenkinsXsd, xmllintSchema } from '../report/helpers.js';

/*
 * junit.xml of a real `kdelta compare` (regressions, inconclusives, a failed workload), read
 * by the parsers real consumers use: xmllint with the Jenkins XSD, Python's junitparser
 * (Debian python3-junitparser), xml2js the way dorny/test-reporter reads it, and xml-js in
 * compact mode the way mikepenz/action-junit-report reads it.
 */

const MIXED = 'test/fixtures/compare-golden/mixed';
const SCENARIO = 'test/fixtures/compare-golden/scenarios/syscall-mix.yaml';

let dir: { path: string; remove: () => Promise<void> };
let xml = '';
let scenarioLines: string[] = [];

beforeAll(async () => {
  dir = await tempDir('kdelta-junit-consumers-');
  await runCli(['compare', `${MIXED}/base.json`, `${MIXED}/current.json`, '--out', dir.path]);
  xml = await readFile(join(dir.path, 'junit.xml'), 'utf8');
  scenarioLines = (await readFile(join(repoRoot, SCENARIO), 'utf8')).split('\n');
});
afterAll(async () => dir.remove());

/** The 1-based line of the scenario file that starts with `text` once indented. */
function lineOf(text: string): number {
  return scenarioLines.findIndex((l) => l.trimStart().startsWith(text)) + 1;
}

describe('junit.xml read by its consumers', () => {
  test('xmllint validates it against the Jenkins XSD plus the file, line and root skipped attributes', () => {
    expect(xmllintSchema(xml, extendedJenkinsXsd()).status).toBe(0);
  });

  test("Python's junitparser reads the same totals as the root, testcase times that sum to the suite's, and the file", async () => {
    const script = join(dir.path, 'read.py');
    await writeFile(
      script,
      [
        'import json, sys',
        'from junitparser import JUnitXml, Failure, Error, Skipped',
        'xml = JUnitXml.fromfile(sys.argv[1])',
        'out = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "suites": []}',
        'for suite in xml:',
        '    cases = list(suite)',
        '    out["suites"].append({"time": suite.time, "caseTime": sum(c.time for c in cases), "files": sorted({c._elem.get("file") for c in cases})})',
        '    for c in cases:',
        '        out["tests"] += 1',
        '        kinds = {type(r) for r in c.result}',
        '        out["failures"] += Failure in kinds',
        '        out["errors"] += Error in kinds',
        '        out["skipped"] += Skipped in kinds',
        'print(json.dumps(out))',
      ].join('\n'),
    );
    const read = JSON.parse(execFileSync('/usr/bin/python3', [script, join(dir.path, 'junit.xml')], { encoding: 'utf8' })) as {
      tests: number; failures: number; errors: number; skipped: number; suites: Array<{ time: number; caseTime: number; files: string[] }>;
    };
    const root = /<testsuites [^>]*tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/.exec(xml)!;
    expect([read.tests, read.failures, read.errors, read.skipped]).toEqual(root.slice(1).map(Number));
    for (const s of read.suites) expect(s.caseTime).toBeCloseTo(s.time, 6);
    expect(read.suites[0]!.files).toEqual([SCENARIO]);
  });

  test('xml2js as dorny/test-reporter parses it: one level of grouping (classname = suite name) and times in seconds', async () => {
    const doc = (await parseStringPromise(xml)) as {
      testsuites: { $: Record<string, string>; testsuite: Array<{ $: Record<string, string>; testcase: Array<{ $: Record<string, string> }> }> };
    };
    const suites = doc.testsuites.testsuite;
    for (const s of suites) for (const c of s.testcase) expect(c.$['classname']).toBe(s.$['name']);
    const sum = suites.reduce((a, s) => a + s.testcase.reduce((b, c) => b + Number(c.$['time']), 0), 0);
    expect(sum).toBeCloseTo(suites.reduce((a, s) => a + Number(s.$['time']), 0), 6);
    expect(Number(doc.testsuites.$['time'])).toBeGreaterThan(0);
  });

  test('xml-js as action-junit-report parses it: each testcase has the scenario file and the line of its gate entry', () => {
    type Attrs = { _attributes: Record<string, string> };
    const doc = xml2js(xml, { compact: true }) as { testsuites: { testsuite: Array<Attrs & { testcase: Array<Attrs> }> } };
    const suite = doc.testsuites.testsuite[0]!;
    const byName = new Map(suite.testcase.map((c) => [c._attributes['name'], c._attributes]));
    expect(byName.get('syscall.write.p50')).toMatchObject({ file: SCENARIO, line: String(lineOf('syscall.write.p50:')) });
    expect(byName.get('workload.wall_time')).toMatchObject({ file: SCENARIO, line: String(lineOf('workload.wall_time:')) });
    expect(byName.get('syscall.write.p99 < 2us')).toMatchObject({ line: String(lineOf('- "syscall.write.p99 < 2us"')) });
  });
});
