// Issue 3, "Progress": off a TTY, one whole line per repetition, written as it happens, so a
// CI log or a pipe shows progress while the run goes on (irqstat could not do this). The
// test reads kdelta's stderr through a pipe while it runs and notes when each line arrives.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, plainEnv, requireBuild, spawnKdelta, tempDir, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  requireBuild();
  dir = await tempDir('kdelta-run-progress-');
});
afterAll(async () => {
  await dir.remove();
});

describe('kdelta run progress through a pipe', () => {
  it('prints each repetition as a whole line when it ends, long before the run exits; no \\r, no escape codes', async () => {
    const file = await writeScenario(
      dir.path,
      'paced.yaml',
      `name: paced
workload:
  builtin: { name: cpu-contention, threads: 1, duration: 500ms }
repetitions: 4
warmup: 1
collect:
  proc: { interval: 100ms }
  ebpf: false
`,
    );
    // No NO_COLOR and a colour terminal type: off a TTY kdelta must still write plain lines.
    const k = spawnKdelta(['run', file, '--out', join(dir.path, 'out'), '--baselines', join(dir.path, 'baselines')], {
      env: plainEnv({ TERM: 'xterm-256color' }),
    });
    const exit = await k.exited;
    expect(exit.code, k.rawStderr()).toBe(0);

    const raw = k.rawStderr();
    expect(raw).not.toContain('\r');
    expect(raw).not.toContain('\x1b');
    expect(raw.endsWith('\n')).toBe(true);

    const at = (re: RegExp) => {
      const l = k.lines.find((x) => re.test(x.text));
      if (!l) throw new Error(`no line matching ${re} in:\n${raw}`);
      return l.at;
    };
    const start = at(/^kdelta: paced: 1 warm-up \+ 4 repetitions$/);
    const warm = at(/^kdelta: paced: warm-up 1\/1 done in 0\.\d s$/);
    const reps = [1, 2, 3, 4].map((i) => at(new RegExp(`^kdelta: paced: repetition ${i}/4 done in 0\\.\\d s$`)));
    const end = at(/^kdelta: paced: 4 repetitions measured/);

    // In order, and each repetition's line arrives on its own, about one 0.5 s repetition after the last.
    const times = [start, warm, ...reps, end];
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    for (let i = 1; i < reps.length; i++) expect(reps[i]! - reps[i - 1]!, `repetition ${i + 1} after ${i}`).toBeGreaterThan(300);
    expect(warm - start).toBeGreaterThan(300);
    // The first repetition is reported while three more (>= 1.5 s of work) are still to run.
    expect(exit.at - reps[0]!).toBeGreaterThan(1200);
  });

  it('on a terminal (util-linux script gives it a pty): one live line redrawn in place, colour unless NO_COLOR', async () => {
    const file = await writeScenario(
      dir.path,
      'tty.yaml',
      `name: on-a-tty
workload:
  builtin: { name: syscall-loop, count: 100 }
repetitions: 2
warmup: 0
collect: { proc: false, ebpf: false }
`,
    );
    const command = [process.execPath, binPath, 'run', file, '--out', join(dir.path, 'tty-out'), '--baselines', join(dir.path, 'baselines')].join(' ');
    const onTty = (env: NodeJS.ProcessEnv) => {
      const r = spawnSync('script', ['-qec', command, '/dev/null'], { env, encoding: 'utf8', timeout: 60_000 });
      if (r.error) throw r.error;
      expect(r.status, r.stdout).toBe(0);
      return r.stdout;
    };
    const coloured = onTty(plainEnv({ TERM: 'xterm-256color' }));
    expect(coloured).toContain('\r\x1b[2K');
    const esc = '\x1b';
    expect(coloured).toMatch(new RegExp(`\r${esc}\\[2K(${esc}\\[\\d+m)?on-a-tty(${esc}\\[\\d+m)? {2}repetition 2/2 {2}\\d+\\.\\d s`));
    expect(coloured).toContain('\x1b[36mon-a-tty\x1b[39m');
    expect(coloured).not.toMatch(/repetition 1\/2 done/);

    const plain = onTty(plainEnv({ TERM: 'xterm-256color', NO_COLOR: '1' }));
    expect(plain).toContain('\r\x1b[2Kon-a-tty  repetition 1/2');
    expect(plain).not.toMatch(new RegExp(`${esc}\\[\\d+(;\\d+)*m`));
  });
});
