// The sections of `npm run bench:overhead`. scripts/bench-overhead.mjs builds the context they
// share (the machine's facts, the captures, `section` to run conditions in rounds, `table` and
// `out` for what is printed) and picks the sections by BENCH_ONLY.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, metricOf } from './bench-support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** ns per call of the pinned null-syscall loop in cgroup `cg`. */
async function loopNs({ inCgroup, pinned, load, calls }, cg) {
  return metricOf((await inCgroup(cg, pinned([load, 'syscall-loop', '--count', String(calls)]))).stdout, 'syscall_ns');
}

/** ms of one `hackbench -p -g 4 -l 1000` in cgroup `cg`. */
async function hackbenchMs(inCgroup, cg) {
  const t0 = process.hrtime.bigint();
  await inCgroup(cg, ['hackbench', '-p', '-g', '4', '-l', '1000']);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function fmt(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}

export function spread(xs) {
  return xs.length ? `${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}` : 'n/a';
}

/** The null-syscall loop, pinned: untraced, the floor, the libbpf variants, bpftrace. */
export async function loopRows({ section, table, inCgroup, pinned, load, calls, cpu, sample, out, SYS }) {
  const loopConds = [
    { key: 'untraced', kind: 'none', what: 'untraced' },
    { key: 'empty', kind: 'empty', what: 'libbpf floor: tp_btf enter/exit, cgroup test only' },
    { key: 'full', kind: 'libbpf', spec: SYS(1), what: 'libbpf capture, every call timed' },
    { key: 'sampled', kind: 'libbpf', spec: SYS(sample), what: `libbpf capture, 1 in ${sample} timed` },
    { key: 'threads', kind: 'libbpf', spec: { ...SYS(1), threads: true }, what: 'libbpf capture, every call timed, threads: true' },
    // The timeline is counted in sched_switch/sched_wakeup, so it needs ready delay: compare with and without it.
    { key: 'fullready', kind: 'libbpf', spec: { ...SYS(1), readyDelay: true }, what: 'libbpf capture, every call timed, ready delay' },
    { key: 'timeline', kind: 'libbpf', spec: { ...SYS(1), readyDelay: true, timeline: true }, what: 'libbpf capture, every call timed, ready delay, timeline: true' },
    { key: 'bpftrace', kind: 'bpftrace', spec: SYS(1), what: 'bpftrace capture, every call timed' },
    { key: 'ref', kind: 'ref', what: 'straightforward bpftrace (tid map, hist, delete)' },
  ];
  const loop = await section('loop', loopConds, (cg) => loopNs({ inCgroup, pinned, load, calls }, cg));
  table(`null syscall (getppid, taskset -c ${cpu})`, 'ns/call', loopConds, loop, 'untraced');
  const m = (k) => median(loop[k]);
  const added = (k) => m(k) - m('untraced');
  out.push(
    `added per call: floor ${fmt(added('empty'))} ns, libbpf full ${fmt(added('full'))} ns (${Math.round((100 * added('full')) / added('ref'))}% of the straightforward program's ${fmt(added('ref'))} ns), ` +
      `sampled ${fmt(added('sampled'))} ns (${(m('sampled') / m('empty')).toFixed(2)}x the floor's call), bpftrace capture ${fmt(added('bpftrace'))} ns`,
    '',
  );
}

/** hackbench under each capture, and the paired test of the ones that should cost nothing. */
export async function hackbenchRows({ section, table, inCgroup, dist, out, FULL, READY_IRQ }) {

  const hbConds = [
    { key: 'untraced', kind: 'none', what: 'untraced' },
    { key: 'full', kind: 'libbpf', spec: FULL, what: 'libbpf full (syscalls, ready delay, IRQ)' },
    { key: 'readyirq', kind: 'libbpf', spec: READY_IRQ, what: 'libbpf ready delay + IRQ' },
    { key: 'threads', kind: 'libbpf', spec: { ...FULL, threads: true }, what: 'libbpf full, threads: true' },
    { key: 'timeline', kind: 'libbpf', spec: { ...FULL, timeline: true }, what: 'libbpf full, timeline: true' },
    { key: 'both', kind: 'libbpf', spec: { ...FULL, threads: true, timeline: true }, what: 'libbpf full, threads and timeline' },
  ];
  const hb = await section('hackbench', hbConds, (cg) => hackbenchMs(inCgroup, cg));
  table('hackbench -p -g 4 -l 1000', 'ms', hbConds, hb, 'untraced');
  // Each round ran every condition back to back: the pairs share the machine's state.
  const { signedRankTest } = await import(join(dist, 'compare', 'stats', 'signed-rank.js'));
  for (const key of ['readyirq', 'full']) {
    const logs = hb[key].map((x, i) => Math.log(x / hb.untraced[i]));
    const p = signedRankTest(logs).pValue;
    out.push(`paired by round, ${key} / untraced: median ratio ${Math.exp(median(logs)).toFixed(3)}, rounds ${logs.map((l) => Math.exp(l).toFixed(2)).join(' ')}, signed-rank p = ${p.toFixed(3)} (${p > 0.05 ? 'indistinguishable' : 'distinguishable'} at 0.05 over ${logs.length} rounds)`);
  }
  out.push('');
}

/** Spawn to attached, for the loader's variants and bpftrace. */
export async function startupRows({ runs, log, createCgroup, parent, facts, dist, out, FULL, createBpfSession, createEbpfSession }) {
  // Start-up: from spawning the capture to every program attached. The default capture has the
  // timeline; its first run on a boot measures the calibration, later runs reuse it.
  const st = { lib: [], libTl: [], libTlCal: [], libTlCached: [], bt: [] };
  const { calibrationCache } = await import(join(dist, 'collect', 'bpf', 'calibration-cache.js'));
  const { BPF_LOADER } = await import(join(dist, 'collect', 'bpf', 'session.js'));
  const DEFAULT = { ...FULL, timeline: true };
  // A cache of the benchmark's own: one calibration measured once, then reused as a later run would.
  const cache = calibrationCache(BPF_LOADER, mkdtempSync(join(tmpdir(), 'kdelta-bench-calib-')));
  const conds = [
    ['lib', () => createBpfSession(FULL, facts, { calibrate: false })],
    ['libTl', () => createBpfSession(DEFAULT, facts, { calibrate: false })],
    ['libTlCal', () => createBpfSession(DEFAULT, facts, { calibrationCache: null })],
    ['libTlCached', () => createBpfSession(DEFAULT, facts, { calibrationCache: cache })],
    ['bt', () => createEbpfSession(FULL, facts)],
  ];
  const timed = async (mk, rep) => {
    const s = mk();
    const t0 = process.hrtime.bigint();
    await s.start([rep]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    await s.stop();
    return ms;
  };
  await timed(conds[3][1], { index: 0, warmup: false, cgroup: await createCgroup(join(parent, 'start-fill')) });
  for (let round = 0; round < runs; round++) {
    log(`start-up: round ${round + 1} of ${runs}`);
    const rep = { index: 0, warmup: false, cgroup: await createCgroup(join(parent, `start-${round}`)) };
    for (const [key, mk] of conds) st[key].push(await timed(mk, rep));
  }
  const row = (what, xs) => out.push(`| ${what} | ${fmt(median(xs))} | ${spread(xs)} |`);
  out.push(`| start-up, spawn to attached (full capture) | ms (median of ${runs}) | spread |`, '| --- | ---: | ---: |');
  row('libbpf loader, without the timeline', st.lib);
  row('libbpf loader, the default capture (with the timeline)', st.libTl);
  row('the default, with a fresh calibration (capture.cost.*): its first run on a boot', st.libTlCal);
  row('the default, calibration reused from an earlier run (the usual case)', st.libTlCached);
  row('bpftrace capture', st.bt);
  out.push('');
}

/** kdelta's own time per repetition with the libbpf capture (admit + two dumps + metrics). */
export async function ownTimeRows({ reps, log, createCgroup, parent, facts, inCgroup, load, out, FULL, createBpfSession }) {
  // kdelta's own time per repetition: admit + dump before, dump + metrics after.
  log(`own time over ${reps} repetitions`);
  const refs = [];
  for (let i = 0; i < reps; i++) refs.push({ index: i, warmup: false, cgroup: await createCgroup(join(parent, `own-${i}`)) });
  const own = createBpfSession(FULL, facts, { calibrate: false });
  const perRep = [];
  await own.start(refs);
  try {
    for (const rep of refs) {
      let t0 = process.hrtime.bigint();
      await own.beforeRepetition(rep);
      let ms = Number(process.hrtime.bigint() - t0) / 1e6;
      await inCgroup(rep.cgroup.path, [load, 'syscall-loop', '--count', '10000']);
      t0 = process.hrtime.bigint();
      await own.afterRepetition(rep, { pid: null, threads: [] });
      ms += Number(process.hrtime.bigint() - t0) / 1e6;
      perRep.push(ms);
    }
  } finally {
    await own.stop();
  }
  out.push(`| kdelta's own time per repetition, libbpf full capture, ${reps} repetitions | ms |`, '| --- | ---: |');
  out.push(`| median | ${fmt(median(perRep))} |`, `| spread | ${spread(perRep)} |`, '');
}

/**
 * The kernel collector's opt-in parts, one at a time and all together, against untraced, on
 * hackbench (scheduler, wake-ups, IPIs, skb-free pipes) and fio with fsynced 4 KiB writes
 * (block requests, faults). Conditions take turns in rounds; medians and ratios.
 * BENCH_ONLY=kernel runs only these rows.
 */
export async function kernelPartRows({ facts, dist, parent, runs, createCgroup, inCgroup, log, out }) {
  const { createKernelSession } = await import(join(dist, 'collect', 'kernel', 'session.js'));
  const none = { net: false, block: false, faults: false, runqueue: false, smpCalls: false };
  const conds = [
    ['untraced', null],
    ...['net', 'block', 'faults', 'runqueue', 'smpCalls'].map((p) => [p, { ...none, [p]: true }]),
    ['all', { net: true, block: true, faults: true, runqueue: true, smpCalls: true }],
  ];
  const loads = {
    hackbench: (cg) => inCgroup(cg, ['hackbench', '-p', '-g', '4', '-l', '1000']),
    fio: (cg) => inCgroup(cg, ['fio', '--name=w', '--filename=/tmp/kdelta-bench-fio.dat', '--rw=write', '--bs=4k', '--size=400k', '--fsync=1', '--ioengine=sync']),
  };
  const times = {};
  for (const load of Object.keys(loads)) for (const [k] of conds) times[`${load}-${k}`] = [];
  for (let round = 0; round < runs; round++) {
    log(`kernel parts: round ${round + 1} of ${runs}`);
    for (const load of Object.keys(loads)) {
      for (const [key, parts] of conds) {
        const cg = await createCgroup(join(parent, `kp-${load}-${key}-${round}`));
        const rep = { index: 0, warmup: false, cgroup: cg };
        const s = parts ? createKernelSession(parts, facts) : null;
        if (s) {
          await s.start([rep]);
          await s.beforeRepetition(rep);
        }
        const t0 = process.hrtime.bigint();
        try {
          await loads[load](cg.path);
        } finally {
          times[`${load}-${key}`].push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (s) {
            const cap = await s.afterRepetition(rep, { pid: null, threads: [] });
            if (cap.lost.length) log(`kernel ${key} lost: ${cap.lost.join('; ')}`);
            await s.stop();
          }
        }
      }
    }
  }
  for (const load of Object.keys(loads)) {
    out.push(`| kernel collector part, ${load} | ms (median of ${runs}) | spread | ratio vs untraced |`, '| --- | ---: | ---: | ---: |');
    const base = median(times[`${load}-untraced`]);
    for (const [key] of conds) {
      const t = times[`${load}-${key}`];
      out.push(`| ${key} | ${fmt(median(t))} | ${spread(t)} | ${(median(t) / base).toFixed(3)}x |`);
    }
    out.push('');
  }
}

/**
 * What configuring trigger windows costs a workload that is outside every window (the hot paths
 * then test the per-task window flag and return): the null-syscall loop and hackbench, each
 * against untraced and the same capture without windows. The probes are kdelta-groups' USDT
 * window probes, which neither workload reaches.
 */
export async function windowRows({ section, table, inCgroup, pinned, load, calls, SYS, FULL }) {
  const groups = join(root, 'helpers', 'bin', 'kdelta-groups');
  const usdt = (name) => ({ kind: 'usdt', target: groups, provider: 'kdelta', name });
  const window = { start: usdt('window_start'), stop: usdt('window_end'), minNs: 1_000_000, per: 'thread' };
  const loopConds = [
    { key: 'untraced', kind: 'none', what: 'untraced' },
    { key: 'full', kind: 'libbpf', spec: SYS(1), what: 'libbpf capture, every call timed' },
    { key: 'win', kind: 'libbpf', spec: { ...SYS(1), window }, what: 'libbpf capture, every call timed, windows configured, loop outside them' },
  ];
  const loop = await section('winloop', loopConds, (cg) => loopNs({ inCgroup, pinned, load, calls }, cg));
  table('null syscall with trigger windows configured', 'ns/call', loopConds, loop, 'untraced');
  const hbConds = [
    { key: 'untraced', kind: 'none', what: 'untraced' },
    { key: 'full', kind: 'libbpf', spec: FULL, what: 'libbpf full (syscalls, ready delay, IRQ)' },
    { key: 'win', kind: 'libbpf', spec: { ...FULL, window }, what: 'libbpf full, windows configured, hackbench outside them' },
  ];
  const hb = await section('winhackbench', hbConds, (cg) => hackbenchMs(inCgroup, cg));
  table('hackbench -p -g 4 -l 1000 with trigger windows configured', 'ms', hbConds, hb, 'untraced');
}

/** The same-CPU pipe ping-pong: untraced, libbpf ready delay, bpftrace ready delay. */
export async function pingpongRows({ section, table, inCgroup, pinned, load, trips, cpu, READY }) {
  const ppConds = [
    { key: 'untraced', kind: 'none', what: 'untraced' },
    { key: 'libbpf', kind: 'libbpf', spec: READY, what: 'libbpf ready delay' },
    { key: 'bpftrace', kind: 'bpftrace', spec: READY, what: 'bpftrace ready delay' },
  ];
  const pp = await section('pingpong', ppConds, async (cg) => metricOf((await inCgroup(cg, pinned([load, 'pipe-pingpong', '--count', String(trips)]))).stdout, 'round_trip_ns'));
  table(`pipe ping-pong, both threads on CPU ${cpu}`, 'ns/round trip', ppConds, pp, 'untraced');
}
