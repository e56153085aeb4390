#!/usr/bin/env node
// Overhead of kdelta's eBPF captures (`npm run bench:overhead`, as root, after `npm run build`).
// Prints tables on stdout, progress on stderr. Every section takes turns between its conditions
// in rounds (other work on the machine comes in bursts) and reports medians.
//
// - null-syscall loop (raw getppid, pinned with taskset to BENCH_CPU: on these VMs the same
//   tracepoint costs twice as much on CPU 0 as on CPU 1): untraced; the libbpf floor (tp_btf
//   programs that only test the cgroup); libbpf full; libbpf sampled 1 in BENCH_SAMPLE; libbpf full with threads: true; the
//   bpftrace capture (full); the straightforward bpftrace program (tid-keyed start, per-syscall
//   hist, delete): ns per call and the ratio to untraced;
// - same-CPU pipe ping-pong: untraced, libbpf ready delay, bpftrace ready delay;
// - hackbench -p -g 4 -l 1000: untraced, libbpf full, libbpf ready delay + IRQ, libbpf full with
//   threads: true, with timeline: true, with both;
// - start-up, exec to attached: libbpf loader (without calibration, with it, with it reused from an
//   earlier run), bpftrace capture;
// - kdelta's own time per repetition with the libbpf capture (admit + two dumps + metrics);
// - the kernel collector's parts on hackbench and fio fsync (BENCH_ONLY=kernel: only these);
// - trigger windows configured (USDT probes of kdelta-groups) while the workload is outside any
//   window: the null-syscall loop and hackbench (BENCH_ONLY=windows: only these).
//
// Options (env): BENCH_CPU (1), BENCH_CALLS (1000000), BENCH_RUNS (7), BENCH_SAMPLE (8),
// BENCH_REPS (50), BENCH_PINGPONG (20000).
import { execa } from 'execa';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { median, metricOf } from './bench-support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'collect', 'bpf', 'session.js'))) {
  process.stderr.write('bench-overhead: run `npm run build` first (dist/collect/bpf/session.js is missing)\n');
  process.exitCode = 2;
} else {
  await main();
}

function fmt(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}
function spread(xs) {
  return xs.length ? `${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}` : 'n/a';
}


