import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsSession, eventsAvailability } from '../../src/collect/bpf/events-session.js';
import type { RepetitionCapture, RepetitionRef } from '../../src/collect/types.js';
import { probeMachine } from '../../src/environment/probe.js';
import type { MachineFacts } from '../../src/environment/types.js';
import { createCgroup, removeCgroup } from '../../src/kernel/cgroup.js';
import type { SlowCallRepetition } from '../../src/run/syscall-events.js';
import type { SlowCallSpec } from '../../src/scenario/types.js';

const ROOT = join(import.meta.dirname, '..', '..');
const GROUPS = join(ROOT, 'helpers', 'bin', 'kdelta-groups');
const SLOWCALL = join(ROOT, 'helpers', 'bin', 'kdelta-slowcall');

let facts: MachineFacts;
let parent: string;

beforeAll(async () => {
  await execa('node', [join(ROOT, 'scripts', 'build-helpers.mjs')], { cwd: ROOT });
  facts = await probeMachine();
  const avail = eventsAvailability(facts);
  if (avail.state !== 'ready') throw new Error(`the slow-call capture must run here (CI runs as root): ${avail.reason}`);
  parent = join(facts.cgroup2!, `kdelta-events-test-${process.pid}`);
}, 120_000);

afterAll(async () => {
  if (parent) await removeCgroup(parent);
});

/** One program in a cgroup of its own under one events session. */
async function capture(spec: SlowCallSpec, argv: string[]): Promise<{ capture: RepetitionCapture; events: SlowCallRepetition }> {
  const rep: RepetitionRef = { index: 0, warmup: false, cgroup: await createCgroup(join(parent, `e${Date.now()}`)) };
  const session = createEventsSession(spec, facts);
  try {
    await session.start([rep]);
    await session.beforeRepetition(rep);
    await execa('sh', ['-c', 'echo 0 > "$1/cgroup.procs" && shift && exec "$@"', 'kdelta', rep.cgroup!.path, ...argv]);
    const c = await session.afterRepetition(rep, { pid: null, threads: [] });
    const events = c.tables?.syscallEvents;
    if (!events) throw new Error('no syscallEvents table');
    return { capture: c, events: { repetition: 1, ...events } };
  } finally {
    await session.stop();
    await removeCgroup(rep.cgroup!.path);
  }
}

describe('slow-call events (libbpf) against kdelta-groups', () => {
  let run: { capture: RepetitionCapture; events: SlowCallRepetition };
  beforeAll(async () => {
    run = await capture({ overNs: 4_000_000, max: 50, stacks: true }, [GROUPS, '1000', '10', '2', '1']);
  }, 60_000);

  it("reports beta0's 5 ms nanosleep with a user stack naming kdelta_slow_call", () => {
    const sleeps = run.events.events.filter((e) => e.syscall === 'nanosleep' || e.syscall === 'clock_nanosleep');
    expect(sleeps, JSON.stringify(run.events.events.map((e) => [e.syscall, e.comm]))).toHaveLength(1);
    const e = sleeps[0]!;
    expect(e.comm).toBe('beta0');
    expect(e.durationNs).toBeGreaterThanOrEqual(5_000_000);
    expect(e.tid).not.toBe(e.pid);
    expect(e.user.some((f) => /\bkdelta_slow_call\+0x[0-9a-f]+ \(kdelta-groups\)/u.test(f)), e.user.join(' | ')).toBe(true);
    expect(e.user.some((f) => /\bbeta\+0x/u.test(f)), e.user.join(' | ')).toBe(true);
    expect(e.kernel.length).toBeGreaterThan(0);
    expect(e.kernel.some((f) => /^[a-z_][a-z0-9_.]*\+0x/u.test(f)), e.kernel.join(' | ')).toBe(true);
  });

  it('leaves the fast calls out, and drops nothing under max', () => {
    expect(run.events.events.some((e) => e.syscall === 'geteuid' || e.syscall === 'getppid')).toBe(false);
    expect(run.events.events.every((e) => e.durationNs >= 4_000_000)).toBe(true);
    expect(run.events.dropped).toBe(0);
    expect(run.events.lost).toBe(0);
    expect(run.events.seen).toBe(run.events.events.length);
    expect(run.capture.metrics.find((m) => m.name === 'syscall.slow.count')?.value).toBe(run.events.seen);
  });
});

describe('slow-call events: max', () => {
  it('keeps one of three slow calls with max: 1 and counts two dropped', async () => {
    // 40 ms sleeps over a 20 ms threshold: no ordinary call of the program comes near it.
    const { events } = await capture({ overNs: 20_000_000, max: 1, stacks: true }, [SLOWCALL, '3', '40', '100']);
    expect(events.seen).toBe(3);
    expect(events.dropped).toBe(2);
    expect(events.events).toHaveLength(1);
    expect(events.events[0]!.syscall).toBe('nanosleep');
    expect(events.events[0]!.user.some((f) => f.includes('kdelta_slow_call+0x'))).toBe(true);
  }, 60_000);

  it('sends no stacks with stacks: false', async () => {
    const { events } = await capture({ overNs: 20_000_000, max: 5, stacks: false }, [SLOWCALL, '2', '40', '10']);
    expect(events.events).toHaveLength(2);
    expect(events.events.every((e) => e.user.length === 0 && e.kernel.length === 0)).toBe(true);
  }, 60_000);
});
