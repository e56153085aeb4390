// Inputs that used to hang kdelta, run through bin/kdelta.js as a CI job would: each must end
// on its own, well inside the kill timeout given to the child, with the exit code that says why.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroup2, repoRoot, requireBuild, tempDir } from '../cli/support.js';

const GOLDEN = join(repoRoot, 'test/fixtures/compare-golden/mixed');
/** Far above what a refusal takes (well under a second) and far below a hang. */
const KILL_AFTER_MS = 10_000;

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  requireBuild();
  dir = await tempDir('kdelta-reliability-');
  execFileSync('mkfifo', [join(dir.path, 'fifo.json'), join(dir.path, 'fifo.yaml')]);
});
afterAll(async () => {
  await dir.remove();
});

function kdelta(args: string[]): { status: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number } {
  const t0 = Date.now();
  const run = spawnSync(process.execPath, [join(repoRoot, 'bin/kdelta.js'), ...args], {
    cwd: dir.path,
    encoding: 'utf8',
    timeout: KILL_AFTER_MS,
    killSignal: 'SIGKILL',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir.path },
  });
  return { status: run.status, signal: run.signal, stderr: run.stderr, ms: Date.now() - t0 };
}

describe('inputs that are not regular files or folders', () => {
  it('refuses a FIFO given as the baseline to compare with exit 2, naming it', () => {
    const r = kdelta(['compare', join(dir.path, 'fifo.json'), join(GOLDEN, 'current.json'), '--out', join(dir.path, 'o1')]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('fifo.json: cannot read: is not a regular file');
  });

  it('refuses a FIFO given as the report to compare with exit 2', () => {
    const r = kdelta(['compare', join(GOLDEN, 'base.json'), join(dir.path, 'fifo.json'), '--out', join(dir.path, 'o2')]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
  });

  it('compares a report whose scenario file is a FIFO without waiting on it', () => {
    const report = JSON.parse(readFileSync(join(GOLDEN, 'current.json'), 'utf8')) as { scenarios: Array<{ file: string }> };
    for (const s of report.scenarios) s.file = join(dir.path, 'fifo.yaml');
    writeFileSync(join(dir.path, 'points-at-fifo.json'), JSON.stringify(report));
    const r = kdelta(['compare', join(GOLDEN, 'base.json'), join(dir.path, 'points-at-fifo.json'), '--out', join(dir.path, 'o3')]);
    const asSaved = kdelta(['compare', join(GOLDEN, 'base.json'), join(GOLDEN, 'current.json'), '--out', join(dir.path, 'o4')]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(asSaved.status);
  });

  it.each(['/proc/kdelta-x', '/proc/1/kdelta-x/y', '/sys/kdelta-x'])('refuses --out %s with exit 2 instead of spinning', (out) => {
    const r = kdelta(['compare', join(GOLDEN, 'base.json'), join(GOLDEN, 'current.json'), '--out', out]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`cannot write reports into ${out}`);
  });
});

describe('SIGKILL of kdelta at random moments', () => {
  const marker = `kdelta-reliab-${process.pid}`;
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  /** Live processes whose environment carries the marker the scenario gives its workload (zombies hold nothing). */
  function marked(): number[] {
    const found: number[] = [];
    for (const entry of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
        if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`KDELTA_RELIAB_MARK=${marker}`)) found.push(Number(entry));
      } catch {
        // Gone meanwhile.
      }
    }
    return found;
  }

  /** Spawned without pipes and awaited without blocking: a hung run is killed and named instead of hanging the test. */
  async function runNext(out: string): Promise<number | null> {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/kdelta.js'), 'run', join(dir.path, 'next.yaml'), '--out', out], { cwd: dir.path, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearTimeout(timer);
    return code;
  }

  it('leaves no workload, cgroup or temporary report file once the next run has started (3 trials)', async () => {
    // The workload must really run (a bash-only `exec -a` fails at once under dash) and carry a
    // marker its processes can be found by; a forked child too, so the whole tree is checked.
    const scenario = join(dir.path, 'long.yaml');
    writeFileSync(
      scenario,
      `name: kill-probe\nworkload:\n  command: [sh, -c, "sleep 0.4 & sleep 0.4; wait", ${marker}]\n  env: { KDELTA_RELIAB_MARK: ${marker} }\nrepetitions: 6\nwarmup: 1\ncollect:\n  proc: true\n  ebpf: false\n`,
    );
    writeFileSync(join(dir.path, 'next.yaml'), 'name: next-run\nworkload:\n  builtin: { name: syscall-loop, count: 100 }\nrepetitions: 1\nwarmup: 0\ncollect:\n  proc: false\n  ebpf: false\n');
    const left: string[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const out = join(dir.path, `killed-${trial}`);
      const child = spawn(process.execPath, [join(repoRoot, 'bin/kdelta.js'), 'run', scenario, '--out', out], { cwd: dir.path, stdio: 'ignore' });
      // Listened for from the start: a run that ends before the kill has already emitted 'exit'.
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      await sleep(300 + Math.random() * 2000);
      child.kill('SIGKILL');
      await exited;
      if (child.signalCode !== 'SIGKILL') left.push(`trial ${trial}: the run ended (${String(child.exitCode)}) before the kill`);
      // The workload's watchdog has a second or two; the next run sweeps the cgroups.
      await sleep(2000);
      const next = await runNext(join(dir.path, `next-${trial}`));
      if (next !== 0) left.push(`trial ${trial}: the next run exited ${String(next)}`);
      left.push(...marked().map((p) => `trial ${trial}: process ${p}`));
      left.push(...readdirSync(cgroup2()).filter((n) => n.startsWith(`kdelta-${child.pid}-`)).map((n) => `trial ${trial}: cgroup ${n}`));
      const temps = (() => {
        try {
          return readdirSync(out).filter((n) => n.endsWith('.tmp'));
        } catch {
          return [];
        }
      })();
      left.push(...temps.map((n) => `trial ${trial}: ${n}`));
    }
    expect(left).toEqual([]);
  }, 120_000);
});
