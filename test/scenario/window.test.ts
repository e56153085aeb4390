import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, test } from 'vitest';
import { scenarioFromText, type Problem } from '../../src/scenario/load.js';
import { parseProbe, probeText } from '../../src/scenario/probes.js';
import { hasStackTrace, repoRoot, runCli } from '../cli/support.js';

// A real binary with USDT probes kdelta:window_start and kdelta:window_end and a function kdelta_slow_call.
const GROUPS = join(repoRoot, 'helpers', 'bin', 'kdelta-groups');
const where = (problems: readonly Problem[]): string[] => problems.map((p) => `${p.line}:${p.col}: ${p.message}`);

const scenario = (start: string, stop: string, extra = ''): string =>
  `name: w\nworkload: { command: [${JSON.stringify(GROUPS)}] }\ncollect:\n  ebpf:\n    window:\n      start: ${JSON.stringify(start)}\n      stop: ${JSON.stringify(stop)}\n${extra}`;
const check = (text: string, absFile = join(repoRoot, 'scenarios', 's.yaml')): ReturnType<typeof scenarioFromText> => scenarioFromText('s.yaml', absFile, text, { arch: 'x64' });

describe('window probes as written', () => {
  test('parse from the end, so a path may hold a colon', () => {
    expect(parseProbe('usdt:/a:b/x:prov:name')).toEqual({ ok: true, probe: { kind: 'usdt', target: '/a:b/x', provider: 'prov', name: 'name' } });
    expect(parseProbe('uretprobe:/bin/x:malloc@GLIBC_2.2.5')).toEqual({ ok: true, probe: { kind: 'uretprobe', target: '/bin/x', name: 'malloc@GLIBC_2.2.5' } });
    expect(parseProbe('tracepoint:sched:sched_switch')).toEqual({ ok: true, probe: { kind: 'tracepoint', target: 'sched', name: 'sched_switch' } });
    for (const bad of ['kprobe:do_sys_open', 'usdt:/bin/x:onlyname', 'uprobe::f', 'tracepoint:a:b:c', 'usdt', '']) expect(parseProbe(bad).ok, bad).toBe(false);
    const p = parseProbe('usdt:/bin/x:p:n');
    expect(p.ok && probeText(p.probe)).toBe('usdt:/bin/x:p:n');
  });
});

describe('collect.ebpf.window is checked against the binary and the kernel', () => {
  test('existing probes pass and normalize: relative binaries from the scenario folder, thread by default', () => {
    const r = check(scenario('usdt:../helpers/bin/kdelta-groups:kdelta:window_start', `uretprobe:${GROUPS}:kdelta_slow_call`, '      min: 1ms\n'));
    expect(where(r.problems)).toEqual([]);
    const w = r.scenario?.collect.ebpf && r.scenario.collect.ebpf.window;
    expect(w).toEqual({
      start: { kind: 'usdt', target: GROUPS, provider: 'kdelta', name: 'window_start' },
      stop: { kind: 'uretprobe', target: GROUPS, name: 'kdelta_slow_call' },
      minNs: 1_000_000,
      per: 'thread',
    });
  });

  test('a missing binary, USDT probe, function or tracepoint is refused at its place', () => {
    expect(where(check(scenario('usdt:/no/such/bin:kdelta:window_start', `usdt:${GROUPS}:kdelta:window_stop`)).problems)).toEqual([
      '6:14: collect.ebpf.window.start: binary /no/such/bin does not exist',
      `7:13: collect.ebpf.window.stop: ${GROUPS} has no USDT probe kdelta:window_stop (it has kdelta:window_start, kdelta:window_end)`,
    ]);
    expect(where(check(scenario(`uprobe:${GROUPS}:no_such_fn`, 'tracepoint:sched:no_such_event')).problems)).toEqual([
      `6:14: collect.ebpf.window.start: ${GROUPS} has no function no_such_fn in .symtab or .dynsym`,
      expect.stringMatching(/^7:13: collect\.ebpf\.window\.stop: tracepoint sched:no_such_event does not exist on this kernel/u) as unknown as string,
    ]);
    expect(where(check(scenario('kprobe:do_sys_open', 'usdt:nosuchbinary-kdelta:a:b')).problems)).toEqual([
      '6:14: bad probe "kprobe:do_sys_open": write usdt:BINARY:PROVIDER:NAME, uprobe:BINARY:FUNCTION, uretprobe:BINARY:FUNCTION or tracepoint:SYSTEM:NAME in collect.ebpf.window.start',
      '7:13: collect.ebpf.window.stop: binary "nosuchbinary-kdelta" not found on PATH: give its path',
    ]);
  });

  test('start and stop are required, per is thread or process', () => {
    const text = `name: w\nworkload: { command: [x] }\ncollect: { ebpf: { window: { start: "tracepoint:sched:sched_switch", per: task } } }\n`;
    const messages = where(check(text).problems).join('\n');
    expect(messages).toMatch(/stop/u);
    expect(messages).toMatch(/per/u);
  });
});

describe('kdelta validate on a window probe that is not there', () => {
  it('exits 2 with file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdelta-window-'));
    const path = join(dir, 'w.yaml');
    writeFileSync(path, scenario(`usdt:${GROUPS}:kdelta:window_start`, `usdt:${GROUPS}:kdelta:nope`));
    const r = await runCli(['validate', path]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${path}:7:13: collect.ebpf.window.stop: ${GROUPS} has no USDT probe kdelta:nope`);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
