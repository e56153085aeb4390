import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// kdelta ab end to end on the real kernel: the base side's workload does a fixed amount of
// CPU work; the head side does the same work with four busy threads beside it, so on this
// 2-CPU machine the worker waits on the run queue (four, not two: under the full suite's load the
// base side competes too, and two spinners left some runs inconclusive). The regression's explanation must name
// the run-queue delay first. Twelve rounds, fixed: the explanation looks at some sixty
// metrics under Benjamini-Hochberg, and a loop that stops at 6 rounds (smallest p 2/64)
// leaves too little to call any of them moved; at 12 the smallest p, 2/4096, survives BH over 60 alone.

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'kdelta.js');
const LOAD = join(ROOT, 'helpers', 'bin', 'kdelta-load');

const scenario = (extra: string) => `name: cpu-work
description: fixed CPU work${extra ? ' with four busy threads beside it' : ''}
workload:
  command: [${JSON.stringify(LOAD)}, cpu-work, --count, "40000"${extra}]
  timeout: 60s
warmup: 1
collect:
  proc: { interval: 100ms }
  ebpf: { ready_delay: true, syscalls: false, irq: false }
  require: [ebpf]
gate:
  alpha: 0.05
  metrics:
    workload.wall_time: { tolerance: 10% }
`;

let scratch = '';
let result: { code: number | null; stderr: string } = { code: null, stderr: '' };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kdelta-ab-'));
  await mkdir(join(scratch, 'base'));
  await mkdir(join(scratch, 'head'));
  await writeFile(join(scratch, 'base', 'cpu.yaml'), scenario(''));
  await writeFile(join(scratch, 'head', 'cpu.yaml'), scenario(', --threads, "4"'));
  const r = spawnSync(process.execPath, [CLI, 'ab', 'cpu.yaml', '--base', 'base', '--head', 'head', '--rounds', '12:12', '--seed', '7', '--out', 'out'], { cwd: scratch, encoding: 'utf8', timeout: 240_000 });
  result = { code: r.status, stderr: r.stderr };
}, 250_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('kdelta ab with four extra busy threads on the head side', () => {
  it('exits 1 for the regression', () => {
    expect(result.code, result.stderr).toBe(1);
  });

  it('explains the wall-time regression with the run-queue delay among the three leads it shows', async () => {
    const report = JSON.parse(await readFile(join(scratch, 'out', 'report.json'), 'utf8'));
    const explanation = report.scenarios[0].explanations.find((e: { metric: string }) => e.metric === 'workload.wall_time');
    expect(explanation.status).toBe('regression');
    // Context switches (all, and involuntary) often tie with ready delay at the signed-rank floor,
    // and when the base side had none they rank first (a change from zero has no finite ratio);
    // ready delay must still be one of the three leads the reports show.
    const leads = explanation.related.slice(0, 3).map((r: { name: string }) => r.name);
    expect(leads.some((n: string) => /^sched\.ready_delay\./.test(n)), leads.join(', ')).toBe(true);
  });

  it('records the seed and the order of the sides in every round', async () => {
    const report = JSON.parse(await readFile(join(scratch, 'out', 'report.json'), 'utf8'));
    expect(report.ab.seed).toBe(7);
    expect(report.ab.scenarios[0].order.length).toBe(report.ab.scenarios[0].rounds + 1);
  });
});
