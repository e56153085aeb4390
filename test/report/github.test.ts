import { describe, expect, test } from 'vitest';
import {
  MAX_ANNOTATIONS,
  annotationCommands,
  errorCommand,
  escapeCommandData,
  escapeCommandProperty,
  publishToGithub,
  withGroup,
  type GithubIo,
} from '../../src/report/github.js';
import type { Report } from '../../src/report/types.js';
import { manyScenarioReport, sampleReport } from './sample.js';

function fakeIo(env: Record<string, string | undefined>): GithubIo & { lines: string[]; files: Map<string, string> } {
  const lines: string[] = [];
  const files = new Map<string, string>();
  return {
    env,
    lines,
    files,
    writeLine: (line) => lines.push(line),
    appendFile: async (path, text) => {
      files.set(path, (files.get(path) ?? '') + text);
    },
  };
}

describe('workflow command escaping', () => {
  test('data escapes %, CR and LF', () => {
    expect(escapeCommandData('100%\r\nnext')).toBe('100%25%0D%0Anext');
  });

  test('properties also escape : and ,', () => {
    expect(escapeCommandProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  test('an ::error command carries file and title as escaped properties', () => {
    expect(errorCommand({ file: 'scenarios/a,b.yaml', title: 'kdelta: x' }, 'p99 +14%\nmore')).toBe(
      '::error file=scenarios/a%2Cb.yaml,title=kdelta%3A x::p99 +14%25%0Amore',
    );
  });
});

describe('annotations', () => {
  test('name the worst regressions first, on the scenario file relative to the workspace', () => {
    const lines = annotationCommands(sampleReport(), { GITHUB_WORKSPACE: '/work/main' });
    expect(lines[0]).toBe(
      '::error file=scenarios/syscall-loop.yaml,title=kdelta%3A limit exceeded in syscall-loop::sched.ready_delay.p99 < 1us broken: 1.14 µs',
    );
    expect(lines[1]).toBe(
      '::error file=scenarios/syscall-loop.yaml,title=kdelta%3A regression in syscall-loop::sched.ready_delay.p99 +14.2%25 vs baseline, limit +10%25, p=0.003',
    );
    expect(lines[2]).toMatch(/^::error file=scenarios\/crashy.yaml,title=kdelta%3A workload failed in crashy::repetition 2: command exited with code 3%0A/);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
  });

  test('at most ten regressions, the largest changes first', () => {
    const report = manyScenarioReport(300);
    report.scenarios = report.scenarios.filter((s) => s.failure === null);
    report.scenarios.forEach((s, i) => {
      for (const m of s.metrics) {
        if (m.verdict?.status === 'regression') m.verdict = { ...m.verdict, change: 0.01 * (i + 1) };
      }
      s.limits = [];
    });
    const lines = annotationCommands(report, {});
    expect(lines).toHaveLength(MAX_ANNOTATIONS);
    const changes = lines.map((l) => Number(/::\S+ \+([\d.]+)%25/.exec(l)![1]));
    expect(changes).toEqual([...changes].sort((a, b) => b - a));
    expect(changes[0]).toBeGreaterThan(changes[9]!);
  });
});

describe('publishToGithub', () => {
  const report: Report = sampleReport();

  test('in GitHub Actions writes annotations and appends the summary', async () => {
    const io = fakeIo({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '/tmp/summary.md' });
    io.files.set('/tmp/summary.md', '# earlier step output\n');
    const result = await publishToGithub(report, io);
    expect(result).toEqual({ annotations: 3, summaryFile: '/tmp/summary.md' });
    expect(io.lines.every((l) => l.startsWith('::error '))).toBe(true);
    const summary = io.files.get('/tmp/summary.md')!;
    expect(summary.startsWith('# earlier step output\n## ⚠️ kdelta')).toBe(true);
  });

  test('outside GitHub Actions writes no workflow commands', async () => {
    const io = fakeIo({});
    expect(await publishToGithub(report, io)).toEqual({ annotations: 0, summaryFile: null });
    expect(io.lines).toEqual([]);
    expect(io.files.size).toBe(0);
  });
});

describe('withGroup', () => {
  test('wraps the work in ::group:: / ::endgroup:: even when it throws', async () => {
    const io = fakeIo({ GITHUB_ACTIONS: 'true' });
    await expect(
      withGroup(io, 'scenario a%b', async () => {
        io.writeLine('inside');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(io.lines).toEqual(['::group::scenario a%25b', 'inside', '::endgroup::']);
  });

  test('is transparent outside GitHub Actions', async () => {
    const io = fakeIo({ GITHUB_ACTIONS: 'false' });
    expect(await withGroup(io, 'x', async () => 42)).toBe(42);
    expect(io.lines).toEqual([]);
  });
});