async function main() {
  const { createEbpfSession } = await import(join(dist, 'collect', 'ebpf', 'session.js'));
  const { createBpfSession } = await import(join(dist, 'collect', 'bpf', 'session.js'));
  const { probeMachine, ensureTracefs } = await import(join(dist, 'environment', 'probe.js'));
  const cgroupModule = await import(join(dist, 'kernel', 'cgroup.js'));
  const created = [];
  const createCgroup = async (path) => {
    const cg = await cgroupModule.createCgroup(path);
    created.push(path);
    return cg;
  };
  const cpu = Number(process.env.BENCH_CPU ?? 1);
  const calls = Number(process.env.BENCH_CALLS ?? 1_000_000);
  const runs = Number(process.env.BENCH_RUNS ?? 7);
  const sample = Number(process.env.BENCH_SAMPLE ?? 8);
  const reps = Number(process.env.BENCH_REPS ?? 50);
  const trips = Number(process.env.BENCH_PINGPONG ?? 20_000);
  const load = join(root, 'helpers', 'bin', 'kdelta-load');
  const log = (s) => process.stderr.write(`bench-overhead: ${s}\n`);

  let facts = await probeMachine();
  if (!facts.isRoot) throw new Error('run as root: the captures need it');
  // With BPF run-time statistics on, the kernel reads the clock twice around every program run:
  // about +40 ns per program, which would be charged to every capture here.
  const statsOn = readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim() !== '0';
  if (statsOn) log('warning: kernel.bpf_stats_enabled is on and inflates every traced figure; `sysctl kernel.bpf_stats_enabled=0` first');
  if (!facts.tracefs) {
    await ensureTracefs(facts);
    facts = await probeMachine();
  }
  const parent = join(facts.cgroup2, `kdelta-bench-${process.pid}`);
  const inCgroup = (cg, argv) => execa('sh', ['-c', 'echo 0 > "$1/cgroup.procs" && shift && exec "$@"', 'kdelta', cg, ...argv]);
  const pinned = (argv) => ['taskset', '-c', String(cpu), ...argv];
  const SYS = (s) => ({ readyDelay: false, irq: false, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: s } });
  const READY = { readyDelay: true, irq: false, syscalls: false };
  const FULL = { readyDelay: true, irq: true, syscalls: { include: [], exclude: [], excludeBlocking: true, sample: 1 } };
  const READY_IRQ = { readyDelay: true, irq: true, syscalls: false };

  /** Runs `body(cgPath)` with a capture attached that admits that cgroup; `kind` picks the capture. */
  async function under(kind, spec, cg, body) {
    const rep = { index: 0, warmup: false, cgroup: cg };
    if (kind === 'none') return body(cg.path);
    if (kind === 'ref') {
      const prog = `tracepoint:raw_syscalls:sys_enter /cgroup == ${cg.id}/ { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /cgroup == ${cg.id} && @start[tid]/ { @lat[args->id] = hist(nsecs - @start[tid]); delete(@start[tid]); }
END { clear(@start); clear(@lat); }`;
      const bt = execa('bpftrace', ['-f', 'json', '-B', 'line', '-e', prog], { reject: false, buffer: false });
      await new Promise((resolve, reject) => {
        bt.stdout.on('data', (d) => String(d).includes('attached_probes') && setTimeout(resolve, 300));
        void bt.then(() => reject(new Error('reference bpftrace exited early')));
      });
      try {
        return await body(cg.path);
      } finally {
        bt.kill('SIGINT');
        await bt;
      }
    }
    if (kind === 'empty') {
      const l = execa(join(root, 'helpers', 'bin', 'kdelta-bpf'), ['--empty'], { stdin: 'pipe', buffer: false, reject: false });
      await new Promise((resolve) => l.stdout.on('data', (d) => String(d).includes('"ready"') && resolve()));
      l.stdin.write(`admit ${cg.id}\n`);
      try {
        return await body(cg.path);
      } finally {
        l.stdin.end();
        await l;
      }
    }
    const s = kind === 'libbpf' ? createBpfSession(spec, facts, { calibrate: false }) : createEbpfSession(spec, facts);
    try {
      await s.start([rep]);
      await s.beforeRepetition(rep);
      const r = await body(cg.path);
      const cap = await s.afterRepetition(rep, { pid: null, threads: [] });
      if (cap.lost.length) log(`${kind} lost: ${cap.lost.join('; ')}`);
      return r;
    } finally {
      await s.stop();
    }
  }

  async function section(name, conds, body) {
    const times = Object.fromEntries(conds.map((c) => [c.key, []]));
    for (let round = 0; round < runs; round++) {
      log(`${name}: round ${round + 1} of ${runs}`);
      for (const c of conds) {
        const cg = await createCgroup(join(parent, `${name}-${c.key}-${round}`));
        times[c.key].push(await under(c.kind, c.spec, cg, body));
      }
    }
    return times;
  }

  const out = statsOn ? ['**kernel.bpf_stats_enabled was on: every traced figure below is inflated.**', ''] : [];
  const table = (title, unit, conds, times, base) => {
    out.push(`| ${title} | ${unit} (median of ${runs}) | spread | ratio vs untraced |`, '| --- | ---: | ---: | ---: |');
    const b = median(times[base]);
    for (const c of conds) out.push(`| ${c.what} | ${fmt(median(times[c.key]))} | ${spread(times[c.key])} | ${(median(times[c.key]) / b).toFixed(2)}x |`);
    out.push('');
  };

  try {
    if (process.env.BENCH_ONLY === 'windows') {
      await windowRows({ section, table, inCgroup, pinned, load, calls, SYS, FULL });
      process.stdout.write(out.join('\n') + '\n');
      return;
    }
    if (process.env.BENCH_ONLY === 'kernel') {
      await kernelPartRows({ facts, dist, parent, runs, createCgroup, inCgroup, log, out });
      process.stdout.write(out.join('\n') + '\n');
      return;
    }
    // BENCH_ONLY=startup: only the start-up and own-time rows; BENCH_ONLY=loop: only the
    // null-syscall loop; BENCH_ONLY=pingpong: only the ping-pong.
    if (process.env.BENCH_ONLY === 'pingpong') {
      await pingpongRows({ section, table, inCgroup, pinned, load, trips, cpu, READY });
      process.stdout.write(out.join('\n') + '\n');
      return;
    }
    if (process.env.BENCH_ONLY !== 'startup') {
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
    const loop = await section('loop', loopConds, async (cg) => metricOf((await inCgroup(cg, pinned([load, 'syscall-loop', '--count', String(calls)]))).stdout, 'syscall_ns'));
    table(`null syscall (getppid, taskset -c ${cpu})`, 'ns/call', loopConds, loop, 'untraced');
    const m = (k) => median(loop[k]);
    const added = (k) => m(k) - m('untraced');
    out.push(
      `added per call: floor ${fmt(added('empty'))} ns, libbpf full ${fmt(added('full'))} ns (${Math.round((100 * added('full')) / added('ref'))}% of the straightforward program's ${fmt(added('ref'))} ns), ` +
        `sampled ${fmt(added('sampled'))} ns (${(m('sampled') / m('empty')).toFixed(2)}x the floor's call), bpftrace capture ${fmt(added('bpftrace'))} ns`,
      '',
    );
    if (process.env.BENCH_ONLY === 'loop') {
      process.stdout.write(out.join('\n') + '\n');
      return;
    }

    await pingpongRows({ section, table, inCgroup, pinned, load, trips, cpu, READY });

    const hbConds = [
      { key: 'untraced', kind: 'none', what: 'untraced' },
      { key: 'full', kind: 'libbpf', spec: FULL, what: 'libbpf full (syscalls, ready delay, IRQ)' },
      { key: 'readyirq', kind: 'libbpf', spec: READY_IRQ, what: 'libbpf ready delay + IRQ' },
      { key: 'threads', kind: 'libbpf', spec: { ...FULL, threads: true }, what: 'libbpf full, threads: true' },
      { key: 'timeline', kind: 'libbpf', spec: { ...FULL, timeline: true }, what: 'libbpf full, timeline: true' },
      { key: 'both', kind: 'libbpf', spec: { ...FULL, threads: true, timeline: true }, what: 'libbpf full, threads and timeline' },
    ];
    const hb = await section('hackbench', hbConds, async (cg) => {
      const t0 = process.hrtime.bigint();
      await inCgroup(cg, ['hackbench', '-p', '-g', '4', '-l', '1000']);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    });
    table('hackbench -p -g 4 -l 1000', 'ms', hbConds, hb, 'untraced');
    }

    // Start-up: from spawning the capture to every program attached.
    const st = { lib: [], libTl: [], libCal: [], libCached: [], bt: [] };
    const { calibrationCache } = await import(join(dist, 'collect', 'bpf', 'calibration-cache.js'));
    const { BPF_LOADER } = await import(join(dist, 'collect', 'bpf', 'session.js'));
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    // A cache of the benchmark's own: one calibration measured once, then reused as a later run would.
    const cache = calibrationCache(BPF_LOADER, mkdtempSync(join(tmpdir(), 'kdelta-bench-calib-')));
    for (let round = 0; round < runs; round++) {
      log(`start-up: round ${round + 1} of ${runs}`);
      const cg = await createCgroup(join(parent, `start-${round}`));
      const rep = { index: 0, warmup: false, cgroup: cg };
      for (const [key, mk] of [
        ['lib', () => createBpfSession(FULL, facts, { calibrate: false })],
        ['libTl', () => createBpfSession({ ...FULL, timeline: true }, facts, { calibrate: false })],
        ['libCal', () => createBpfSession(FULL, facts, { calibrationCache: null })],
        ['libCached', () => createBpfSession(FULL, facts, { calibrationCache: cache })],
        ['bt', () => createEbpfSession(FULL, facts)],
      ]) {
        const s = mk();
        const t0 = process.hrtime.bigint();
        await s.start([rep]);
        st[key].push(Number(process.hrtime.bigint() - t0) / 1e6);
        await s.stop();
      }
    }
    out.push(`| start-up, spawn to attached (full capture) | ms (median of ${runs}) | spread |`, '| --- | ---: | ---: |');
    out.push(`| libbpf loader | ${fmt(median(st.lib))} | ${spread(st.lib)} |`);
    out.push(`| libbpf loader with the timeline (the default) | ${fmt(median(st.libTl))} | ${spread(st.libTl)} |`);
    out.push(`| libbpf loader + calibration (capture.cost.*) | ${fmt(median(st.libCal))} | ${spread(st.libCal)} |`);
    out.push(`| libbpf loader, calibration reused from an earlier run (the usual case) | ${fmt(median(st.libCached))} | ${spread(st.libCached)} |`);
    out.push(`| bpftrace capture | ${fmt(median(st.bt))} | ${spread(st.bt)} |`, '');

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
    await windowRows({ section, table, inCgroup, pinned, load, calls, SYS, FULL });
    await kernelPartRows({ facts, dist, parent, runs, createCgroup, inCgroup, log, out });
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    for (const p of [...created.reverse(), parent]) await cgroupModule.removeCgroup(p).catch((e) => log(`could not remove ${p}: ${e.message}`));
  }
}

