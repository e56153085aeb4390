#!/usr/bin/env node
// Overhead of kdelta's eBPF captures (`npm run bench:overhead`, as root, after `npm run build`).
// Prints tables on stdout, progress on stderr. Every section takes turns between its conditions
// in rounds (other work on the machine comes in bursts) and reports medians.
//
// Sections (BENCH_ONLY=<name> runs one; their code is in bench-overhead-rows.mjs):
// - loop: the null-syscall loop (raw getppid, pinned with taskset to BENCH_CPU: on these VMs the
//   same tracepoint costs twice as much on CPU 0 as on CPU 1): untraced; the libbpf floor (tp_btf
//   programs that only test the cgroup); libbpf full; sampled 1 in BENCH_SAMPLE; full with
//   threads: true, with ready delay, with the timeline; the bpftrace capture (full); the
//   straightforward bpftrace program (tid-keyed start, per-syscall hist, delete);
// - pingpong: same-CPU pipe ping-pong: untraced, libbpf ready delay, bpftrace ready delay;
// - hackbench: -p -g 4 -l 1000 untraced, libbpf full, ready delay + IRQ, full with threads: true,
//   with timeline: true, with both, and a signed-rank test of the rounds' pairs;
// - startup: spawn to attached (the loader without and with the timeline, the default with a
//   fresh and with a reused calibration, bpftrace), and kdelta's own time per repetition;
// - windows: trigger windows configured (USDT probes of kdelta-groups) while the workload is
//   outside any window: the null-syscall loop and hackbench;
// - kernel: the kernel collector's parts on hackbench and fio fsync.
//
// Options (env): BENCH_CPU (1), BENCH_CALLS (1000000), BENCH_RUNS (7), BENCH_SAMPLE (8),
// BENCH_REPS (50), BENCH_PINGPONG (20000).
import { execa } from 'execa';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { median } from './bench-support.mjs';
import { fmt, hackbenchRows, kernelPartRows, loopRows, ownTimeRows, pingpongRows, spread, startupRows, windowRows } from './bench-overhead-rows.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'collect', 'bpf', 'session.js'))) {
  process.stderr.write('bench-overhead: run `npm run build` first (dist/collect/bpf/session.js is missing)\n');
  process.exitCode = 2;
} else {
  await main();
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
  const ctx = { facts, dist, parent, runs, reps, calls, trips, cpu, sample, load, log, out, section, table, inCgroup, pinned, createCgroup, createBpfSession, createEbpfSession, SYS, READY, FULL, READY_IRQ };
  const sections = {
    loop: [loopRows],
    pingpong: [pingpongRows],
    hackbench: [hackbenchRows],
    startup: [startupRows, ownTimeRows],
    windows: [windowRows],
    kernel: [kernelPartRows],
  };
  const only = process.env.BENCH_ONLY;
  const chosen = only ? sections[only] : Object.values(sections).flat();
  if (!chosen) throw new Error(`BENCH_ONLY=${only}: one of ${Object.keys(sections).join(', ')}`);
  try {
    for (const rows of chosen) await rows(ctx);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    for (const p of [...created.reverse(), parent]) await cgroupModule.removeCgroup(p).catch((e) => log(`could not remove ${p}: ${e.message}`));
  }
}

