import { describe, expect, it } from 'vitest';
import { parseFigureLine, workloadFiguresFromStdout, workloadMetricName } from '../../src/workload/figures.js';
import type { WorkloadMetricSpec } from '../../src/scenario/types.js';

const LOAD_LINE =
  '{"kdelta":"load","op":"cpu-contention","count":286730,"threads":[' +
  '{"tid":6794,"comm":"spin3","run_ns":80681019,"run_delay_ns":222206476,"timeslices":26},' +
  '{"tid":6790,"comm":"kdelta-load","run_ns":1026302,"run_delay_ns":14439363,"timeslices":6}]}';

function ok(stdout: string, specs: WorkloadMetricSpec[] = []) {
  const r = workloadFiguresFromStdout(stdout, specs);
  if (r.state !== 'ok') throw new Error(`expected ok, got: ${r.message}`);
  return r;
}

describe('workload figures', () => {
  it('a JSON metric line becomes workload.<name> with its unit and direction', () => {
    const r = ok('starting\n{"metric":"rps","value":1234.5,"unit":"1/s","better":"higher"}\ndone\n');
    expect(r.metrics).toEqual([{ name: 'workload.rps', unit: '1/s', better: 'higher', value: 1234.5 }]);
  });

  it('a metric printed twice keeps its last value', () => {
    const r = ok('{"metric":"lat","value":5,"unit":"ns","better":"lower"}\n{"metric":"lat","value":7,"unit":"ns","better":"lower"}\n');
    expect(r.metrics.map((m) => m.value)).toEqual([7]);
  });

  it('a metric line without "better" is invalid rather than guessed', () => {
    const r = workloadFiguresFromStdout('{"metric":"rps","value":10,"unit":"1/s"}\n', []);
    expect(r.state).toBe('invalid');
    if (r.state === 'invalid') expect(r.message).toMatch(/better/);
  });

  it('a metric line whose value is not a number is invalid', () => {
    expect(workloadFiguresFromStdout('{"metric":"x","value":"fast","unit":"1","better":"lower"}\n', []).state).toBe('invalid');
  });

  it('a numeric string value is accepted (emitters that print big integers as strings)', () => {
    expect(ok('{"metric":"x","value":"18446744073709551615","unit":"1","better":"lower"}\n').metrics[0]?.value).toBe(2 ** 64);
  });

  it('JSON lines that are not metric lines and broken JSON are left alone', () => {
    const r = ok('{"level":"info","msg":"hi"}\n{not json\n[1,2]\n');
    expect(r.metrics).toEqual([]);
    expect(r.threads).toEqual([]);
  });

  it("the builtin load line fills the threads and workload.ops", () => {
    const r = ok(`{"metric":"ops_per_sec","value":968218,"unit":"1/s","better":"higher"}\n${LOAD_LINE}\n`);
    expect(r.threads).toEqual([
      { tid: 6794, comm: 'spin3', runNs: 80681019, runDelayNs: 222206476, timeslices: 26 },
      { tid: 6790, comm: 'kdelta-load', runNs: 1026302, runDelayNs: 14439363, timeslices: 6 },
    ]);
    expect(r.metrics).toContainEqual({ name: 'workload.ops', unit: '1', better: 'higher', value: 286730 });
    expect(r.metrics).toContainEqual({ name: 'workload.ops_per_sec', unit: '1/s', better: 'higher', value: 968218 });
  });

  it('a load line with a malformed thread entry is invalid', () => {
    const r = parseFigureLine('{"kdelta":"load","op":"x","count":1,"threads":[{"tid":1}]}');
    expect(r.kind).toBe('invalid');
  });

  it('a regex takes the first match and its first capture group', () => {
    const spec: WorkloadMetricSpec = { name: 'req_time', regex: 'time: ([0-9.]+) ms', unit: 'ms', better: 'lower' };
    const r = ok('warmup time: 99 ms\ntime: 12.5 ms\n', [spec]);
    expect(r.metrics).toEqual([{ name: 'workload.req_time', unit: 'ms', better: 'lower', value: 99 }]);
  });

  it('a regex that matches nothing makes the figures invalid, naming the metric', () => {
    const spec: WorkloadMetricSpec = { name: 'req_time', regex: 'time: ([0-9.]+)', unit: 'ms', better: 'lower' };
    const r = workloadFiguresFromStdout('no figures here\n', [spec]);
    expect(r).toEqual({ state: 'invalid', message: expect.stringMatching(/req_time.*matched nothing/) as unknown as string });
  });

  it('a regex capture that is not a number is invalid', () => {
    const spec: WorkloadMetricSpec = { name: 'v', regex: 'v=(\\S+)', unit: '1', better: 'lower' };
    expect(workloadFiguresFromStdout('v=abc\n', [spec]).state).toBe('invalid');
  });

  it('a regex without a capture group is invalid', () => {
    const spec: WorkloadMetricSpec = { name: 'v', regex: 'v=\\d+', unit: '1', better: 'lower' };
    expect(workloadFiguresFromStdout('v=3\n', [spec]).state).toBe('invalid');
  });

  it('names already prefixed with workload. are not prefixed twice', () => {
    expect(workloadMetricName('workload.x')).toBe('workload.x');
    expect(workloadMetricName('x.mean')).toBe('workload.x.mean');
  });
});