/**
 * The kernel collector's opt-in parts, one at a time and all together, against untraced, on
 * hackbench (scheduler, wake-ups, IPIs, skb-free pipes) and fio with fsynced 4 KiB writes
 * (block requests, faults). Conditions take turns in rounds; medians and ratios.
 * BENCH_ONLY=kernel runs only these rows.
 */
async function kernelPartRows({ facts, dist, parent, runs, createCgroup, inCgroup, log, out }) {
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
async function windowRows({ section, table, inCgroup, pinned, load, calls, SYS, FULL }) {
  const groups = join(root, 'helpers', 'bin', 'kdelta-groups');
  const usdt = (name) => ({ kind: 'usdt', target: groups, provider: 'kdelta', name });
  const window = { start: usdt('window_start'), stop: usdt('window_end'), minNs: 1_000_000, per: 'thread' };
  const loopConds = [
    { key: 'untraced', kind: 'none', what: 'untraced' },
    { key: 'full', kind: 'libbpf', spec: SYS(1), what: 'libbpf capture, every call timed' },
    { key: 'win', kind: 'libbpf', spec: { ...SYS(1), window }, what: 'libbpf capture, every call timed, windows configured, loop outside them' },
  ];
  const loop = await section('winloop', loopConds, async (cg) => metricOf((await inCgroup(cg, pinned([load, 'syscall-loop', '--count', String(calls)]))).stdout, 'syscall_ns'));
  table('null syscall with trigger windows configured', 'ns/call', loopConds, loop, 'untraced');
  const hbConds = [
    { key: 'untraced', kind: 'none', what: 'untraced' },
    { key: 'full', kind: 'libbpf', spec: FULL, what: 'libbpf full (syscalls, ready delay, IRQ)' },
    { key: 'win', kind: 'libbpf', spec: { ...FULL, window }, what: 'libbpf full, windows configured, hackbench outside them' },
  ];
  const hb = await section('winhackbench', hbConds, async (cg) => {
    const t0 = process.hrtime.bigint();
    await inCgroup(cg, ['hackbench', '-p', '-g', '4', '-l', '1000']);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
  table('hackbench -p -g 4 -l 1000 with trigger windows configured', 'ms', hbConds, hb, 'untraced');
}

/** The same-CPU pipe ping-pong: untraced, libbpf ready delay, bpftrace ready delay. */
async function pingpongRows({ section, table, inCgroup, pinned, load, trips, cpu, READY }) {
  const ppConds = [
    { key: 'untraced', kind: 'none', what: 'untraced' },
    { key: 'libbpf', kind: 'libbpf', spec: READY, what: 'libbpf ready delay' },
    { key: 'bpftrace', kind: 'bpftrace', spec: READY, what: 'bpftrace ready delay' },
  ];
  const pp = await section('pingpong', ppConds, async (cg) => metricOf((await inCgroup(cg, pinned([load, 'pipe-pingpong', '--count', String(trips)]))).stdout, 'round_trip_ns'));
  table(`pipe ping-pong, both threads on CPU ${cpu}`, 'ns/round trip', ppConds, pp, 'untraced');
}
