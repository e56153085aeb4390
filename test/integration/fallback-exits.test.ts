// The /proc fallback's ready delay on a workload of short-lived processes (hackbench), with
// eBPF off, against the kernel's own run_delay of every one of its tasks as each exited.
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { requireBuild, runCli, tempDir, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  requireBuild();
  dir = await tempDir('kdelta-fallback-');
});
afterAll(async () => {
  await dir?.remove();
});

/** Sums sched_info.run_delay of every exiting task with this comm until stopped (the oracle). */
function exitOracle(comm: string): { attached: Promise<void>; stop: () => Promise<{ delay: number; tasks: number }> } {
  const bt = spawn('bpftrace', ['-e', `tracepoint:sched:sched_process_exit /comm == "${comm}"/ { @d = sum(curtask->sched_info.run_delay); @n = count(); }`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  bt.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const attached = new Promise<void>((resolve, reject) => {
    bt.stdout.on('data', () => out.includes('Attaching') && resolve());
    bt.once('exit', (code) => reject(new Error(`bpftrace exited ${code}: ${out}`)));
  });
  const stop = async () => {
    const done = new Promise((r) => bt.once('exit', r));
    bt.kill('SIGINT');
    await done;
    return { delay: Number(/@d: (\d+)/.exec(out)?.[1] ?? NaN), tasks: Number(/@n: (\d+)/.exec(out)?.[1] ?? NaN) };
  };
  return { attached, stop };
}

describe('the /proc fallback with taskstats exit notifications', () => {
  it('counts hackbench ready delay within 5% of the kernel run_delay of all its tasks at exit', async () => {
    // A copy under its own name, so the oracle counts this workload and no other hackbench.
    const comm = `hbk${process.pid % 100000}`;
    const bin = join(dir.path, comm);
    copyFileSync('/usr/bin/hackbench', bin);
    const file = await writeScenario(dir.path, 'hb.yaml', `name: hb-fallback
workload:
  command: ["${bin}", "-p", "-g", "4", "-l", "200"]
repetitions: 3
warmup: 0
collect:
  proc: true
  ebpf: false
`);
    const oracle = exitOracle(comm);
    await oracle.attached;
    const out = join(dir.path, 'out');
    const r = await runCli(['run', file, '--out', out, '--baselines', join(dir.path, 'bl'), '--machine', 'fallback-test']);
    const truth = await oracle.stop();
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const sc = report.scenarios[0]!;
    const delay = sc.metrics.find((m) => m.name === 'sched.ready_delay.total')!;
    const total = delay.samples.reduce((a, b) => a + b, 0);
    // 4 groups of 20 senders and 20 receivers and the main process, per repetition.
    expect(truth.tasks).toBe(3 * 161);
    expect(delay.samples.every((x) => x > 0)).toBe(true);
    expect(Math.abs(total - truth.delay) / truth.delay).toBeLessThan(0.05);
    expect(JSON.stringify(sc)).toContain('at their exit (taskstats)');
  }, 180_000);
});
