import { describe, expect, test } from 'vitest';
import { renderJunit } from '../../src/report/junit.js';
import type { GateLines } from '../../src/report/gate-lines.js';
import { readFileSync } from 'node:fs';
import { extendedJenkinsXsd, kdeltaXsd, xmllintSchema, xpath } from './helpers.js';
import { AWKWARD, manyScenarioReport, sampleReport } from './sample.js';

describe('junit.xml', () => {
  const xml = renderJunit(sampleReport());

  const xsd = extendedJenkinsXsd();
  const lines: GateLines = new Map([
    ['syscall-loop', { metrics: new Map([['sched.ready_delay.p99', 17]]), limits: new Map([['sched.ready_delay.p99 < 1us', 21]]) }],
  ]);
  const located = renderJunit(sampleReport(), { cwd: '/work/main', gateLines: lines });

  test('validates with xmllint against the Jenkins JUnit XSD plus testcase file/line and the root skipped count', () => {
    const result = xmllintSchema(located, xsd);
    expect(result.output).toContain('validates');
    expect(result.status).toBe(0);
  });

  test('without those three attributes it validates against the unmodified Jenkins XSD', () => {
    const stripped = located.replace(/ (file|line)="[^"]*"/g, '').replace(/(<testsuites[^>]*?) skipped="\d+"/, '$1');
    expect(xmllintSchema(stripped).status).toBe(0);
    expect(xmllintSchema(located).status).not.toBe(0);
  });

  test('the extended XSD CI validates with is the Jenkins XSD plus exactly those three attributes', () => {
    expect(readFileSync(kdeltaXsd, 'utf8')).toBe(readFileSync(xsd, 'utf8'));
  });

  test('a large run validates too', () => {
    expect(xmllintSchema(renderJunit(manyScenarioReport(60)), xsd).status).toBe(0);
  });

  test('each testcase names its scenario file relative to the working directory and the line of its gate entry', () => {
    expect(xpath(located, 'string(//testcase[@name="sched.ready_delay.p99"]/@file)')).toBe('scenarios/syscall-loop.yaml');
    expect(xpath(located, 'string(//testcase[@name="sched.ready_delay.p99"]/@line)')).toBe('17');
    expect(xpath(located, 'string(//testcase[@name="sched.ready_delay.p99 < 1us"]/@line)')).toBe('21');
  });

  test('testcase times add up to their testsuite time, and the root time is the run duration', () => {
    const suite = Number(xpath(xml, 'string(//testsuite[1]/@time)'));
    expect(Number(xpath(xml, 'sum(//testsuite[1]/testcase/@time)'))).toBeCloseTo(suite, 9);
    const run = (Date.parse(sampleReport().endedAt) - Date.parse(sampleReport().startedAt)) / 1000;
    expect(Number(xpath(xml, 'string(/testsuites/@time)'))).toBe(Math.round(run * 1000) / 1000);
  });

  test('the root carries the skipped count', () => {
    expect(xpath(xml, 'string(/testsuites/@skipped)')).toBe(xpath(xml, 'sum(//testsuite/@skipped)'));
  });

  test('has one testsuite per scenario and one testcase per gated metric, limit and failed workload', () => {
    expect(xpath(xml, 'count(//testsuite)')).toBe('3');
    expect(xpath(xml, 'count(//testsuite[1]/testcase)')).toBe('4'); // 3 gated metrics + 1 limit
    expect(xpath(xml, 'count(//testsuite[2]/testcase)')).toBe('3');
    expect(xpath(xml, 'count(//testsuite[3]/testcase)')).toBe('2'); // the workload error + 1 gated metric
    expect(xpath(xml, 'string(//testsuites/@tests)')).toBe('9');
    expect(xpath(xml, 'string(//testsuites/@failures)')).toBe('2');
    expect(xpath(xml, 'string(//testsuites/@errors)')).toBe('1');
  });

  test('names are metric names or limit texts, never measured values, under classname equal to the suite name', () => {
    const names = xpath(xml, '//testsuite[1]/testcase/@name').trim().split('\n').map((l) => l.trim());
    expect(names).toEqual([
      'name="workload.wall_time"',
      'name="sched.ready_delay.p99"',
      'name="syscall.getppid.p99"',
      'name="sched.ready_delay.p99 &lt; 1us"',
    ]);
    expect(xpath(xml, 'string(//testsuite[1]/testcase[1]/@classname)')).toBe('syscall-loop');
  });

  test('a regression is a failure with a one-line message and the numbers in the body', () => {
    expect(xpath(xml, 'string(//testcase[@name="sched.ready_delay.p99"]/failure/@message)')).toBe(
      'sched.ready_delay.p99 +14.2% vs baseline, tolerance +10%, p=0.003',
    );
    const body = xpath(xml, 'string(//testcase[@name="sched.ready_delay.p99"]/failure)');
    expect(body).toContain('baseline median: 1.00 µs (n=10)');
    expect(body).toContain('change: +14.2% (95% CI +10.2% … +18.2%)');
    expect(body).toContain('adjusted 0.003, holm over 5');
  });

  test('a broken limit is a failure named after the limit text', () => {
    expect(xpath(xml, 'string(//testcase[@name="sched.ready_delay.p99 < 1us"]/failure/@type)')).toBe('limit-exceeded');
    expect(xpath(xml, 'string(//testcase[@name="sched.ready_delay.p99 < 1us"]/failure/@message)')).toBe(
      'sched.ready_delay.p99 < 1us broken: 1.14 µs',
    );
  });

  test('inconclusive, no-baseline and unavailable are skipped with their reason', () => {
    const reasons = [1, 2, 3].map((i) => xpath(xml, `string(//testsuite[2]/testcase[${i}]/skipped)`));
    expect(reasons[0]).toMatch(/^inconclusive: .*needs 9 repetitions per side/);
    expect(reasons[1]).toBe(`no baseline: no baseline for ${AWKWARD}`);
    expect(reasons[2]).toBe('unavailable: tracefs is not mounted');
    expect(xpath(xml, 'string(//testsuite[2]/@skipped)')).toBe('3');
  });

  test('a failed workload is an error testcase with its stderr, even with CDATA terminators and control characters in it', () => {
    expect(xpath(xml, 'string(//testsuite[3]/testcase[1]/@name)')).toBe('workload');
    expect(xpath(xml, 'string(//testsuite[3]/testcase[1]/error/@message)')).toBe(
      'workload failed in repetition 2 (exit code 3): command exited with code 3',
    );
    const stderr = xpath(xml, 'string(//testsuite[3]/testcase[1]/error)');
    expect(stderr).toContain('panic: <boom> & "quotes"');
    expect(stderr).toContain('end of ]]> cdata');
    expect(stderr).not.toContain('\u0007');
  });

  test('the environment fingerprint is in the properties of the first testsuite only', () => {
    expect(xpath(xml, 'count(//testsuite/properties/property[@name="kdelta.environment.kernelRelease"])')).toBe('1');
    expect(xpath(xml, 'string(//testsuite[1]/properties/property[@name="kdelta.environment.cpuModel"]/@value)')).toBe(
      'Intel(R) Xeon(R) <test> & "co"',
    );
  });

  test('awkward scenario and metric names parse back unchanged', () => {
    expect(xpath(xml, 'string(//testsuite[2]/@name)')).toBe(AWKWARD);
    expect(xpath(xml, 'string(//testsuite[2]/testcase[1]/@classname)')).toBe(AWKWARD);
    expect(xpath(xml, 'string(//testsuite[2]/testcase[1]/@name)')).toBe(`workload.${AWKWARD}`);
  });

  test('the testsuite time is the scenario measured wall time in seconds', () => {
    expect(Number(xpath(xml, 'string(//testsuite[1]/@time)'))).toBeCloseTo(6.15, 6);
  });
});
