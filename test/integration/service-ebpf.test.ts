// The service side of the libbpf capture, for real: kdelta-reqsvc serves in the scenario's
// service cgroup, making CALLS raw getcpu calls and one write per request; its driver makes
// REQUESTS requests per repetition from the repetition's cgroup and never calls getcpu. The
// service's syscall counts are exact per repetition, the driver's side has none of them, and
// the service's ready delay agrees with its thread's own schedstat run_delay. Then the shipped
// nginx-wrk scenario, which needs port 18080 free.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { cgroup2, plainEnv, processesWithArgv, repoRoot, requireBuild, runCgroupsOf, runCli, tempDir, writeScenario } from '../cli/support.js';

const REQUESTS = 3000;
const CALLS = 3;
const REPS = 3;
const PORT = 18494;
const BIN = join(repoRoot, 'helpers', 'bin', 'kdelta-reqsvc');

let dir: { path: string; remove: () => Promise<void> };
let report: Report;
let stderr = '';
let code = -1;

const samples = (name: string): number[] => {
  const m = report.scenarios[0]?.metrics.find((x) => x.name === name);
  if (!m) throw new Error(`${name} missing; have ${(report.scenarios[0]?.metrics ?? []).map((x) => x.name).filter((n) => n.startsWith('service.')).join(', ')}`);
  return m.samples;
};

beforeAll(async () => {
  requireBuild();
  cgroup2();
  dir = await tempDir('kdelta-service-ebpf-');
  const yaml = [
    'name: reqsvc',
    'workload:',
    '  service:',
    `    command: [${BIN}, serve, --port, "${PORT}", --calls, "${CALLS}"]`,
    `    ready: { tcp: "127.0.0.1:${PORT}" }`,
    `  command: [${BIN}, drive, --port, "${PORT}", --requests, "${REQUESTS}"]`,
    `repetitions: ${REPS}`,
    'warmup: 1',
    'collect:',
    '  proc: false',
    '  ebpf: { syscalls: true, ready_delay: true, irq: false }',
    '',
  ].join('\n');
  const file = await writeScenario(dir.path, 'reqsvc.yaml', yaml);
  const out = join(dir.path, 'out');
  const r = await runCli(['run', file, '--out', out, '--baselines', join(dir.path, 'baselines')], { env: plainEnv({ KDELTA_EBPF: 'libbpf' }) });
  code = r.code;
  stderr = r.stderr;
  report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
}, 120_000);

afterAll(async () => {
  await dir?.remove();
});

describe('the service side of the libbpf capture', () => {
  it('runs, and leaves no process or cgroup behind', () => {
    expect(code, stderr).toBe(0);
    expect(report.scenarios[0]?.failure ?? null).toBeNull();
    expect(processesWithArgv(BIN, 'serve')).toEqual([]);
    expect(runCgroupsOf(process.pid)).toEqual([]);
  });

  it('counts the service\'s getcpu calls exactly, REQUESTS x CALLS per repetition, and its one write per request', () => {
    expect(samples('service.syscall.getcpu.count')).toEqual(Array(REPS).fill(REQUESTS * CALLS));
    expect(samples('service.syscall.write.count')).toEqual(Array(REPS).fill(REQUESTS));
    expect(Math.min(...samples('service.syscall.getcpu.total'))).toBeGreaterThan(0);
  });

  it('keeps the sides apart: the driver has no getcpu, and its own writes are its requests', () => {
    const driverGetcpu = report.scenarios[0]?.metrics.find((m) => m.name === 'syscall.getcpu.count');
    expect(driverGetcpu === undefined || driverGetcpu.samples.every((v) => v === 0), JSON.stringify(driverGetcpu?.samples)).toBe(true);
    expect(Math.min(...samples('syscall.write.count'))).toBeGreaterThanOrEqual(REQUESTS);
    expect(Math.min(...samples('syscall.read.count'))).toBeGreaterThanOrEqual(REQUESTS);
  });

  it('measures the service\'s ready delay within 1% of its thread\'s schedstat run_delay', () => {
    const ebpf = samples('service.sched.ready_delay.total');
    const own = samples('service.run_delay.total');
    expect(ebpf).toHaveLength(REPS);
    for (let i = 0; i < REPS; i++) {
      const a = ebpf[i]!;
      const b = own[i]!;
      expect(Math.abs(a - b), `repetition ${i + 1}: eBPF ${a} ns, schedstat ${b} ns`).toBeLessThanOrEqual(0.01 * b);
    }
    expect(Math.min(...samples('service.sched.ready_delay.count'))).toBeGreaterThan(0);
  });

  it('gives the service its own run time, one period per context switch of its threads', () => {
    // How many requests share a period depends on the machine's load; that each period ends in a
    // switch does not: the oracle is its threads' context switches (/proc status) over the same
    // repetition, read a moment apart from the capture's dump.
    const periods = samples('service.sched.run.count');
    const switches = samples('service.context_switches');
    for (let i = 0; i < REPS; i++) {
      expect(Math.abs(periods[i]! - switches[i]!), `repetition ${i + 1}: ${periods[i]} periods, ${switches[i]} switches`).toBeLessThanOrEqual(0.01 * switches[i]! + 5);
    }
    expect(Math.min(...periods)).toBeGreaterThan(REQUESTS / 2);
    expect(Math.min(...samples('service.sched.run.total'))).toBeGreaterThan(0);
  });
});

// The shipped service scenario as a user runs it: nginx loaded by wrk, the service's side named service.*.
describe('scenarios/nginx-wrk.yaml with the libbpf capture', () => {
  it('reports the service\'s syscalls, ready delay and run time per repetition, its ready delay matching its threads\' run_delay', async () => {
    const out = join(dir.path, 'nginx-out');
    const r = await runCli(['run', join(repoRoot, 'scenarios', 'nginx-wrk.yaml'), '--repetitions', '2', '--out', out, '--baselines', join(dir.path, 'nginx-baselines')], { env: plainEnv({ KDELTA_EBPF: 'libbpf' }) });
    expect(r.code, r.stderr).toBe(0);
    const nginx = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const metrics = nginx.scenarios[0]?.metrics ?? [];
    const of = (name: string): number[] => metrics.find((m) => m.name === name)?.samples ?? [];
    for (const name of ['service.syscall.all.count', 'service.syscall.writev.count', 'service.sched.ready_delay.count', 'service.sched.ready_delay.p99', 'service.sched.run.total']) {
      expect(of(name), name).toHaveLength(2);
      expect(Math.min(...of(name)), name).toBeGreaterThan(0);
    }
    // nginx answers with writev; wrk never calls it, so the driver's side has none.
    expect(of('syscall.writev.count').every((v) => v === 0)).toBe(true);
    const own = of('service.run_delay.total');
    of('service.sched.ready_delay.total').forEach((v, i) => expect(Math.abs(v - own[i]!), `repetition ${i + 1}: eBPF ${v}, schedstat ${own[i]}`).toBeLessThanOrEqual(0.01 * own[i]!));
    expect(processesWithArgv('nginx', '-p', './nginx-wrk/')).toEqual([]);
  }, 120_000);
});
