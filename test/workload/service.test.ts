// The service's scenario keys (schema, rules, normalizing) and the pure parts of its metrics.
import { describe, expect, it } from 'vitest';
import { workloadHash } from '../../src/baselines/hash.js';
import { scenarioFromText } from '../../src/scenario/load.js';
import { parseCpuStat, parseThreadCounters, serviceMetrics, type ServiceCounters } from '../../src/workload/service-metrics.js';

function load(workload: string) {
  const text = `name: svc\nworkload:\n${workload}\n`;
  return scenarioFromText('svc.yaml', '/repo/scenarios/svc.yaml', text);
}

const metric = (points: ReturnType<typeof serviceMetrics>, name: string) => points.find((p) => p.name === name)?.value;

describe('workload.service in a scenario', () => {
  it('normalizes a tcp service with its folder, timeout and the driver command', () => {
    const { scenario, problems } = load('  service:\n    command: [nginx, -c, nginx.conf]\n    ready: { tcp: "127.0.0.1:18080" }\n    timeout: 5s\n    cwd: fixture\n  command: [wrk, http://127.0.0.1:18080/]');
    expect(problems).toEqual([]);
    expect(scenario?.workload).toMatchObject({
      kind: 'command',
      argv: ['wrk', 'http://127.0.0.1:18080/'],
      service: { argv: ['nginx', '-c', 'nginx.conf'], env: {}, cwd: '/repo/scenarios/fixture', ready: { kind: 'tcp', host: '127.0.0.1', port: 18080 }, timeoutMs: 5000 },
    });
  });

  it('defaults the readiness timeout to 30 s and reads a delay in ms', () => {
    const { scenario } = load('  service:\n    command: [srv]\n    ready: { delay: 500ms }\n  command: [drv]');
    expect(scenario?.workload).toMatchObject({ service: { ready: { kind: 'delay', ms: 500 }, timeoutMs: 30_000, cwd: '/repo/scenarios' } });
  });

  it('keeps a stdout readiness regex as written', () => {
    const { scenario } = load('  service:\n    command: [srv]\n    ready: { stdout: "listening on [0-9]+" }\n  command: [drv]');
    expect(scenario?.workload).toMatchObject({ service: { ready: { kind: 'stdout', regex: 'listening on [0-9]+' } } });
  });

  it('rejects a tcp address without a usable port, naming the line', () => {
    const { problems } = load('  service:\n    command: [srv]\n    ready: { tcp: "127.0.0.1:99999" }\n  command: [drv]');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 5, message: expect.stringContaining('port from 1 to 65535') });
  });

  it('rejects a readiness regex RE2 cannot run', () => {
    const { problems } = load('  service:\n    command: [srv]\n    ready: { stdout: "(?=ready)" }\n  command: [drv]');
    expect(problems.map((p) => p.message).join('\n')).toMatch(/workload\.service\.ready\.stdout: .*RE2/u);
  });

  it('rejects two readiness checks at once', () => {
    const { problems } = load('  service:\n    command: [srv]\n    ready: { tcp: "127.0.0.1:1", delay: 1s }\n  command: [drv]');
    expect(problems.length).toBeGreaterThan(0);
  });

  it('rejects a service next to a builtin workload', () => {
    const { problems } = load('  service:\n    command: [srv]\n    ready: { delay: 1s }\n  builtin: { name: syscall-loop }');
    expect(problems.map((p) => p.message)).toContain('workload.service applies only to command workloads');
  });
});

describe('service metrics', () => {
  const status = (v: number, n: number) => `Name:\tnginx\nvoluntary_ctxt_switches:\t${v}\nnonvoluntary_ctxt_switches:\t${n}\n`;

  it('parses a cgroup cpu.stat into numbers by key', () => {
    expect(parseCpuStat('usage_usec 1200\nuser_usec 800\nsystem_usec 400\nnr_periods 0\n')).toEqual({ usage_usec: 1200, user_usec: 800, system_usec: 400, nr_periods: 0 });
  });

  it('reads a thread\'s context switches from status and its run-queue wait from schedstat', () => {
    expect(parseThreadCounters(status(7, 3), '5000 900 12\n')).toEqual({ voluntary: 7, involuntary: 3, runDelayNs: 900 });
  });

  it('gives no counters for text that is not a thread\'s', () => {
    expect(parseThreadCounters('Name:\tx\n', '1 2 3')).toBeNull();
  });

  it('takes the differences over the repetition, a thread born in it counting from zero', () => {
    const before: ServiceCounters = { cpuStat: { usage_usec: 1000, user_usec: 600, system_usec: 400 }, threads: new Map([[10, { voluntary: 5, involuntary: 1, runDelayNs: 100 }]]) };
    const after: ServiceCounters = {
      cpuStat: { usage_usec: 3000, user_usec: 1600, system_usec: 1400 },
      threads: new Map([
        [10, { voluntary: 15, involuntary: 3, runDelayNs: 400 }],
        [11, { voluntary: 4, involuntary: 0, runDelayNs: 50 }],
      ]),
    };
    const points = serviceMetrics(before, after);
    expect(metric(points, 'service.cpu_time')).toBe(2_000_000);
    expect(metric(points, 'service.cpu_time.system')).toBe(1_000_000);
    expect(metric(points, 'service.context_switches.voluntary')).toBe(14);
    expect(metric(points, 'service.context_switches')).toBe(16);
    expect(metric(points, 'service.run_delay.total')).toBe(350);
    expect(points.every((p) => p.name.startsWith('service.') && p.better === 'lower')).toBe(true);
  });
});

describe('the workload hash of a service scenario', () => {
  it('is the same for the same checkout in another folder, and ignores the readiness timeout', () => {
    const text = (timeout: string) => `name: svc\nworkload:\n  service:\n    command: [srv]\n    ready: { delay: 1s }\n    timeout: ${timeout}\n    cwd: fixture\n  command: [drv]\n`;
    const a = scenarioFromText('svc.yaml', '/ci/one/scenarios/svc.yaml', text('5s')).scenario!;
    const b = scenarioFromText('svc.yaml', '/ci/two/scenarios/svc.yaml', text('9s')).scenario!;
    const c = scenarioFromText('svc.yaml', '/ci/two/scenarios/svc.yaml', text('9s').replace('[srv]', '[srv2]')).scenario!;
    expect(workloadHash(a.workload, '/ci/one/scenarios')).toBe(workloadHash(b.workload, '/ci/two/scenarios'));
    expect(workloadHash(c.workload, '/ci/two/scenarios')).not.toBe(workloadHash(b.workload, '/ci/two/scenarios'));
  });
});
