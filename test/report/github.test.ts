import { describe, expect, test } from 'vitest';
import {
  MAX_ANNOTATIONS,
  annotationCommands,
  errorCommand,
  inertText,
  escapeCommandData,
  escapeCommandProperty,
  publishToGithub,
  withGroup,
  type GithubIo,
} from '../../src/report/github.js';
import type { Report } from '../../src/report/types.js';
import { manyScenarioReport, sampleReport } from './sample.js';
import { mulberry32 } from '../../src/compare/stats/prng.js';
import { renderConsoleSummary } from '../../src/report/console.js';
import { createProgress } from '../../src/run/progress.js';
import { runnerCommands } from '../workflows/runner-commands.js';

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
      '::error file=scenarios/syscall-loop.yaml,title=kdelta%3A regression in syscall-loop::sched.ready_delay.p99 +14.2%25 vs baseline, tolerance +10%25, p=0.003',
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

describe('no workload or scenario text reaches the runner as a command', () => {
  const HOSTILE = [
    '::error::x',
    '::error file=/etc/passwd,line=1::pwned',
    '  ::warning::indented',
    '\u00a0\u2003::notice::after unicode spaces',
    'a\n::error::after LF',
    'a\r::error::after a bare CR',
    'a\r\n::add-mask::secret',
    '%0A::error::escaped newline',
    'x##[error]legacy anywhere',
    '##[stop-commands]tok',
    '::stop-commands::tok',
    ':',
    '::',
    '#',
    '##',
    '[',
    'name\u2028::error::after LS',
    'name\u0085::error::after NEL',
    new TextDecoder().decode(new Uint8Array([0xc0, 0xba, 0xc0, 0xba, 0x65, 0x72, 0x72, 0x6f, 0x72, 0xc0, 0xba, 0xc0, 0xba, 0x78])),
    '\ud800::error::lone surrogate',
    '\u001b[2K::error::after an escape',
  ];
  const random = mulberry32(19);
  const pick = () => HOSTILE[Math.floor(random() * HOSTILE.length)]!;
  // Every hostile string alone, then 200 seeded concatenations of two or three of them.
  const cases = [...HOSTILE, ...Array.from({ length: 200 }, () => pick() + pick() + (random() < 0.5 ? pick() : ''))];
  const onTheWire = (text: string) => runnerCommands(Buffer.from(text, 'utf8'));
  // What the runner reads back of a string once it is UTF-8 on the wire (a lone surrogate is U+FFFD).
  const wire = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

  test('progress lines in Actions carry only the group commands kdelta meant, with the names intact', () => {
    for (const h of cases) {
      const writes: string[] = [];
      const p = createProgress({ write: (s) => writes.push(s), isTTY: false, color: false, githubActions: true });
      p.scenarioStart(h, 2, 1);
      p.repetitionDone(h, 0, true, 1e9);
      p.info(h);
      p.warn(h);
      p.scenarioEnd(h, h);
      p.close();
      const commands = onTheWire(writes.join(''));
      expect(commands.map((c) => c.name)).toEqual(['group', 'endgroup']);
      expect(commands[0]!.data).toBe(wire(`kdelta ${h}`));
    }
  });

  test('annotations are the only commands, one per failure, and unescape to the text kdelta meant', () => {
    for (const h of cases) {
      const report = sampleReport();
      const failed = report.scenarios.find((s) => s.failure !== null)!;
      failed.name = h;
      failed.file = h;
      failed.failure!.message = h;
      failed.failure!.stderrTail = `${h}\n${h}`;
      const lines = annotationCommands(report, { GITHUB_ACTIONS: 'true' });
      const commands = onTheWire(lines.map((l) => `${l}\n`).join(''));
      expect(commands).toHaveLength(lines.length);
      expect(new Set(commands.map((c) => c.name))).toEqual(new Set(['error']));
      const mine = commands.find((c) => c.properties['title'] === wire(`kdelta: workload failed in ${h}`));
      expect(mine?.properties['file']).toBe(wire(h));
      expect(mine?.data.startsWith(wire(`repetition ${failed.failure!.repetition}: ${h}`))).toBe(true);
    }
  });

  test('the end-of-run summary on stderr holds no command at all', () => {
    for (const h of cases) {
      const report = sampleReport();
      for (const s of report.scenarios) {
        s.name = h;
        if (s.failure) s.failure.message = h;
        for (const m of s.metrics) m.name = h;
      }
      const text = renderConsoleSummary(report, { color: false, written: { json: h, junit: h, markdown: h } });
      expect(onTheWire(text)).toEqual([]);
    }
  });

  test('the model of the runner finds what a runner would run in raw hostile text', () => {
    // Guards the guard: were the model blind, the tests above would pass on anything.
    const live = HOSTILE.filter((h) => onTheWire(h).length > 0);
    expect(live).toEqual(HOSTILE.slice(0, 11).filter((h) => h !== '%0A::error::escaped newline'));
  });

  test('inertText leaves ordinary names and units as they are', () => {
    for (const s of ['hackbench-pipes', 'sched.ready_delay.p99', 'irq.hard.PCIe_PME_pciehp.count', '1/s', 'µs', 'a: b, c # d [e]']) {
      expect(inertText(s)).toBe(s);
    }
  });
});
